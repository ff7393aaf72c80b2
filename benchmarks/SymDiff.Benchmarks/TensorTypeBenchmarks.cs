using BenchmarkDotNet.Attributes;
using System.Numerics.Tensors;

namespace SymDiff.Benchmarks;

/// <summary>
/// Should SymDiff use System.Numerics.Tensors' own Tensor&lt;T&gt;? The same elementwise work (y = tanh(a + b)) into
/// preallocated destinations, through both types, at a small and an MLP-sized shape; and what the zero-copy
/// conversions between the two cost. Both namespaces are imported here, as a user's file would.
/// </summary>
[MemoryDiagnoser]
public class TensorTypeBenchmarks
{
    private DTensor<float> _a = null!;
    private DTensor<float> _b = null!;
    private DTensor<float>? _sum;
    private DTensor<float>? _out;
    private Tensor<float> _sntA = null!;
    private Tensor<float> _sntB = null!;
    private Tensor<float> _sntSum = null!;
    private Tensor<float> _sntOut = null!;
    private DTensor<float> _bias = null!;
    private Tensor<float> _sntBias = null!;

    [Params(32, 256)]
    public int Columns { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _a = DTensor.RandomUniform(random, -1f, 1f, 128, Columns);
        _b = DTensor.RandomUniform(random, -1f, 1f, 128, Columns);
        _sum = DTensor.Zeros<float>(128, Columns);
        _out = DTensor.Zeros<float>(128, Columns);
        ReadOnlySpan<nint> lengths = [128, Columns];
        _sntA = Tensor.Create(_a.ToArray(), lengths);
        _sntB = Tensor.Create(_b.ToArray(), lengths);
        _sntSum = Tensor.Create(new float[128 * Columns], lengths);
        _sntOut = Tensor.Create(new float[128 * Columns], lengths);
        _bias = DTensor.RandomUniform(random, -1f, 1f, Columns);
        _sntBias = Tensor.Create(_bias.ToArray(), [1, Columns]);
    }

    [Benchmark(Baseline = true)]
    public void SymDiffTensor()
    {
        DTensor.Add(_a, _b, ref _sum);
        DTensor.Tanh(_sum!, ref _out);
    }

    [Benchmark]
    public void SystemNumericsTensor()
    {
        Tensor.Add(_sntA.AsReadOnlyTensorSpan(), _sntB.AsReadOnlyTensorSpan(), _sntSum.AsTensorSpan());
        Tensor.Tanh(_sntSum.AsReadOnlyTensorSpan(), _sntOut.AsTensorSpan());
    }

    /// <summary>Row-wise work (a bias per row, as AddRowBias does): SymDiff slices spans, S.N.T slices tensor spans.</summary>
    [Benchmark]
    public void SymDiffRowBias() => DTensor.AddRowBias(_a, _bias, ref _sum);

    [Benchmark]
    public void SystemNumericsRowBias()
    {
        for (var row = 0; row < 128; row++)
        {
            var slice = _sntA.AsReadOnlyTensorSpan()[row..(row + 1), ..];
            var target = _sntSum.AsTensorSpan()[row..(row + 1), ..];
            Tensor.Add(slice, _sntBias.AsReadOnlyTensorSpan(), target);
        }
    }

    /// <summary>DTensor → Tensor&lt;T&gt; over the same array (allocates the Tensor object and its shape).</summary>
    [Benchmark]
    public Tensor<float> AsTensor() => _a.AsTensor();

    /// <summary>DTensor → TensorSpan&lt;T&gt; (a span: nothing allocated).</summary>
    [Benchmark]
    public nint AsTensorSpan() => _a.AsTensorSpan().FlattenedLength;

    /// <summary>Tensor&lt;T&gt; → DTensor sharing its storage (allocates the DTensor object and its shape).</summary>
    [Benchmark]
    public DTensor<float> FromTensor() => DTensor.FromTensor(_sntA);
}
