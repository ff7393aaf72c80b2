using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SymDiff.Kernels;

namespace SymDiff.Benchmarks;

/// <summary>
/// <c>peak [--threads 1,2] [--seconds 0.25]</c>: in-register FP32 fused multiply-add throughput per vector width, the
/// ceiling every kernel figure is a percentage of. Each thread runs 12 independent accumulator chains (enough to
/// cover FMA latency × pipes on current x86 cores) that never touch memory; threads start together and the
/// throughput is their flops over the slowest one's time. Medians of 15 runs, with the fastest and slowest.
/// </summary>
internal static class Peak
{
    private const long Iterations = 1 << 22;

    public static void Run(Options options)
    {
        var threadCounts = options.String("threads", "1,2").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        Console.WriteLine($"peak: FP32 FMA, 12 chains per thread; Vector256 accelerated: {Vector256.IsHardwareAccelerated}, Vector512 accelerated: {Vector512.IsHardwareAccelerated}");
        foreach (var width in new[] { 256, 512 })
        {
            foreach (var threads in threadCounts)
            {
                var (median, fastest, slowest) = Measure(width, threads);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Vector{width} threads={threads}: median {median:F1} GFLOP/s (fastest {fastest:F1}, slowest {slowest:F1})"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT width={width} threads={threads} gflops={median:F1}"));
            }
        }
    }

    /// <summary>GFLOP/s of <paramref name="threads"/> threads at <paramref name="width"/> bits: median, fastest, slowest.</summary>
    public static (double Median, double Fastest, double Slowest) Measure(int width, int threads)
    {
        var lanes = width / 32;
        var flopsPerThread = Iterations * 12.0 * lanes * 2;
        var results = new List<double>();
        for (var run = 0; run < 17; run++)
        {
            var seconds = new double[threads];
            using var start = new Barrier(threads);
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                var begin = Stopwatch.GetTimestamp();
                var sink = width == 512 ? Chains<Simd512<float>>(Iterations) : Chains<Simd256<float>>(Iterations);
                seconds[t] = Stopwatch.GetElapsedTime(begin).TotalSeconds;
                GC.KeepAlive(sink);
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            if (run >= 2)
            {
                results.Add(flopsPerThread * threads / seconds.Max() / 1e9); // the first two runs warm up the JIT
            }
        }

        var sorted = results.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[^1], sorted[0]);
    }

    /// <summary>12 independent chains c = c·m + a: each step is 12 fused multiply-adds, none waiting on another.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains<TV>(long iterations)
        where TV : struct, ISimd<TV, float>
    {
        var m = TV.Broadcast(0.999999f);
        var a = TV.Broadcast(1e-7f);
        TV c0 = TV.Broadcast(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TV.MultiplyAdd(c0, m, a);
            c1 = TV.MultiplyAdd(c1, m, a);
            c2 = TV.MultiplyAdd(c2, m, a);
            c3 = TV.MultiplyAdd(c3, m, a);
            c4 = TV.MultiplyAdd(c4, m, a);
            c5 = TV.MultiplyAdd(c5, m, a);
            c6 = TV.MultiplyAdd(c6, m, a);
            c7 = TV.MultiplyAdd(c7, m, a);
            c8 = TV.MultiplyAdd(c8, m, a);
            c9 = TV.MultiplyAdd(c9, m, a);
            c10 = TV.MultiplyAdd(c10, m, a);
            c11 = TV.MultiplyAdd(c11, m, a);
        }

        var sum = TV.Add(TV.Add(TV.Add(c0, c1), TV.Add(c2, c3)), TV.Add(TV.Add(c4, c5), TV.Add(c6, c7)));
        sum = TV.Add(sum, TV.Add(TV.Add(c8, c9), TV.Add(c10, c11)));
        Span<float> lanes = stackalloc float[TV.Count];
        sum.Store(ref lanes[0], 0);
        return lanes[0];
    }
}
