using SymDiff.CompilerServices;
namespace SymDiff.Tests.TensorGradients;

/// <summary>Tensor models whose gradients are generated: checked in <see cref="TensorGradientTests"/>.</summary>
public static partial class TensorModels
{
    /// <summary>A two-layer perceptron with a softmax cross-entropy loss.</summary>
    [Differentiable]
    public static double Mlp(DTensor<double> w1, DTensor<double> b1, DTensor<double> w2, DTensor<double> b2, [NoDiff] DTensor<double> x, [NoDiff] ReadOnlySpan<int> y)
    {
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
        var logits = DTensor.AddRowBias(DTensor.MatMul(h, w2), b2);
        return DTensor.CrossEntropy(logits, y);
    }

    /// <summary>The same perceptron with its layers as a local function (inlined by the generator).</summary>
    [Differentiable]
    public static double MlpWithLocalLayers(DTensor<double> w1, DTensor<double> b1, DTensor<double> w2, DTensor<double> b2, [NoDiff] DTensor<double> x, [NoDiff] ReadOnlySpan<int> y)
    {
        return DTensor.CrossEntropy(Layer(DTensor.Tanh(Layer(x, w1, b1)), w2, b2), y);

        static DTensor<double> Layer(DTensor<double> input, DTensor<double> weights, DTensor<double> bias) =>
            DTensor.AddRowBias(DTensor.MatMul(input, weights), bias);
    }

    /// <summary>The same perceptron in float, as training runs it.</summary>
    [Differentiable]
    public static float MlpFloat(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2, [NoDiff] DTensor<float> x, [NoDiff] ReadOnlySpan<int> y)
    {
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
        var logits = DTensor.AddRowBias(DTensor.MatMul(h, w2), b2);
        return DTensor.CrossEntropy(logits, y);
    }

    /// <summary>
    /// An embedding lookup, the concatenation of each example's context rows (a reshape: rows are contiguous), a
    /// concatenation with extra features, and a tanh layer: the first layers of the Bengio et al. model.
    /// </summary>
    [Differentiable]
    public static double EmbeddingLayer(
        DTensor<double> table, DTensor<double> w, DTensor<double> b, [NoDiff] DTensor<double> extra, [NoDiff] ReadOnlySpan<int> context, int batch)
    {
        var rows = DTensor.Embedding(table, context);
        var x = DTensor.Reshape(rows, batch, -1);
        var features = DTensor.Concat(x, extra);
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(features, w), b));
        return 0.5 * DTensor.Sum(DTensor.Square(h));
    }

    /// <summary>
    /// An Elman recurrent network over token ids: h_t = tanh(e(w_t)·W + h_{t−1}·U + b), logits_t = h_t·V + c, the mean
    /// cross-entropy of the next tokens. Backpropagation through time comes from the loop.
    /// </summary>
    [Differentiable]
    public static double Rnn(
        DTensor<double> embed, DTensor<double> w, DTensor<double> u, DTensor<double> b, DTensor<double> v, DTensor<double> c,
        [NoDiff] DTensor<double> h0, [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, int batch)
    {
        var h = h0;
        double loss = 0;
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

    /// <summary>
    /// <see cref="Rnn"/> that hands its last hidden state on to the next chunk, as samples/RecurrentLM does: a void call
    /// copying a differentiated value out, which every generated method runs as written and no derivative follows.
    /// </summary>
    [Differentiable]
    public static double RnnHandingOn(
        DTensor<double> embed, DTensor<double> w, DTensor<double> u, DTensor<double> b, DTensor<double> v, DTensor<double> c,
        [NoDiff] DTensor<double> h0, [NoDiff] DTensor<double> hLast, [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, int batch)
    {
        var h = h0;
        double loss = 0;
        var steps = inputs.Length / batch;
        for (int t = 0; t < steps; t++)
        {
            var x = DTensor.Embedding(embed, inputs.Slice(t * batch, batch));
            h = DTensor.Tanh(DTensor.AddRowBias(DTensor.Add(DTensor.MatMul(x, w), DTensor.MatMul(h, u)), b));
            var logits = DTensor.AddRowBias(DTensor.MatMul(h, v), c);
            loss += DTensor.CrossEntropy(logits, targets.Slice(t * batch, batch));
        }

        hLast.CopyFrom(h);
        return loss / steps;
    }

    /// <summary><see cref="Rnn"/> with checkpointing: only h (and the loss so far) is kept per step.</summary>
    [Differentiable(RecomputeLoops = true)]
    public static double RnnRecomputed(
        DTensor<double> embed, DTensor<double> w, DTensor<double> u, DTensor<double> b, DTensor<double> v, DTensor<double> c,
        [NoDiff] DTensor<double> h0, [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, int batch)
    {
        var h = h0;
        double loss = 0;
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

    /// <summary>Tensor ops mixed with scalar parameters and scalar math.</summary>
    [Differentiable]
    public static double ScaledSoftmax(DTensor<double> x, double temperature, [NoDiff] DTensor<double> weights)
    {
        var p = DTensor.Softmax(DTensor.Divide(x, temperature));
        var weighted = DTensor.Multiply(p, weights);
        return Math.Log(DTensor.Sum(weighted) + 1.0) + (temperature * temperature);
    }

    /// <summary>Branches that choose between tensors, and a custom user op with its own rule.</summary>
    [Differentiable]
    public static double Custom(DTensor<double> x, double s, bool cube)
    {
        var y = cube ? CustomOps.Cube(x) : DTensor.Sigmoid(x);
        return DTensor.Mean(y) * CustomOps.SoftClip(s) + CustomOps.Half(s);
    }

    /// <summary>Math.ScaleB has no built-in rule; this type declares one for it (below).</summary>
    [Differentiable]
    public static double ScaleB(double x) => Math.ScaleB(x, 3) + x;

    /// <summary>y = x · 2ⁿ: ∂y/∂x = 2ⁿ (reads only n).</summary>
    [PullbackOf(typeof(Math), nameof(Math.ScaleB))]
    public static void MathScaleBPullback(int n, double dResult, ref double dx) => dx += dResult * Math.ScaleB(1.0, n);
}

/// <summary>User-defined ops with their own derivative rules, declared the way the runtime declares its ops.</summary>
public static class CustomOps
{
    /// <summary>y = x³, elementwise.</summary>
    public static DTensor<double> Cube(DTensor<double> x)
    {
        DTensor<double>? y = null;
        return Cube(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Cube(DTensor{double})"/>.</summary>
    public static DTensor<double> Cube(DTensor<double> x, ref DTensor<double>? destination)
    {
        var y = Buffers.Ensure(ref destination, x.Shape);
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = x[i] * x[i] * x[i];
        }

        return y;
    }

    /// <summary>y = x³: ∂y/∂x = 3x².</summary>
    [PullbackOf(nameof(Cube))]
    public static void CubePullback(DTensor<double> x, DTensor<double> result, DTensor<double> dResult, DTensor<double>? dx)
    {
        for (var i = 0; dx is not null && i < x.Length; i++)
        {
            dx[i] += 3 * x[i] * x[i] * dResult[i];
        }
    }

    /// <summary>y = x / (1 + |x|).</summary>
    public static double SoftClip(double x) => x / (1 + Math.Abs(x));

    /// <summary>y = x / (1 + |x|): ∂y/∂x = 1 / (1 + |x|)².</summary>
    [PullbackOf(nameof(SoftClip))]
    public static void SoftClipPullback(double x, double result, double dResult, ref double dx) =>
        dx += dResult / ((1 + Math.Abs(x)) * (1 + Math.Abs(x)));

    /// <summary>y = x / 2, written with a statement body the rule does not need to know about.</summary>
    public static double Half(double x)
    {
        var half = x * 0.5;
        return half;
    }

    /// <summary>y = x / 2: ∂y/∂x = 1/2.</summary>
    [PullbackOf(nameof(Half))]
    public static void HalfPullback(double dResult, ref double dx) => dx += 0.5 * dResult;
}
