namespace SymDiff.Tests.TensorGradients;

/// <summary>Tensor models whose gradients are generated: checked in <see cref="TensorGradientTests"/>.</summary>
public static partial class TensorModels
{
    /// <summary>A two-layer perceptron with a softmax cross-entropy loss.</summary>
    [Differentiable]
    public static double Mlp(Tensor<double> w1, Tensor<double> b1, Tensor<double> w2, Tensor<double> b2, [NoDiff] Tensor<double> x, [NoDiff] ReadOnlySpan<int> y)
    {
        var h = Tensor.Tanh(Tensor.AddRowBias(Tensor.MatMul(x, w1), b1));
        var logits = Tensor.AddRowBias(Tensor.MatMul(h, w2), b2);
        return Tensor.CrossEntropy(logits, y);
    }

    /// <summary>The same perceptron with its layers as a local function (inlined by the generator).</summary>
    [Differentiable]
    public static double MlpWithLocalLayers(Tensor<double> w1, Tensor<double> b1, Tensor<double> w2, Tensor<double> b2, [NoDiff] Tensor<double> x, [NoDiff] ReadOnlySpan<int> y)
    {
        return Tensor.CrossEntropy(Layer(Tensor.Tanh(Layer(x, w1, b1)), w2, b2), y);

        static Tensor<double> Layer(Tensor<double> input, Tensor<double> weights, Tensor<double> bias) =>
            Tensor.AddRowBias(Tensor.MatMul(input, weights), bias);
    }

    /// <summary>The same perceptron in float, as training runs it.</summary>
    [Differentiable]
    public static float MlpFloat(Tensor<float> w1, Tensor<float> b1, Tensor<float> w2, Tensor<float> b2, [NoDiff] Tensor<float> x, [NoDiff] ReadOnlySpan<int> y)
    {
        var h = Tensor.Tanh(Tensor.AddRowBias(Tensor.MatMul(x, w1), b1));
        var logits = Tensor.AddRowBias(Tensor.MatMul(h, w2), b2);
        return Tensor.CrossEntropy(logits, y);
    }

    /// <summary>
    /// An embedding lookup, the concatenation of each example's context rows (a reshape: rows are contiguous), a
    /// concatenation with extra features, and a tanh layer: the first layers of the Bengio et al. model.
    /// </summary>
    [Differentiable]
    public static double EmbeddingLayer(
        Tensor<double> table, Tensor<double> w, Tensor<double> b, [NoDiff] Tensor<double> extra, [NoDiff] ReadOnlySpan<int> context, int batch)
    {
        var rows = Tensor.Embedding(table, context);
        var x = Tensor.Reshape(rows, batch, -1);
        var features = Tensor.Concat(x, extra);
        var h = Tensor.Tanh(Tensor.AddRowBias(Tensor.MatMul(features, w), b));
        return 0.5 * Tensor.Sum(Tensor.Square(h));
    }

    /// <summary>
    /// An Elman recurrent network over token ids: h_t = tanh(e(w_t)·W + h_{t−1}·U + b), logits_t = h_t·V + c, the mean
    /// cross-entropy of the next tokens. Backpropagation through time comes from the loop.
    /// </summary>
    [Differentiable]
    public static double Rnn(
        Tensor<double> embed, Tensor<double> w, Tensor<double> u, Tensor<double> b, Tensor<double> v, Tensor<double> c,
        [NoDiff] Tensor<double> h0, [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, int batch)
    {
        var h = h0;
        double loss = 0;
        var steps = inputs.Length / batch;
        for (int t = 0; t < steps; t++)
        {
            var x = Tensor.Embedding(embed, inputs.Slice(t * batch, batch));
            h = Tensor.Tanh(Tensor.AddRowBias(Tensor.Add(Tensor.MatMul(x, w), Tensor.MatMul(h, u)), b));
            var logits = Tensor.AddRowBias(Tensor.MatMul(h, v), c);
            loss += Tensor.CrossEntropy(logits, targets.Slice(t * batch, batch));
        }

        return loss / steps;
    }

    /// <summary><see cref="Rnn"/> with checkpointing: only h (and the loss so far) is kept per step.</summary>
    [Differentiable(RecomputeLoops = true)]
    public static double RnnRecomputed(
        Tensor<double> embed, Tensor<double> w, Tensor<double> u, Tensor<double> b, Tensor<double> v, Tensor<double> c,
        [NoDiff] Tensor<double> h0, [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, int batch)
    {
        var h = h0;
        double loss = 0;
        var steps = inputs.Length / batch;
        for (int t = 0; t < steps; t++)
        {
            var x = Tensor.Embedding(embed, inputs.Slice(t * batch, batch));
            h = Tensor.Tanh(Tensor.AddRowBias(Tensor.Add(Tensor.MatMul(x, w), Tensor.MatMul(h, u)), b));
            var logits = Tensor.AddRowBias(Tensor.MatMul(h, v), c);
            loss += Tensor.CrossEntropy(logits, targets.Slice(t * batch, batch));
        }

        return loss / steps;
    }

    /// <summary>Tensor ops mixed with scalar parameters and scalar math.</summary>
    [Differentiable]
    public static double ScaledSoftmax(Tensor<double> x, double temperature, [NoDiff] Tensor<double> weights)
    {
        var p = Tensor.Softmax(Tensor.Divide(x, temperature));
        var weighted = Tensor.Multiply(p, weights);
        return Math.Log(Tensor.Sum(weighted) + 1.0) + (temperature * temperature);
    }

    /// <summary>Branches that choose between tensors, and a custom user op with its own rule.</summary>
    [Differentiable]
    public static double Custom(Tensor<double> x, double s, bool cube)
    {
        var y = cube ? CustomOps.Cube(x) : Tensor.Sigmoid(x);
        return Tensor.Mean(y) * CustomOps.SoftClip(s) + CustomOps.Half(s);
    }

    /// <summary>Math.ScaleB has no built-in rule; this type declares one for it (below).</summary>
    [Differentiable]
    public static double ScaleB(double x) => Math.ScaleB(x, 3) + x;

    /// <summary>y = x · 2ⁿ: ∂y/∂x = 2ⁿ.</summary>
    [DerivativeOf(typeof(Math), nameof(Math.ScaleB))]
    public static void ScaleBBackward(double x, int n, double result, double dResult, ref double dx) => dx += dResult * Math.ScaleB(1.0, n);
}

/// <summary>User-defined ops with their own derivative rules, declared the way the runtime declares its ops.</summary>
public static class CustomOps
{
    /// <summary>y = x³, elementwise.</summary>
    public static Tensor<double> Cube(Tensor<double> x)
    {
        Tensor<double>? y = null;
        return Cube(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Cube(Tensor{double})"/>.</summary>
    public static Tensor<double> Cube(Tensor<double> x, ref Tensor<double>? destination)
    {
        var y = Tensor.Ensure(ref destination, x.Shape);
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = x[i] * x[i] * x[i];
        }

        return y;
    }

    /// <summary>y = x³: ∂y/∂x = 3x².</summary>
    [DerivativeOf(nameof(Cube))]
    public static void CubeBackward(Tensor<double> x, Tensor<double> result, Tensor<double> dResult, Tensor<double>? dx)
    {
        for (var i = 0; dx is not null && i < x.Length; i++)
        {
            dx[i] += 3 * x[i] * x[i] * dResult[i];
        }
    }

    /// <summary>y = x / (1 + |x|).</summary>
    public static double SoftClip(double x) => x / (1 + Math.Abs(x));

    /// <summary>y = x / (1 + |x|): ∂y/∂x = 1 / (1 + |x|)².</summary>
    [DerivativeOf(nameof(SoftClip))]
    public static void SoftClipBackward(double x, double result, double dResult, ref double dx) =>
        dx += dResult / ((1 + Math.Abs(x)) * (1 + Math.Abs(x)));

    /// <summary>y = x / 2, written with a statement body the rule does not need to know about.</summary>
    public static double Half(double x)
    {
        var half = x * 0.5;
        return half;
    }

    /// <summary>y = x / 2: ∂y/∂x = 1/2.</summary>
    [DerivativeOf(nameof(Half))]
    public static void HalfBackward(double x, double result, double dResult, ref double dx) => dx += 0.5 * dResult;
}
