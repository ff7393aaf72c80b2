namespace SymDiff.Tests.TensorGradients;

/// <summary>Element reads of a differentiated tensor, and values that pass through other types and come back.</summary>
public static partial class Detours
{
    [Differentiable]
    public static double Element(DTensor<double> w) => (w[0] * w[0]) + DTensor.Sum(w);

    [Differentiable]
    public static double MatrixElements(DTensor<double> w) => (w[1, 2] * w[0, 0]) + DTensor.Sum(DTensor.Tanh(w));

    [Differentiable]
    public static double WeightedSquares(DTensor<double> w, int n)
    {
        var s = 0.0;
        for (var i = 0; i < n; i++)
        {
            s += w[i] * w[i] * i;
        }

        return s;
    }

    /// <summary>The largest element: its index is a choice (as a branch is), the gradient goes to that element.</summary>
    [Differentiable]
    public static double Largest(DTensor<double> w)
    {
        var best = 0;
        for (var i = 1; i < w.Length; i++)
        {
            if (w[i] > w[best])
            {
                best = i;
            }
        }

        return w[best];
    }

    [Differentiable]
    public static float Dot(DTensor<float> a, DTensor<float> b)
    {
        var s = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>An element scales a tensor op: the scalar's gradient flows back into its element.</summary>
    [Differentiable]
    public static double ElementScalesATensor(DTensor<double> w, DTensor<double> x) => DTensor.Sum(DTensor.Multiply(DTensor.Tanh(x), w[1]));

    [Differentiable]
    public static double BoxedTensor(DTensor<double> w, double a)
    {
        object o = w;
        return DTensor.Sum((DTensor<double>)o) * a;
    }

    [Differentiable]
    public static double Boxed(double a)
    {
        object o = a;
        return (double)o * a;
    }
}

public sealed class ElementReadTests
{
    [Fact]
    public void AnElementReadGetsItsGradientTheIssuesExample()
    {
        var w = DTensor<double>.FromArray(new[] { 0.5, -1.5, 2.0 }, 3);
        var dw = DTensor.Zeros<double>(3);
        var value = Detours.ElementGradient(w, dw);
        Assert.Equal(0.25 + 1.0, value, 12);
        Assert.Equal(new[] { 2.0, 1.0, 1.0 }, dw.ToArray()); // 2·w₀ + 1, then 1, 1
    }

    [Fact]
    public void MatrixElementReadsMatchFiniteDifferences()
    {
        var w = DTensor.RandomUniform(new Random(3), -1.0, 1.0, 2, 3);
        var dw = DTensor.Zeros<double>(2, 3);
        Detours.MatrixElementsGradient(w, dw);
        var check = GradientCheck.Run(() => Detours.MatrixElements(w), new[] { w }, new[] { dw });
        Assert.True(check.Passed, check.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void ElementReadsInALoopAccumulateLikeTheClosedForm(int n)
    {
        var w = DTensor.RandomUniform(new Random(n), -1.0, 1.0, 4);
        var dw = DTensor.Zeros<double>(4);
        Detours.WeightedSquaresGradient(w, n, dw);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(i < n ? 2 * i * w[i] : 0.0, dw[i], 12);
        }

        var check = GradientCheck.Run(() => Detours.WeightedSquares(w, n), new[] { w }, new[] { dw });
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void TheLargestElementTakesTheWholeGradient()
    {
        var w = DTensor<double>.FromArray(new[] { 0.1, 0.9, -0.3, 0.4 }, 4);
        var dw = DTensor.Zeros<double>(4);
        Assert.Equal(0.9, Detours.LargestGradient(w, dw));
        Assert.Equal(new[] { 0.0, 1.0, 0.0, 0.0 }, dw.ToArray());
    }

    [Fact]
    public void ADotProductOfElementsInFloatIsTheOtherVector()
    {
        var a = DTensor<float>.FromArray(new[] { 1f, 2f, 3f }, 3);
        var b = DTensor<float>.FromArray(new[] { -1f, 0.5f, 4f }, 3);
        var da = DTensor.Zeros<float>(3);
        var db = DTensor.Zeros<float>(3);
        Assert.Equal(12f, Detours.DotGradient(a, b, da, db));
        Assert.Equal(b.ToArray(), da.ToArray());
        Assert.Equal(a.ToArray(), db.ToArray());
    }

    [Fact]
    public void AnElementThatScalesATensorOpMatchesFiniteDifferences()
    {
        var random = new Random(5);
        var w = DTensor.RandomUniform(random, -1.0, 1.0, 3);
        var x = DTensor.RandomUniform(random, -1.0, 1.0, 2, 2);
        var dw = DTensor.Zeros<double>(3);
        var dx = DTensor.Zeros<double>(2, 2);
        Detours.ElementScalesATensorGradient(w, x, dw, dx);
        var check = GradientCheck.Run(() => Detours.ElementScalesATensor(w, x), new[] { w, x }, new[] { dw, dx });
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void AValueBoxedAndUnboxedKeepsItsDerivative()
    {
        Assert.Equal(9.0, Detours.BoxedGradient(3.0, out var da));
        Assert.Equal(6.0, da);
    }

    [Fact]
    public void ABoxedTensorKeepsItsDerivative()
    {
        var w = DTensor<double>.FromArray(new[] { 1.0, 2.0 }, 2);
        var dw = DTensor.Zeros<double>(2);
        Assert.Equal(6.0, Detours.BoxedTensorGradient(w, 2.0, dw, out var dt));
        Assert.Equal(3.0, dt);
        Assert.Equal(new[] { 2.0, 2.0 }, dw.ToArray());
    }

    [Fact]
    public void TheElementRuleChecksItsIndexBeforeWriting()
    {
        var dx = DTensor.Zeros<double>(2, 2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SymDiff.CompilerServices.DTensorRules.ItemPullback(4, 1.0, dx));
        Assert.Contains("ItemPullback", error.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 2]", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => SymDiff.CompilerServices.DTensorRules.ItemPullback(0, 2, 1.0, dx));
        Assert.All(dx.ToArray(), v => Assert.Equal(0.0, v));
        SymDiff.CompilerServices.DTensorRules.ItemPullback(1, 0, 1.5, dx);
        Assert.Equal(new[] { 0.0, 0.0, 1.5, 0.0 }, dx.ToArray());
    }
}
