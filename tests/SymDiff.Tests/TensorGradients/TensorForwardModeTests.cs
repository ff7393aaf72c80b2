using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Generated pushforwards of tensor models: the value is the model's, the tangent is the generated gradient's dot
/// product with the direction (1e-10 relative) and central finite differences along it.
/// </summary>
public sealed class TensorForwardModeTests
{
    private static readonly int[] Labels = { 2, 0, 1, 2, 1 };

    [Fact]
    public void MlpPushforwardIsTheGradientAlongTheDirection()
    {
        var random = new Random(11);
        var (w1, b1, w2, b2, x) = (Uniform(random, 4, 6), Uniform(random, 6), Uniform(random, 6, 3), Uniform(random, 3), Uniform(random, 5, 4));
        var parameters = new[] { w1, b1, w2, b2 };
        var direction = parameters.Select(p => Uniform(random, p.Shape.ToArray())).ToArray();
        var gradients = parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, gradients[0], gradients[1], gradients[2], gradients[3]);

        var value = TensorModels.MlpPushforward(w1, b1, w2, b2, x, Labels, direction[0], direction[1], direction[2], direction[3], out var tangent);

        Assert.Equal(TensorModels.Mlp(w1, b1, w2, b2, x, Labels), value);
        AssertClose(Dot(gradients, direction), tangent, 1e-10);
        AssertClose(Along(parameters, direction, () => TensorModels.Mlp(w1, b1, w2, b2, x, Labels)), tangent, 1e-7);
    }

    [Fact]
    public void ANullDirectionIsZeroAndOnlyTheOthersCount()
    {
        var random = new Random(12);
        var (w1, b1, w2, b2, x) = (Uniform(random, 4, 6), Uniform(random, 6), Uniform(random, 6, 3), Uniform(random, 3), Uniform(random, 5, 4));
        var dw2 = Uniform(random, 6, 3);
        var gradients = new[] { w1, b1, w2, b2 }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, gradients[0], gradients[1], gradients[2], gradients[3]);

        TensorModels.MlpPushforward(w1, b1, w2, b2, x, Labels, null, null, dw2, null, out var tangent);

        AssertClose(Dot(new[] { gradients[2] }, new[] { dw2 }), tangent, 1e-10);
        TensorModels.MlpPushforward(w1, b1, w2, b2, x, Labels, null, null, null, null, out var zero);
        Assert.Equal(0.0, zero);
    }

    [Fact]
    public void FloatMlpPushforwardAgreesWithDouble()
    {
        var random = new Random(13);
        var shapes = new[] { new[] { 4, 6 }, new[] { 6 }, new[] { 6, 3 }, new[] { 3 } };
        var parameters = shapes.Select(s => Uniform(random, s)).ToArray();
        var direction = shapes.Select(s => Uniform(random, s)).ToArray();
        var x = Uniform(random, 5, 4);
        TensorModels.MlpPushforward(parameters[0], parameters[1], parameters[2], parameters[3], x, Labels, direction[0], direction[1], direction[2], direction[3], out var expected);
        var f = parameters.Concat(direction).Append(x).Select(ToFloat).ToArray();

        TensorModels.MlpFloatPushforward(f[0], f[1], f[2], f[3], f[8], Labels, f[4], f[5], f[6], f[7], out var tangent);

        AssertClose(expected, tangent, 1e-4);
    }

    [Fact]
    public void EmbeddingConcatAndScalarParametersPushForward()
    {
        var random = new Random(14);
        int[] context = { 0, 3, 1, 2, 4, 4 };
        var (table, w, b, extra) = (Uniform(random, 5, 3), Uniform(random, 3 * 3 + 2, 4), Uniform(random, 4), Uniform(random, 2, 2));
        var (dtable, dw, db) = (Uniform(random, 5, 3), Uniform(random, 3 * 3 + 2, 4), Uniform(random, 4));
        var g = new[] { table, w, b }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        TensorModels.EmbeddingLayerGradient(table, w, b, extra, context, 2, g[0], g[1], g[2]);

        var value = TensorModels.EmbeddingLayerPushforward(table, w, b, extra, context, 2, dtable, dw, db, out var tangent);

        Assert.Equal(TensorModels.EmbeddingLayer(table, w, b, extra, context, 2), value);
        AssertClose(Dot(g, new[] { dtable, dw, db }), tangent, 1e-10);

        var (xs, weights) = (Uniform(random, 2, 5), Uniform(random, 2, 5));
        var dxs = Uniform(random, 2, 5);
        var dx = DTensor.Zeros<double>(2, 5);
        TensorModels.ScaledSoftmaxGradient(xs, 1.7, weights, dx, out var dtemperature);
        TensorModels.ScaledSoftmaxPushforward(xs, 1.7, weights, dxs, -0.6, out var softmaxTangent);
        AssertClose(Dot(new[] { dx }, new[] { dxs }) + (dtemperature * -0.6), softmaxTangent, 1e-10);
    }

    [Fact]
    public void ATensorValuedMethodWritesItsTangentIntoDResult()
    {
        var random = new Random(15);
        var (w1, b1, w2, b2, x) = (Uniform(random, 4, 6), Uniform(random, 6), Uniform(random, 6, 3), Uniform(random, 3), Uniform(random, 5, 4));
        var parameters = new[] { w1, b1, w2, b2 };
        var direction = parameters.Select(p => Uniform(random, p.Shape.ToArray())).ToArray();
        var tangent = DTensor.Zeros<double>(5, 3);

        var logits = CompositionModels.LogitsPushforward(w1, b1, w2, b2, x, direction[0], direction[1], direction[2], direction[3], tangent);

        Assert.Equal(CompositionModels.Logits(w1, b1, w2, b2, x).ToArray(), logits.ToArray());
        for (var i = 0; i < 15; i++)
        {
            var element = i;
            AssertClose(Along(parameters, direction, () => CompositionModels.Logits(w1, b1, w2, b2, x).ToArray()[element]), tangent.ToArray()[i], 1e-7);
        }

        var wrong = DTensor.Zeros<double>(3, 5);
        var error = Assert.Throws<ArgumentException>(() => CompositionModels.LogitsPushforward(w1, b1, w2, b2, x, null, null, null, null, wrong));
        Assert.Contains("LogitsPushforward: dResult has shape [3, 5], but the result has [5, 3]", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The Elman network: tensor tangents carried through a loop of time steps beside the hidden state.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(12)]
    public void RecurrentNetworkPushforwardCarriesTangentsThroughTime(int steps)
    {
        var (p, d, h0, inputs, targets) = RecurrentProblem(new Random(100 + steps), steps);
        const int batch = RecurrentBatch;
        var g = p.Select(x => DTensor.Zeros<double>(x.Shape.ToArray())).ToArray();
        TensorModels.RnnGradient(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch, g[0], g[1], g[2], g[3], g[4], g[5]);

        var value = TensorModels.RnnPushforward(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch, d[0], d[1], d[2], d[3], d[4], d[5], out var tangent);

        Assert.Equal(TensorModels.Rnn(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch), value, 12);
        AssertClose(Dot(g, d), tangent, 1e-10);
        AssertClose(Along(p, d, () => TensorModels.Rnn(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch)), tangent, 1e-7);
    }

    /// <summary>
    /// The Elman network that hands its last hidden state on (<c>hLast.CopyFrom(h)</c>, as samples/RecurrentLM does): the
    /// pushforward runs the copy as the method does, and its tangent is the gradient's along the direction.
    /// </summary>
    [Fact]
    public void AVoidCallCopyingTheStateOutRunsInThePushforward()
    {
        var (p, d, h0, inputs, targets) = RecurrentProblem(new Random(140), steps: 3);
        const int batch = RecurrentBatch;
        var g = p.Select(x => DTensor.Zeros<double>(x.Shape.ToArray())).ToArray();
        var expectedLast = DTensor.Zeros<double>(h0.Shape.ToArray());
        var expected = TensorModels.RnnHandingOn(p[0], p[1], p[2], p[3], p[4], p[5], h0, expectedLast, inputs, targets, batch);
        TensorModels.RnnHandingOnGradient(p[0], p[1], p[2], p[3], p[4], p[5], h0, DTensor.Zeros<double>(h0.Shape.ToArray()), inputs, targets, batch, g[0], g[1], g[2], g[3], g[4], g[5]);

        var hLast = DTensor.Zeros<double>(h0.Shape.ToArray());
        var value = TensorModels.RnnHandingOnPushforward(p[0], p[1], p[2], p[3], p[4], p[5], h0, hLast, inputs, targets, batch, d[0], d[1], d[2], d[3], d[4], d[5], out var tangent);

        Assert.Equal(expected, value, 12);
        Assert.Equal(expectedLast.ToArray(), hLast.ToArray());
        Assert.NotEqual(0.0, hLast.ToArray().Sum(Math.Abs));
        AssertClose(Dot(g, d), tangent, 1e-10);
        AssertClose(Along(p, d, () => TensorModels.RnnHandingOn(p[0], p[1], p[2], p[3], p[4], p[5], h0, DTensor.Zeros<double>(h0.Shape.ToArray()), inputs, targets, batch)), tangent, 1e-7);
    }

    /// <summary>
    /// The Elman network's pushforward computes into buffers reused from call to call, the hidden state and its tangent
    /// (which one time step hands to the next) into two used in turn: once warm it allocates nothing, and a call gives
    /// the same numbers as the first.
    /// </summary>
    [Fact]
    public void RecurrentNetworkPushforwardAllocatesNothingOnceWarm()
    {
        var (p, d, h0, inputs, targets) = RecurrentProblem(new Random(300), steps: 6);
        const int batch = RecurrentBatch;

        var first = Step();
        Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(first, Step());

        (double Value, double Tangent) Step() =>
            (TensorModels.RnnPushforward(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch, d[0], d[1], d[2], d[3], d[4], d[5], out var tangent), tangent);
    }

    private const int RecurrentBatch = 2;

    /// <summary>The Elman network's parameters, a direction, its initial state and token ids for <paramref name="steps"/> steps.</summary>
    private static (DTensor<double>[] Parameters, DTensor<double>[] Direction, DTensor<double> H0, int[] Inputs, int[] Targets) RecurrentProblem(Random random, int steps)
    {
        const int vocabulary = 5, embedding = 3, hidden = 4;
        var shapes = new[] { new[] { vocabulary, embedding }, new[] { embedding, hidden }, new[] { hidden, hidden }, new[] { hidden }, new[] { hidden, vocabulary }, new[] { vocabulary } };
        var p = shapes.Select(s => Uniform(random, s)).ToArray();
        var d = shapes.Select(s => Uniform(random, s)).ToArray();
        var h0 = Uniform(random, RecurrentBatch, hidden);
        var inputs = Enumerable.Range(0, steps * RecurrentBatch).Select(_ => random.Next(vocabulary)).ToArray();
        var targets = Enumerable.Range(0, steps * RecurrentBatch).Select(_ => random.Next(vocabulary)).ToArray();
        return (p, d, h0, inputs, targets);
    }

    /// <summary>
    /// Causal multi-head attention (MatMul, 4-D Reshape, SwapAxes, BatchMatMul with a transposed operand, a scalar
    /// Multiply, CausalSoftmax): the generated pushforward is the generated gradient along the direction.
    /// </summary>
    [Theory]
    [InlineData(2, 4, 2, 6)]
    [InlineData(1, 1, 1, 3)]
    public void AttentionPushforwardIsTheGradientAlongTheDirection(int batch, int time, int heads, int model)
    {
        var random = new Random(15);
        var (x, wq, wk, wv, weights) = (Uniform(random, batch * time, model), Uniform(random, model, model), Uniform(random, model, model), Uniform(random, model, model), Uniform(random, batch * time, model));
        CheckModel(
            random,
            [x, wq, wk, wv],
            () => TransformerOpModels.Attention(x, wq, wk, wv, weights, batch, time, heads),
            g => TransformerOpModels.AttentionGradient(x, wq, wk, wv, weights, batch, time, heads, g[0], g[1], g[2], g[3]),
            d => (TransformerOpModels.AttentionPushforward(x, wq, wk, wv, weights, batch, time, heads, d[0], d[1], d[2], d[3], out var tangent), tangent));
    }

    /// <summary>LayerNorm then Gelu, then a standardization written with keepAxis reductions and broadcasting.</summary>
    [Fact]
    public void LayerNormAndStandardizationPushForward()
    {
        var random = new Random(16);
        var (x, gamma, beta, weights) = (Uniform(random, 5, 4), Uniform(random, 4), Uniform(random, 4), Uniform(random, 5, 4));
        CheckModel(
            random,
            [x, gamma, beta],
            () => TransformerOpModels.LayerNormGelu(x, gamma, beta, weights),
            g => TransformerOpModels.LayerNormGeluGradient(x, gamma, beta, weights, g[0], g[1], g[2]),
            d => (TransformerOpModels.LayerNormGeluPushforward(x, gamma, beta, weights, d[0], d[1], d[2], out var tangent), tangent));
        CheckModel(
            random,
            [x, gamma, beta],
            () => TransformerOpModels.Standardize(x, gamma, beta, weights),
            g => TransformerOpModels.StandardizeGradient(x, gamma, beta, weights, g[0], g[1], g[2]),
            d => (TransformerOpModels.StandardizePushforward(x, gamma, beta, weights, d[0], d[1], d[2], out var tangent), tangent));
        CheckModel(
            random,
            [x],
            () => TransformerOpModels.RowSums(x, weights),
            g => TransformerOpModels.RowSumsGradient(x, weights, g[0]),
            d => (TransformerOpModels.RowSumsPushforward(x, weights, d[0], out var tangent), tangent));
    }

    /// <summary>Transposes, Maximum/Minimum and Slice, whose pushforwards route or move the tangent.</summary>
    [Fact]
    public void TransposesExtremesAndSlicesPushForward()
    {
        var random = new Random(17);
        var (a, b, weights) = (Uniform(random, 2, 3, 4), Uniform(random, 2, 3, 5), Uniform(random, 2, 5, 4));
        CheckModel(
            random,
            [a, b],
            () => TransformerOpModels.Transposes(a, b, weights),
            g => TransformerOpModels.TransposesGradient(a, b, weights, g[0], g[1]),
            d => (TransformerOpModels.TransposesPushforward(a, b, weights, d[0], d[1], out var tangent), tangent));
        var (p, q, w2) = (Uniform(random, 3, 4), Uniform(random, 3, 4), Uniform(random, 3, 4));
        CheckModel(
            random,
            [p, q],
            () => TransformerOpModels.Extremes(p, q, w2),
            g => TransformerOpModels.ExtremesGradient(p, q, w2, g[0], g[1]),
            d => (TransformerOpModels.ExtremesPushforward(p, q, w2, d[0], d[1], out var tangent), tangent));
        var w3 = Uniform(random, 2, 4);
        CheckModel(
            random,
            [p],
            () => TransformerOpModels.Sliced(p, 1, 2, w3),
            g => TransformerOpModels.SlicedGradient(p, 1, 2, w3, g[0]),
            d => (TransformerOpModels.SlicedPushforward(p, 1, 2, w3, d[0], out var tangent), tangent));
    }

    /// <summary>
    /// The generated pushforward returns the model's value, and its tangent is the generated gradient dotted with a
    /// random direction (1e-10 relative) and, away from kinks, central differences along it (1e-6).
    /// </summary>
    private static void CheckModel(
        Random random, DTensor<double>[] parameters, Func<double> f, Action<DTensor<double>[]> gradient, Func<DTensor<double>?[], (double Value, double Tangent)> pushforward)
    {
        var direction = parameters.Select(p => Uniform(random, p.Shape.ToArray())).ToArray();
        var gradients = parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        gradient(gradients);

        var (value, tangent) = pushforward(direction);

        Assert.Equal(f(), value);
        AssertClose(Dot(gradients, direction), tangent, 1e-10);
        AssertClose(Along(parameters, direction, f), tangent, 1e-6);
        Assert.Equal(0.0, pushforward(new DTensor<double>?[parameters.Length]).Tangent);
    }

    private static DTensor<double> Uniform(Random random, params int[] shape) => DTensor.RandomUniform(random, -0.5, 0.5, shape);

    private static DTensor<float> ToFloat(DTensor<double> t) => DTensor<float>.FromArray(t.ToArray().Select(v => (float)v).ToArray(), t.Shape.ToArray());

    private static double Dot(DTensor<double>[] a, DTensor<double>[] b) =>
        a.Zip(b).Sum(pair => pair.First.ToArray().Zip(pair.Second.ToArray()).Sum(p => p.First * p.Second));

    /// <summary>Central differences of f along the direction, moving every parameter at once.</summary>
    private static double Along(DTensor<double>[] parameters, DTensor<double>[] direction, Func<double> f, double step = 1e-6)
    {
        void Move(double h)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                var values = parameters[i].ToArray();
                var d = direction[i].ToArray();
                for (var j = 0; j < values.Length; j++)
                {
                    parameters[i][j] = values[j] + (h * d[j]);
                }
            }
        }

        Move(step);
        var plus = f();
        Move(-2 * step);
        var minus = f();
        Move(step);
        return (plus - minus) / (2 * step);
    }

    private static void AssertClose(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
}
