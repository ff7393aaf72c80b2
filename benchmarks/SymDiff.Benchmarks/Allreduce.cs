using System.Diagnostics;
using System.Globalization;
using SymDiff.Distributed;

namespace SymDiff.Benchmarks;

/// <summary>
/// <c>mpirun -np N dotnet SymDiff.Benchmarks.dll allreduce [--reps 50] [--bucket floats]</c>: the in-place float sum that distributed
/// training runs every step, over lengths from one element (the latency) to the MLP9 gradient (2,357,655 floats) and
/// beyond (the bandwidth). Every rank runs the same number of calls (a time-based loop would desynchronize them),
/// each after a barrier; rank 0 prints the median, fastest and slowest call and the bytes reduced per second.
/// </summary>
internal static class Allreduce
{
    public static void Run(Options options)
    {
        using var world = Communicator.Initialize();
        var reps = options.Int("reps", 50);
        world.BucketElements = options.Int("bucket", world.BucketElements);
        if (world.Rank == 0)
        {
            Console.WriteLine($"allreduce (sum, in place, float) on {world.Size} ranks, at most {world.BucketElements:N0} floats a call; {world.Library}");
            Console.WriteLine("floats      median µs   fastest   slowest   GB/s (bytes / median)");
        }

        foreach (var length in new[] { 1, 16, 256, 4_096, 65_536, 262_144, 1_048_576, 2_357_655, 4_194_304, 8_388_608 })
        {
            var data = new float[length];
            data.AsSpan().Fill(1f / world.Size);
            var times = new double[reps];
            for (var i = -5; i < reps; i++)
            {
                world.Barrier();
                var start = Stopwatch.GetTimestamp();
                world.AllreduceSum(data.AsSpan());
                if (i >= 0)
                {
                    times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                }
            }

            if (world.Rank == 0)
            {
                var median = QuickCommands.Median(times);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{length,9:N0}  {median * 1e6,10:F1}  {times.Min() * 1e6,8:F1}  {times.Max() * 1e6,8:F1}   {length * 4.0 / median / 1e9:F2}"));
            }
        }
    }
}
