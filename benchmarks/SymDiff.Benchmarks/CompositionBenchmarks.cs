using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace SymDiff.Benchmarks;

/// <summary>
/// One perceptron, tanh(x·W1 + b1)·W2 + b2 under a cross-entropy, written three ways, and a scalar neuron summed in a
/// loop, written two ways. The generator inlines a [Differentiable] callee of the same type and file into its caller,
/// so each composed form should cost what its one-body form costs (see <see cref="CompositionBenchmarks"/>).
/// </summary>
public static partial class CompositionModels
{
    /// <summary>(a) The whole model in one body.</summary>
    [Differentiable]
    public static float Whole(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2, [NoDiff] DTensor<float> x, [NoDiff] ReadOnlySpan<int> y)
    {
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
        var logits = DTensor.AddRowBias(DTensor.MatMul(h, w2), b2);
        return DTensor.CrossEntropy(logits, y);
    }

    /// <summary>(b) The logits for inference ...</summary>
    [Differentiable]
    public static DTensor<float> Logits(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2, [NoDiff] DTensor<float> x)
    {
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
        return DTensor.AddRowBias(DTensor.MatMul(h, w2), b2);
    }

    /// <summary>(b) ... and the training loss over them.</summary>
    [Differentiable]
    public static float Loss(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2, [NoDiff] DTensor<float> x, [NoDiff] ReadOnlySpan<int> y) =>
        DTensor.CrossEntropy(Logits(w1, b1, w2, b2, x), y);

    /// <summary>(c) A layer; its input is differentiable, since the second layer's is active.</summary>
    [Differentiable]
    public static DTensor<float> Dense(DTensor<float> x, DTensor<float> w, DTensor<float> b) => DTensor.AddRowBias(DTensor.MatMul(x, w), b);

    /// <summary>(c) Two layers from <see cref="Dense"/>.</summary>
    [Differentiable]
    public static float TwoDense(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2, [NoDiff] DTensor<float> x, [NoDiff] ReadOnlySpan<int> y) =>
        DTensor.CrossEntropy(Dense(DTensor.Tanh(Dense(x, w1, b1)), w2, b2), y);

    /// <summary>(d) A scalar callee ...</summary>
    [Differentiable]
    public static float Neuron(float w, float b, float x) => MathF.Tanh((w * x) + b);

    /// <summary>(d) ... called in a loop ...</summary>
    [Differentiable]
    public static float NeuronsInALoop(float w, float b, [NoDiff] ReadOnlySpan<float> xs)
    {
        var sum = 0f;
        for (var i = 0; i < xs.Length; i++)
        {
            sum += Neuron(w, b, xs[i]);
        }

        return sum;
    }

    /// <summary>(d) ... and the same loop with the callee written out.</summary>
    [Differentiable]
    public static float NeuronsInline(float w, float b, [NoDiff] ReadOnlySpan<float> xs)
    {
        var sum = 0f;
        for (var i = 0; i < xs.Length; i++)
        {
            sum += MathF.Tanh((w * xs[i]) + b);
        }

        return sum;
    }
}

/// <summary>
/// What splitting a model into [Differentiable] methods costs: one gradient of the perceptron at batch 256, input 256,
/// hidden 256, 256 classes, baseline the one-body model (a), against (b) Loss over a tensor-returning Logits and (c)
/// two layers from a Dense helper; and, in their own category, the gradient of a scalar callee summed over 65,536
/// inputs in a loop against the loop written out. Expected: ratios of 1 and 0 B allocated for all. One thread, so
/// that the matrix products' scaling does not blur the comparison. Gradients accumulate from call to call (not
/// zeroed): the same work for every variant.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CompositionBenchmarks
{
    private const int Batch = 256, Input = 256, Hidden = 256, Classes = 256;

    private DTensor<float> _w1 = null!, _b1 = null!, _w2 = null!, _b2 = null!, _x = null!;
    private DTensor<float> _dw1 = null!, _db1 = null!, _dw2 = null!, _db2 = null!;
    private int[] _y = null!;
    private float[] _xs = null!;

    [GlobalSetup]
    public void Setup()
    {
        Compute.Threads = 1;
        var random = new Random(1);
        _w1 = DTensor.RandomUniform(random, -1f / 16, 1f / 16, Input, Hidden);
        _b1 = DTensor.Zeros<float>(Hidden);
        _w2 = DTensor.RandomUniform(random, -1f / 16, 1f / 16, Hidden, Classes);
        _b2 = DTensor.Zeros<float>(Classes);
        _x = DTensor.RandomUniform(random, -1f, 1f, Batch, Input);
        _y = Enumerable.Range(0, Batch).Select(_ => random.Next(Classes)).ToArray();
        (_dw1, _db1, _dw2, _db2) = (DTensor.Zeros<float>(Input, Hidden), DTensor.Zeros<float>(Hidden), DTensor.Zeros<float>(Hidden, Classes), DTensor.Zeros<float>(Classes));
        _xs = Enumerable.Range(0, Batch * Input).Select(_ => (random.NextSingle() * 4) - 2).ToArray();
    }

    [BenchmarkCategory("Mlp"), Benchmark(Baseline = true)]
    public float WholeBody() => CompositionModels.WholeGradient(_w1, _b1, _w2, _b2, _x, _y, _dw1, _db1, _dw2, _db2);

    [BenchmarkCategory("Mlp"), Benchmark]
    public float LossOverLogits() => CompositionModels.LossGradient(_w1, _b1, _w2, _b2, _x, _y, _dw1, _db1, _dw2, _db2);

    [BenchmarkCategory("Mlp"), Benchmark]
    public float TwoDenseLayers() => CompositionModels.TwoDenseGradient(_w1, _b1, _w2, _b2, _x, _y, _dw1, _db1, _dw2, _db2);

    [BenchmarkCategory("ScalarLoop"), Benchmark(Baseline = true)]
    public float LoopWrittenOut() => CompositionModels.NeuronsInlineGradient(0.8f, -0.3f, _xs, out var dw, out var db) + dw + db;

    [BenchmarkCategory("ScalarLoop"), Benchmark]
    public float LoopCallingNeuron() => CompositionModels.NeuronsInALoopGradient(0.8f, -0.3f, _xs, out var dw, out var db) + dw + db;
}
