namespace SymDiff.Tests.TensorGradients;

/// <summary>Models using the Transformer's ops, whose gradients are generated: checked in <see cref="TransformerOpTests"/>.</summary>
public static partial class TransformerOpModels
{
    /// <summary>
    /// Standardization written with broadcasting: (x − mean) / √(var + ε) per row (per-row b, axis kept), then a
    /// per-column scale and shift (per-column b), read out through fixed weights.
    /// </summary>
    [Differentiable]
    public static double Standardize(DTensor<double> x, DTensor<double> scale, DTensor<double> shift, [NoDiff] DTensor<double> weights)
    {
        var centered = DTensor.Subtract(x, DTensor.MeanLastAxis(x, true));
        var deviation = DTensor.Sqrt(DTensor.Add(DTensor.MeanLastAxis(DTensor.Square(centered), true), 0.001));
        var y = DTensor.AddRowBias(DTensor.Multiply(DTensor.Divide(centered, deviation), scale), shift);
        return DTensor.Sum(DTensor.Multiply(y, weights));
    }

    /// <summary>Row sums kept as a column, then subtracted (per-row broadcast of a SumLastAxis with its axis kept).</summary>
    [Differentiable]
    public static double RowSums(DTensor<double> x, [NoDiff] DTensor<double> weights) =>
        DTensor.Sum(DTensor.Multiply(DTensor.Subtract(DTensor.Square(x), DTensor.SumLastAxis(x, true)), weights));

    /// <summary>The fused layer normalization and GELU, read out through fixed weights.</summary>
    [Differentiable]
    public static double LayerNormGelu(DTensor<double> x, DTensor<double> gamma, DTensor<double> beta, [NoDiff] DTensor<double> weights) =>
        DTensor.Sum(DTensor.Multiply(DTensor.Gelu(DTensor.LayerNorm(x, gamma, beta)), weights));

    /// <summary>
    /// Multi-head causal self-attention on a [batch·time, model] input: heads split with Reshape (4-D) and Transpose
    /// of axes 1 and 2, scores by a batched product with the keys transposed, the causal softmax, and back.
    /// </summary>
    [Differentiable]
    public static double Attention(
        DTensor<double> x, DTensor<double> wq, DTensor<double> wk, DTensor<double> wv, [NoDiff] DTensor<double> weights, int batch, int time, int heads)
    {
        var width = x.Shape[1] / heads;
        var q = DTensor.SwapAxes(DTensor.Reshape(DTensor.MatMul(x, wq), batch, time, heads, width), 1, 2);
        var k = DTensor.SwapAxes(DTensor.Reshape(DTensor.MatMul(x, wk), batch, time, heads, width), 1, 2);
        var v = DTensor.SwapAxes(DTensor.Reshape(DTensor.MatMul(x, wv), batch, time, heads, width), 1, 2);
        var p = DTensor.CausalSoftmax(DTensor.Multiply(DTensor.BatchMatMul(q, k, false, true), 1.0 / Math.Sqrt(width)));
        var o = DTensor.Reshape(DTensor.SwapAxes(DTensor.BatchMatMul(p, v), 1, 2), batch * time, -1);
        return DTensor.Sum(DTensor.Multiply(o, weights));
    }

    /// <summary>A matrix transpose, and a batched product of a transposed first operand.</summary>
    [Differentiable]
    public static double Transposes(DTensor<double> a, DTensor<double> b, [NoDiff] DTensor<double> weights) =>
        DTensor.Sum(DTensor.Multiply(DTensor.Transpose(DTensor.BatchMatMul(a, b, true, false)), weights));

    /// <summary>Reshape to a shape given as a span (any rank), then a last-two-axes transpose.</summary>
    [Differentiable]
    public static double ReshapeAny(DTensor<double> x, [NoDiff] ReadOnlySpan<int> shape, [NoDiff] DTensor<double> weights) =>
        DTensor.Sum(DTensor.Multiply(DTensor.Reshape(DTensor.Transpose(DTensor.Reshape(x, shape)), -1), weights));

    /// <summary>The L1 loss: mean |x − y|.</summary>
    [Differentiable]
    public static double L1(DTensor<double> x, [NoDiff] DTensor<double> y) => DTensor.Mean(DTensor.Abs(DTensor.Subtract(x, y)));

    /// <summary>The Huber loss with threshold δ, through Clamp: with c = clamp(r, −δ, δ), Σ c·r − ½c².</summary>
    [Differentiable]
    public static double Huber(DTensor<double> x, [NoDiff] DTensor<double> y, double delta)
    {
        var r = DTensor.Subtract(x, y);
        var c = DTensor.Clamp(r, -delta, delta);
        return DTensor.Sum(DTensor.Subtract(DTensor.Multiply(c, r), DTensor.Multiply(DTensor.Square(c), 0.5)));
    }

    /// <summary>Clamp with both bounds differentiated.</summary>
    [Differentiable]
    public static double Clamped(DTensor<double> x, double lo, double hi, [NoDiff] DTensor<double> weights) =>
        DTensor.Sum(DTensor.Multiply(DTensor.Clamp(x, lo, hi), weights));

    /// <summary>A power with the exponent differentiated too.</summary>
    [Differentiable]
    public static double Power(DTensor<double> x, double p, [NoDiff] DTensor<double> weights) =>
        DTensor.Sum(DTensor.Multiply(DTensor.Pow(x, p), weights));

    /// <summary>Elementwise maximum and minimum of two tensors.</summary>
    [Differentiable]
    public static double Extremes(DTensor<double> a, DTensor<double> b, [NoDiff] DTensor<double> weights) =>
        DTensor.Sum(DTensor.Multiply(DTensor.Subtract(DTensor.Maximum(a, b), DTensor.Square(DTensor.Minimum(a, b))), weights));

    /// <summary>Layers whose weights are stacked along a first axis, each picked with Select inside the loop.</summary>
    [Differentiable]
    public static double StackedLayers(DTensor<double> x, DTensor<double> w, DTensor<double> b, int layers)
    {
        var h = x;
        for (int l = 0; l < layers; l++)
        {
            h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(h, DTensor.Select(w, l)), DTensor.Select(b, l)));
        }

        return DTensor.Sum(DTensor.Square(h));
    }

    /// <summary>
    /// A recurrence whose every state is collected with SetRow (storing hs[t] = h is not differentiable), its inputs
    /// read with Select, and the collected states read out as a whole.
    /// </summary>
    [Differentiable]
    public static double CollectedStates(DTensor<double> x, DTensor<double> u, DTensor<double> h0, [NoDiff] DTensor<double> states, [NoDiff] DTensor<double> weights, int steps)
    {
        var h = h0;
        var hs = states;
        for (int t = 0; t < steps; t++)
        {
            h = DTensor.Tanh(DTensor.Add(DTensor.MatMul(h, u), DTensor.Select(x, t)));
            hs = DTensor.SetRow(hs, t, h);
        }

        return DTensor.Sum(DTensor.Multiply(hs, weights));
    }

    /// <summary>A slice of entries along the first axis.</summary>
    [Differentiable]
    public static double Sliced(DTensor<double> x, int start, int count, [NoDiff] DTensor<double> weights) =>
        DTensor.Sum(DTensor.Multiply(DTensor.Slice(x, start, count), weights));
}
