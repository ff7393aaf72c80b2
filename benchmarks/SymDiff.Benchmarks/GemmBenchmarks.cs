using BenchmarkDotNet.Attributes;

namespace SymDiff.Benchmarks;

/// <summary>The GEMM kernel at 512³ and at the shapes of the concatenation language model, on 1 and 2 threads.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private DTensor<float> _a = null!;
    private DTensor<float> _b = null!;
    private DTensor<float>? _c;

    [Params("512x512x512", "128x150x100", "128x100x16384", "128x256x10000")]
    public string Shape { get; set; } = "512x512x512";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (m, k, n) = Parse(Shape);
        var random = new Random(1);
        _a = DTensor.RandomUniform(random, -1f, 1f, m, k);
        _b = DTensor.RandomUniform(random, -1f, 1f, k, n);
        Compute.Threads = Threads;
    }

    [Benchmark]
    public void MatMul() => DTensor.MatMul(_a, _b, false, false, ref _c);

    internal static (int M, int K, int N) Parse(string shape)
    {
        var parts = shape.Split('x').Select(int.Parse).ToArray();
        return (parts[0], parts[1], parts[2]);
    }
}
