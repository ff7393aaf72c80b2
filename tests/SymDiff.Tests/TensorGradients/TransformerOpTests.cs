using SymDiff.CompilerServices;

namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// The ops a Transformer needs, each through a generated gradient, against central finite differences in double,
/// on ordinary and edge shapes (one row, one column, and length 0 where an op allows it).
/// </summary>
public sealed class TransformerOpTests
{
    private static DTensor<double> Random(int seed, params int[] shape) => DTensor.RandomUniform(new Random(seed), -1.0, 1.0, shape);

    private static DTensor<double>[] Zeros(params DTensor<double>[] like) => like.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();

    private static void AssertMatches(Func<double> loss, DTensor<double>[] inputs, DTensor<double>[] gradients)
    {
        var check = GradientCheck.Run(loss, inputs, gradients);
        Assert.True(check.Passed, check.ToString());
        Assert.Equal(inputs.Sum(p => p.Length), check.CheckedElements);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(1, 5)]
    [InlineData(4, 1)]
    [InlineData(4, 4)] // square: the per-row mean ([4, 1]) and the per-column scale ([4]) must not be confused
    public void BroadcastingStandardizationMatchesFiniteDifferences(int rows, int columns)
    {
        var (x, scale, shift, weights) = (Random(1, rows, columns), Random(2, columns), Random(3, columns), Random(4, rows, columns));
        var g = Zeros(x, scale, shift);
        var loss = TransformerOpModels.StandardizeGradient(x, scale, shift, weights, g[0], g[1], g[2]);
        Assert.Equal(TransformerOpModels.Standardize(x, scale, shift, weights), loss, 12);
        AssertMatches(() => TransformerOpModels.Standardize(x, scale, shift, weights), [x, scale, shift], g);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(1, 1)]
    [InlineData(2, 0)]
    [InlineData(0, 3)]
    public void AReductionThatKeepsItsAxisBroadcastsBack(int rows, int columns)
    {
        var (x, weights) = (Random(5, rows, columns), Random(6, rows, columns));
        Assert.Equal([rows, 1], DTensor.SumLastAxis(x, true).Shape.ToArray());
        var g = Zeros(x);
        TransformerOpModels.RowSumsGradient(x, weights, g[0]);
        AssertMatches(() => TransformerOpModels.RowSums(x, weights), [x], g);
    }

    [Fact]
    public void BroadcastingFollowsNumPyForTheSecondOperand()
    {
        var a = DTensor<double>.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new[] { 0.0, 1, 2, 2, 3, 4 }, DTensor.Subtract(a, DTensor<double>.FromArray(new[] { 1.0, 2 }, 2, 1)).ToArray());
        Assert.Equal(new[] { 10.0, 40, 90, 40, 100, 180 }, DTensor.Multiply(a, DTensor<double>.FromArray(new[] { 10.0, 20, 30 }, 3)).ToArray());
        Assert.Equal(new[] { 2.0, 3, 4, 5, 6, 7 }, DTensor.Subtract(a, DTensor<double>.FromArray(new[] { -1.0 }, 1, 1)).ToArray());
        var error = Assert.Throws<ArgumentException>(() => DTensor.Divide(a, DTensor.Zeros<double>(2)));
        Assert.StartsWith("Divide: shapes [2, 3] and [2] do not broadcast", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DTensor.Subtract(DTensor.Zeros<double>(3), a)); // only the second operand broadcasts
        Assert.Equal(new[] { 11.0, 22, 33, 14, 25, 36 }, DTensor.Add(a, DTensor<double>.FromArray(new[] { 10.0, 20, 30 }, 3)).ToArray());
        var add = Assert.Throws<ArgumentException>(() => DTensor.Add(a, DTensor.Zeros<double>(2)));
        Assert.StartsWith("Add: shapes [2, 3] and [2] do not broadcast", add.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(1, 3)]
    [InlineData(3, 1)]
    public void LayerNormAndGeluMatchFiniteDifferences(int rows, int columns)
    {
        var (x, gamma, beta, weights) = (Random(7, rows, columns), Random(8, columns), Random(9, columns), Random(10, rows, columns));
        var g = Zeros(x, gamma, beta);
        TransformerOpModels.LayerNormGeluGradient(x, gamma, beta, weights, g[0], g[1], g[2]);
        AssertMatches(() => TransformerOpModels.LayerNormGelu(x, gamma, beta, weights), [x, gamma, beta], g);
    }

    [Fact]
    public void LayerNormNormalizesEachRow()
    {
        var y = DTensor.LayerNorm(Random(11, 3, 8), DTensor.Full(1.0, 8), DTensor.Zeros<double>(8));
        for (var row = 0; row < 3; row++)
        {
            var values = y.Span.Slice(row * 8, 8).ToArray();
            Assert.Equal(0, values.Average(), 12);
            Assert.Equal(1, values.Select(v => v * v).Average(), 3); // ε = 1e-5 keeps it just under 1
        }

        var error = Assert.Throws<ArgumentException>(() => DTensor.LayerNorm(Random(11, 3, 8), DTensor.Zeros<double>(7), DTensor.Zeros<double>(8)));
        Assert.Equal("LayerNorm: gamma [7] must be a vector as long as the last dimension of [3, 8].", error.Message);
    }

    [Fact]
    public void GeluMatchesItsFormula()
    {
        var x = DTensor<double>.FromArray(new[] { -3.0, -0.5, 0, 0.5, 3 }, 5);
        var y = DTensor.Gelu(x);
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            Assert.Equal(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v)))), y[i], 14);
        }
    }

    [Theory]
    [InlineData(2, 4, 2, 6)]
    [InlineData(1, 1, 1, 3)]
    [InlineData(1, 5, 3, 3)]
    public void MultiHeadCausalAttentionMatchesFiniteDifferences(int batch, int time, int heads, int model)
    {
        var x = Random(12, batch * time, model);
        var (wq, wk, wv) = (Random(13, model, model), Random(14, model, model), Random(15, model, model));
        var weights = Random(16, batch * time, model);
        var g = Zeros(wq, wk, wv, x);
        TransformerOpModels.AttentionGradient(x, wq, wk, wv, weights, batch, time, heads, g[3], g[0], g[1], g[2]);
        AssertMatches(() => TransformerOpModels.Attention(x, wq, wk, wv, weights, batch, time, heads), [wq, wk, wv, x], g);
    }

    [Fact]
    public void CausalSoftmaxAttendsToEarlierPositionsOnly()
    {
        var y = DTensor.CausalSoftmax(Random(17, 2, 3, 3));
        for (var m = 0; m < 2; m++)
        {
            for (var i = 0; i < 3; i++)
            {
                var row = y.Span.Slice((m * 9) + (i * 3), 3).ToArray();
                Assert.Equal(1, row.Sum(), 12);
                Assert.All(row.Skip(i + 1), v => Assert.Equal(0.0, v));
                Assert.All(row.Take(i + 1), v => Assert.True(v > 0));
            }
        }
    }

    [Theory]
    [InlineData(2, 3, 4, 5)]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 1, 4, 2)]
    public void TransposeAndBatchedProductMatchFiniteDifferences(int batch, int k, int m, int n)
    {
        var (a, b, weights) = (Random(18, batch, k, m), Random(19, batch, k, n), Random(20, batch, n, m));
        var g = Zeros(a, b);
        TransformerOpModels.TransposesGradient(a, b, weights, g[0], g[1]);
        AssertMatches(() => TransformerOpModels.Transposes(a, b, weights), [a, b], g);
    }

    [Fact]
    public void SwapAxesSwapsAnyTwoAxesAndTransposeTheLastTwo()
    {
        var x = DTensor<double>.FromArray(Enumerable.Range(0, 24).Select(i => (double)i).ToArray(), 2, 3, 4);
        var y = DTensor.SwapAxes(x, 0, -1);
        Assert.Equal([4, 3, 2], y.Shape.ToArray());
        Assert.Equal(x[(1 * 12) + (2 * 4) + 3], y[(3 * 6) + (2 * 2) + 1]);
        Assert.Equal(x.ToArray(), DTensor.SwapAxes(x, 1, -2).ToArray()); // an axis with itself: a copy
        Assert.Throws<ArgumentOutOfRangeException>(() => DTensor.SwapAxes(x, 0, 3));
        Assert.Equal([3, 2], DTensor.Transpose(DTensor.Zeros<double>(2, 3)).Shape.ToArray());
        Assert.Equal([0, 2], DTensor.Transpose(DTensor.Zeros<double>(2, 0)).Shape.ToArray());
        var error = Assert.Throws<ArgumentException>(() => DTensor.Transpose(DTensor.Zeros<double>(3)));
        Assert.Equal("Transpose: x must have rank 2 or more, but has shape [3].", error.Message);
    }

    [Fact]
    public void BatchMatMulNamesBothShapesWhenTheyDoNotChain()
    {
        var error = Assert.Throws<ArgumentException>(() => DTensor.BatchMatMul(DTensor.Zeros<double>(2, 3, 4), DTensor.Zeros<double>(2, 5, 6)));
        Assert.Equal("BatchMatMul: shapes [2, 3, 4] and [2, 5, 6] do not chain (4 ≠ 5).", error.Message);
        error = Assert.Throws<ArgumentException>(() => DTensor.BatchMatMul(DTensor.Zeros<double>(2, 3, 4), DTensor.Zeros<double>(3, 4, 6)));
        Assert.StartsWith("BatchMatMul: shapes [2, 3, 4] and [3, 4, 6] differ in their leading", error.Message, StringComparison.Ordinal);
        Assert.Equal([2, 0, 6], DTensor.BatchMatMul(DTensor.Zeros<double>(2, 0, 4), DTensor.Zeros<double>(2, 4, 6)).Shape.ToArray());
    }

    [Fact]
    public void ReshapeToAnyRankMatchesFiniteDifferences()
    {
        var (x, weights) = (Random(21, 4, 6), Random(22, 24));
        var g = Zeros(x);
        int[] shape = [2, 2, 3, 2];
        TransformerOpModels.ReshapeAnyGradient(x, shape, weights, g[0]);
        AssertMatches(() => TransformerOpModels.ReshapeAny(x, shape, weights), [x], g);
        Assert.Equal([1, 2, 1, 3, 4], DTensor.Reshape(x, [1, 2, 1, 3, -1]).Shape.ToArray());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public void L1AndHuberLossesMatchFiniteDifferences(int length)
    {
        var (x, y) = (DTensor.RandomUniform(new Random(23), -2.0, 2.0, length), Random(24, length));
        var g = Zeros(x);
        TransformerOpModels.L1Gradient(x, y, g[0]);
        AssertMatches(() => TransformerOpModels.L1(x, y), [x], g);

        g = Zeros(x);
        TransformerOpModels.HuberGradient(x, y, 0.7, g[0], out var dDelta);
        AssertMatches(() => TransformerOpModels.Huber(x, y, 0.7), [x], g);
        var h = 1e-6;
        Assert.Equal((TransformerOpModels.Huber(x, y, 0.7 + h) - TransformerOpModels.Huber(x, y, 0.7 - h)) / (2 * h), dDelta, 6);
    }

    [Fact]
    public void ClampPowMaximumAndMinimumMatchFiniteDifferences()
    {
        var random = new Random(25);
        var x = DTensor.RandomUniform(random, -2.0, 2.0, 3, 4);
        var weights = Random(26, 3, 4);
        var g = Zeros(x);
        TransformerOpModels.ClampedGradient(x, -0.5, 0.8, weights, g[0], out var dlo, out var dhi);
        AssertMatches(() => TransformerOpModels.Clamped(x, -0.5, 0.8, weights), [x], g);
        var h = 1e-6;
        Assert.Equal((TransformerOpModels.Clamped(x, -0.5 + h, 0.8, weights) - TransformerOpModels.Clamped(x, -0.5 - h, 0.8, weights)) / (2 * h), dlo, 6);
        Assert.Equal((TransformerOpModels.Clamped(x, -0.5, 0.8 + h, weights) - TransformerOpModels.Clamped(x, -0.5, 0.8 - h, weights)) / (2 * h), dhi, 6);
        Assert.Throws<ArgumentException>(() => DTensor.Clamp(x, 1.0, -1.0));

        var positive = DTensor.RandomUniform(random, 0.5, 2.0, 3, 4);
        g = Zeros(positive);
        TransformerOpModels.PowerGradient(positive, 1.7, weights, g[0], out var dp);
        AssertMatches(() => TransformerOpModels.Power(positive, 1.7, weights), [positive], g);
        Assert.Equal((TransformerOpModels.Power(positive, 1.7 + h, weights) - TransformerOpModels.Power(positive, 1.7 - h, weights)) / (2 * h), dp, 6);

        var (a, b) = (Random(27, 1, 7), Random(28, 1, 7));
        g = Zeros(a, b);
        TransformerOpModels.ExtremesGradient(a, b, Random(29, 1, 7), g[0], g[1]);
        var w = Random(29, 1, 7);
        AssertMatches(() => TransformerOpModels.Extremes(a, b, w), [a, b], g);
    }

    [Fact]
    public void AbsHasSlopeZeroAtZeroAndPassesANaNOn()
    {
        var x = DTensor<double>.FromArray(new[] { -2.0, 0, 3, double.NaN }, 4);
        var dx = DTensor.Zeros<double>(4);
        DTensorRules.AbsPullback(x, DTensor.Full(1.0, 4), dx);
        Assert.Equal(new[] { -1.0, 0, 1 }, dx.ToArray()[..3]);
        Assert.True(double.IsNaN(dx[3]));
    }

    [Fact]
    public void EmptyTensorsPassThroughTheNewOps()
    {
        var empty = DTensor.Zeros<double>(0, 4);
        var g = Zeros(empty, DTensor.Zeros<double>(4), DTensor.Zeros<double>(4));
        var loss = TransformerOpModels.LayerNormGeluGradient(empty, DTensor.Full(1.0, 4), DTensor.Zeros<double>(4), empty, g[0], g[1], g[2]);
        Assert.Equal(0.0, loss);
        Assert.All(g[1].ToArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(0.0, TransformerOpModels.L1(DTensor.Zeros<double>(0), DTensor.Zeros<double>(0)) is var mean && double.IsNaN(mean) ? 0.0 : mean);
        Assert.Equal([0, 4], DTensor.CausalSoftmax(empty).Shape.ToArray());
        Assert.Equal([4, 0], DTensor.Transpose(empty).Shape.ToArray());
        Assert.Equal([0, 4], DTensor.Abs(DTensor.Pow(DTensor.Clamp(empty, -1.0, 1.0), 2.0)).Shape.ToArray());
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(1, 1)]
    public void WeightsStackedAlongAFirstAxisAreSelectedInALoop(int layers, int width)
    {
        var (x, w, b) = (Random(30, 2, width), Random(31, layers, width, width), Random(32, layers, width));
        var g = Zeros(x, w, b);
        TransformerOpModels.StackedLayersGradient(x, w, b, layers, g[0], g[1], g[2]);
        AssertMatches(() => TransformerOpModels.StackedLayers(x, w, b, layers), [x, w, b], g);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    public void StatesCollectedWithSetRowInALoopMatchFiniteDifferences(int steps)
    {
        var (x, u, h0) = (Random(33, steps, 2, 3), Random(34, 3, 3), Random(35, 2, 3));
        var (states, weights) = (DTensor.Zeros<double>(steps, 2, 3), Random(36, steps, 2, 3));
        var g = Zeros(x, u, h0);
        var loss = TransformerOpModels.CollectedStatesGradient(x, u, h0, states, weights, steps, g[0], g[1], g[2]);
        Assert.Equal(TransformerOpModels.CollectedStates(x, u, h0, states, weights, steps), loss, 12);
        Assert.All(states.ToArray(), v => Assert.Equal(0.0, v)); // SetRow copies: the tensor it started from is unchanged
        AssertMatches(() => TransformerOpModels.CollectedStates(x, u, h0, states, weights, steps), [x, u, h0], g);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(0, 4)]
    [InlineData(3, 1)]
    [InlineData(2, 0)]
    public void SlicesAlongTheFirstAxisMatchFiniteDifferences(int start, int count)
    {
        var (x, weights) = (Random(37, 4, 3), Random(38, count, 3));
        var g = Zeros(x);
        TransformerOpModels.SlicedGradient(x, start, count, weights, g[0]);
        AssertMatches(() => TransformerOpModels.Sliced(x, start, count, weights), [x], g);
        Assert.Equal(0.0, g[0][0 * 3] * (start > 0 ? 1 : 0)); // entries before the slice get no gradient
    }

    [Fact]
    public void SelectAndSliceAreViewsAndNameTheRangeWhenOutside()
    {
        var x = Random(39, 4, 3);
        var row = DTensor.Select(x, 2);
        row[1] = 42;
        Assert.Equal(42.0, x[2, 1]);
        Assert.Equal([2, 3], DTensor.Slice(x, 1, 2).Shape.ToArray());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DTensor.Slice(x, 3, 2));
        Assert.StartsWith("Slice: entries [3, 5) are outside the first axis of [4, 3].", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => DTensor.Select(x, -1));
        var mismatch = Assert.Throws<ArgumentException>(() => DTensor.SetRow(x, 0, DTensor.Zeros<double>(4)));
        Assert.Equal("SetRow: the row [4] is not an entry of [4, 3].", mismatch.Message);
    }
}
