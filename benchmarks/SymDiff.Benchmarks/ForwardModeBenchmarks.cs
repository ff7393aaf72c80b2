using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace SymDiff.Benchmarks;

/// <summary>
/// Scalar functions for <see cref="ForwardModeBenchmarks"/>, besides the tanh network's loss of the sample: a series
/// summed in a loop of 50 steps, a function without loops of about 30 operations, a tensor MLP and an Elman network
/// (a loop over tensors).
/// </summary>
public static partial class ForwardModeModels
{
    /// <summary>Σ_{i=1..50} x^i/i!·cos(i·y), each term from the last: a loop of 50 steps.</summary>
    [Differentiable]
    public static double Series(double x, double y)
    {
        var sum = 0.0;
        var term = 1.0;
        for (var i = 1; i <= 50; i++)
        {
            term = term * x / i;
            sum += term * Math.Cos(y * i);
        }

        return sum;
    }

    /// <summary>About 30 operations (arithmetic and Math functions), no loops, no branches.</summary>
    [Differentiable]
    public static double Smooth(double a, double b, double c)
    {
        var u = (a * b) + Math.Sin(c);
        var v = Math.Exp(-u * u) + Math.Tanh(a - c);
        var w = Math.Log(1 + (v * v)) * Math.Cos(b);
        var p = (u * v) - (w / (1 + (a * a)));
        var q = Math.Sqrt(1 + (p * p)) + Math.Atan(b * c);
        return (q * w) + (p * Math.Sin(u + v)) - (0.5 * a * c);
    }

    /// <summary>A two-layer perceptron with a softmax cross-entropy loss, in float (the tensor case).</summary>
    [Differentiable]
    public static float Mlp(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2, [NoDiff] DTensor<float> x, [NoDiff] ReadOnlySpan<int> y)
    {
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
        return DTensor.CrossEntropy(DTensor.AddRowBias(DTensor.MatMul(h, w2), b2), y);
    }

    /// <summary><see cref="Mlp"/> with its output layer in another file (<see cref="ForwardModeHeads.Head"/>): a call with tensor arguments.</summary>
    [Differentiable]
    public static float MlpSplit(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2, [NoDiff] DTensor<float> x, [NoDiff] ReadOnlySpan<int> y)
    {
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
        return ForwardModeHeads.Head(h, w2, b2, y);
    }

    /// <summary>An Elman network over the time steps of a batch of token ids, a cross-entropy per step (a loop over tensors).</summary>
    [Differentiable]
    public static float Elman(
        DTensor<float> embed, DTensor<float> w, DTensor<float> u, DTensor<float> b, DTensor<float> v, DTensor<float> c,
        [NoDiff] DTensor<float> h0, [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, int batch)
    {
        var h = h0;
        float loss = 0;
        var steps = inputs.Length / batch;
        for (int t = 0; t < steps; t++)
        {
            var x = DTensor.Embedding(embed, inputs.Slice(t * batch, batch));
            h = DTensor.Tanh(DTensor.AddRowBias(DTensor.Add(DTensor.MatMul(x, w), DTensor.MatMul(h, u)), b));
            var logits = DTensor.AddRowBias(DTensor.MatMul(h, v), c);
            loss += DTensor.CrossEntropy(logits, targets.Slice(t * batch, batch));
        }

        return loss / steps;
    }
}

/// <summary>
/// What forward mode costs (issue 18's bounds: a pushforward at most 1.5× its forward pass, a Hessian-vector product
/// at most 4× the gradient). For each function, in its own category: the function itself (baseline), its gradient,
/// its pushforward along a fixed direction and, where generated, its Hessian-vector product. Medians, with min and max.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MedianColumn]
[MinColumn]
[MaxColumn]
public class ForwardModeBenchmarks
{
    // Fields, not constants, so that the JIT cannot fold the calls.
    private double _w1 = 0.5, _w2 = -0.3, _x = 1.0, _y = 0.2;
    private double _a = 0.7, _b = -0.4, _c = 1.3;
    private double _v1 = 0.6, _v2 = -0.8, _v3 = 0.25;

    [BenchmarkCategory("TanhLoss"), Benchmark(Baseline = true)]
    public double TanhForward() => TanhNetwork.TanhNet.Loss(_w1, _w2, _x, _y);

    [BenchmarkCategory("TanhLoss"), Benchmark]
    public double TanhGradient() => TanhNetwork.TanhNet.LossGradient(_w1, _w2, _x, _y, out var d1, out var d2) + d1 + d2;

    [BenchmarkCategory("TanhLoss"), Benchmark]
    public double TanhPushforward() => TanhNetwork.TanhNet.LossPushforward(_w1, _w2, _x, _y, _v1, _v2, out var d) + d;

    [BenchmarkCategory("TanhLoss"), Benchmark]
    public double TanhHessianVectorProduct() => TanhNetwork.TanhNet.LossHessianVectorProduct(_w1, _w2, _x, _y, _v1, _v2, out var h1, out var h2) + h1 + h2;

    [BenchmarkCategory("Series50"), Benchmark(Baseline = true)]
    public double SeriesForward() => ForwardModeModels.Series(_a, _b);

    [BenchmarkCategory("Series50"), Benchmark]
    public double SeriesGradient() => ForwardModeModels.SeriesGradient(_a, _b, out var dx, out var dy) + dx + dy;

    [BenchmarkCategory("Series50"), Benchmark]
    public double SeriesPushforward() => ForwardModeModels.SeriesPushforward(_a, _b, _v1, _v2, out var d) + d;

    [BenchmarkCategory("Smooth30"), Benchmark(Baseline = true)]
    public double SmoothForward() => ForwardModeModels.Smooth(_a, _b, _c);

    [BenchmarkCategory("Smooth30"), Benchmark]
    public double SmoothGradient() => ForwardModeModels.SmoothGradient(_a, _b, _c, out var da, out var db, out var dc) + da + db + dc;

    [BenchmarkCategory("Smooth30"), Benchmark]
    public double SmoothPushforward() => ForwardModeModels.SmoothPushforward(_a, _b, _c, _v1, _v2, _v3, out var d) + d;

    [BenchmarkCategory("Smooth30"), Benchmark]
    public double SmoothHessianVectorProduct() =>
        ForwardModeModels.SmoothHessianVectorProduct(_a, _b, _c, _v1, _v2, _v3, out var h1, out var h2, out var h3) + h1 + h2 + h3;

    // The tensor case: batch 128, 192 inputs (the NLM's 3 × 64 context), 256 hidden, 1,000 classes; every parameter
    // has a tangent, so each product with a weight costs three GEMMs in the pushforward (dY = dA·B + A·dB) for one.
    private readonly DTensor<float>[] _mlp = MlpTensors(new Random(1), [192, 256], [256], [256, 1000], [1000]);
    private readonly DTensor<float>[] _mlpDirection = MlpTensors(new Random(2), [192, 256], [256], [256, 1000], [1000]);
    private readonly DTensor<float>[] _mlpGradient = MlpTensors(new Random(3), [192, 256], [256], [256, 1000], [1000]);
    private readonly DTensor<float> _mlpInput = DTensor.RandomUniform(new Random(4), -1f, 1f, 128, 192);
    private readonly int[] _mlpLabels = Enumerable.Range(0, 128).Select(i => (i * 7) % 1000).ToArray();

    [BenchmarkCategory("Mlp"), Benchmark(Baseline = true)]
    public float MlpForward() => ForwardModeModels.Mlp(_mlp[0], _mlp[1], _mlp[2], _mlp[3], _mlpInput, _mlpLabels);

    [BenchmarkCategory("Mlp"), Benchmark]
    public float MlpBuffered() => ForwardModeModels.MlpBuffered(_mlp[0], _mlp[1], _mlp[2], _mlp[3], _mlpInput, _mlpLabels);

    [BenchmarkCategory("Mlp"), Benchmark]
    public float MlpGradient() =>
        ForwardModeModels.MlpGradient(_mlp[0], _mlp[1], _mlp[2], _mlp[3], _mlpInput, _mlpLabels, _mlpGradient[0], _mlpGradient[1], _mlpGradient[2], _mlpGradient[3]);

    [BenchmarkCategory("Mlp"), Benchmark]
    public float MlpPushforward() =>
        ForwardModeModels.MlpPushforward(_mlp[0], _mlp[1], _mlp[2], _mlp[3], _mlpInput, _mlpLabels, _mlpDirection[0], _mlpDirection[1], _mlpDirection[2], _mlpDirection[3], out var d) + d;

    // Second order on the same MLP: the Hessian-vector product against the gradient it differentiates (issue 18: at
    // most 4×). Its own category, so that the gradient is the baseline; the products are added into buffers, as the
    // gradient's are.
    private readonly DTensor<float>[] _mlpProduct = MlpTensors(new Random(5), [192, 256], [256], [256, 1000], [1000]);

    [BenchmarkCategory("MlpSecondOrder"), Benchmark(Baseline = true)]
    public float MlpGradientBeforeProduct() =>
        ForwardModeModels.MlpGradient(_mlp[0], _mlp[1], _mlp[2], _mlp[3], _mlpInput, _mlpLabels, _mlpGradient[0], _mlpGradient[1], _mlpGradient[2], _mlpGradient[3]);

    [BenchmarkCategory("MlpSecondOrder"), Benchmark]
    public float MlpHessianVectorProduct() =>
        ForwardModeModels.MlpHessianVectorProduct(
            _mlp[0], _mlp[1], _mlp[2], _mlp[3], _mlpInput, _mlpLabels,
            _mlpDirection[0], _mlpDirection[1], _mlpDirection[2], _mlpDirection[3],
            _mlpProduct[0], _mlpProduct[1], _mlpProduct[2], _mlpProduct[3]);

    // The same MLP with its output layer in another file: the product goes through the callee's own product and
    // gradient (tensor arguments), against the split model's gradient.
    [BenchmarkCategory("MlpSplit"), Benchmark(Baseline = true)]
    public float MlpSplitGradient() =>
        ForwardModeModels.MlpSplitGradient(_mlp[0], _mlp[1], _mlp[2], _mlp[3], _mlpInput, _mlpLabels, _mlpGradient[0], _mlpGradient[1], _mlpGradient[2], _mlpGradient[3]);

    [BenchmarkCategory("MlpSplit"), Benchmark]
    public float MlpSplitHessianVectorProduct() =>
        ForwardModeModels.MlpSplitHessianVectorProduct(
            _mlp[0], _mlp[1], _mlp[2], _mlp[3], _mlpInput, _mlpLabels,
            _mlpDirection[0], _mlpDirection[1], _mlpDirection[2], _mlpDirection[3],
            _mlpProduct[0], _mlpProduct[1], _mlpProduct[2], _mlpProduct[3]);

    [BenchmarkCategory("Series50"), Benchmark]
    public double SeriesHessianVectorProduct() => ForwardModeModels.SeriesHessianVectorProduct(_a, _b, _v1, _v2, out var h1, out var h2) + h1 + h2;

    // The Elman network: vocabulary 1,000, 32-wide embeddings, 64 hidden units, batch 32, 10 time steps. The gradient
    // is the baseline; the pushforward and the Hessian-vector product (issue 18's bounds for a loop over tensors).
    private static readonly int[][] ElmanShapes = [[1000, 32], [32, 64], [64, 64], [64], [64, 1000], [1000]];
    private readonly DTensor<float>[] _elman = MlpTensors(new Random(6), ElmanShapes);
    private readonly DTensor<float>[] _elmanDirection = MlpTensors(new Random(7), ElmanShapes);
    private readonly DTensor<float>[] _elmanGradient = MlpTensors(new Random(8), ElmanShapes);
    private readonly DTensor<float>[] _elmanProduct = MlpTensors(new Random(9), ElmanShapes);
    private readonly DTensor<float> _elmanH0 = DTensor.Zeros<float>(32, 64);
    private readonly int[] _elmanInputs = Enumerable.Range(0, 320).Select(i => (i * 7919) % 1000).ToArray();
    private readonly int[] _elmanTargets = Enumerable.Range(0, 320).Select(i => (i * 104729) % 1000).ToArray();

    [BenchmarkCategory("Elman"), Benchmark]
    public float ElmanForward() =>
        ForwardModeModels.Elman(_elman[0], _elman[1], _elman[2], _elman[3], _elman[4], _elman[5], _elmanH0, _elmanInputs, _elmanTargets, 32);

    [BenchmarkCategory("Elman"), Benchmark]
    public float ElmanBuffered() =>
        ForwardModeModels.ElmanBuffered(_elman[0], _elman[1], _elman[2], _elman[3], _elman[4], _elman[5], _elmanH0, _elmanInputs, _elmanTargets, 32);

    [BenchmarkCategory("Elman"), Benchmark(Baseline = true)]
    public float ElmanGradient()
    {
        var e = _elman;
        var g = _elmanGradient;
        return ForwardModeModels.ElmanGradient(e[0], e[1], e[2], e[3], e[4], e[5], _elmanH0, _elmanInputs, _elmanTargets, 32, g[0], g[1], g[2], g[3], g[4], g[5]);
    }

    [BenchmarkCategory("Elman"), Benchmark]
    public float ElmanPushforward()
    {
        var e = _elman;
        var d = _elmanDirection;
        return ForwardModeModels.ElmanPushforward(e[0], e[1], e[2], e[3], e[4], e[5], _elmanH0, _elmanInputs, _elmanTargets, 32, d[0], d[1], d[2], d[3], d[4], d[5], out var dResult) + dResult;
    }

    [BenchmarkCategory("Elman"), Benchmark]
    public float ElmanHessianVectorProduct()
    {
        var e = _elman;
        var d = _elmanDirection;
        var p = _elmanProduct;
        return ForwardModeModels.ElmanHessianVectorProduct(e[0], e[1], e[2], e[3], e[4], e[5], _elmanH0, _elmanInputs, _elmanTargets, 32, d[0], d[1], d[2], d[3], d[4], d[5], p[0], p[1], p[2], p[3], p[4], p[5]);
    }

    private static DTensor<float>[] MlpTensors(Random random, params int[][] shapes) =>
        shapes.Select(s => DTensor.RandomUniform(random, -0.1f, 0.1f, s)).ToArray();
}
