using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Gradients;

/// <summary>Generated gradients and pullbacks of <see cref="Functions"/>, checked against finite differences and hand derivations.</summary>
public sealed class GradientTests
{
    public static TheoryData<string> CaseNames => new(GradientCases.All.Keys.OrderBy(k => k, StringComparer.Ordinal));

    public static TheoryData<string> AnalyticCaseNames =>
        new(GradientCases.All.Values.Where(c => c.Analytic is not null).Select(c => c.Name).OrderBy(k => k, StringComparer.Ordinal));

    [Fact]
    public void CoversAtLeastThirtyFunctions() => Assert.True(GradientCases.All.Count >= 30, $"{GradientCases.All.Count} cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GradientMatchesCentralFiniteDifferences(string name)
    {
        var @case = GradientCases.All[name];
        foreach (var point in @case.Points)
        {
            var (_, gradient) = @case.Gradient(point);
            var numeric = FiniteDifferences.Gradient(@case.Function, point, @case.FiniteDifferenceStep);
            var differentiated = @case.Differentiated ?? Enumerable.Range(0, point.Length).ToArray();
            FiniteDifferences.AssertClose(differentiated.Select(i => numeric[i]).ToArray(), gradient, @case.FiniteDifferenceTolerance, $"{name} at ({string.Join(", ", point)})");
        }
    }

    [Theory]
    [MemberData(nameof(AnalyticCaseNames))]
    public void GradientMatchesHandDerivation(string name)
    {
        var @case = GradientCases.All[name];
        foreach (var point in @case.Points)
        {
            var (_, gradient) = @case.Gradient(point);
            FiniteDifferences.AssertClose(@case.Analytic!(point), gradient, 1e-12, $"{name} at ({string.Join(", ", point)})");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GradientReturnsTheFunctionValue(string name)
    {
        var @case = GradientCases.All[name];
        foreach (var point in @case.Points)
        {
            Assert.Equal(@case.Function(point), @case.Gradient(point).Value);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void PullbackAccumulatesScaledGradient(string name)
    {
        var @case = GradientCases.All[name];
        foreach (var point in @case.Points)
        {
            var (_, gradient) = @case.Gradient(point);
            var accumulators = gradient.Select((_, i) => 0.25 * (i + 1)).ToArray();
            var start = (double[])accumulators.Clone();
            @case.Pullback(point, 2.0, accumulators);
            @case.Pullback(point, -0.5, accumulators);
            var expected = start.Select((s, i) => s + (1.5 * gradient[i])).ToArray();
            FiniteDifferences.AssertClose(expected, accumulators, 1e-12, name);
        }
    }

    [Fact]
    public void ACalleesNoDiffParameterStaysConstantWhenHandedAnActiveValue()
    {
        // NoDiffScale(a, a) = a · a · a, but the callee treats its second parameter as a constant: d/da = 2a², not 3a².
        foreach (var a in new[] { 0.7, -1.3, 2.0 })
        {
            Assert.Equal(a * a * a, Functions.ThroughNoDiffGradient(a, out var da), 12);
            Assert.Equal(2 * a * a, da, 12);
        }
    }

    [Fact]
    public void GradientOfTheTanhNetworkIsTheTextbookDerivation()
    {
        // dL/dw2 = -(y - o)(1 - o²)h, exactly as in the derivation by hand.
        const double w1 = 0.5, w2 = -0.3, x = 1.0, y = 0.2;
        Functions.TanhNetworkGradient(w1, w2, x, y, out _, out var dw2);
        var h = Math.Tanh(w1 * x);
        var o = Math.Tanh(w2 * h);
        Assert.Equal(-(y - o) * (1 - (o * o)) * h, dw2, 15);
    }

    [Fact]
    public void FloatTanhNetworkMatchesTheDoubleVersion()
    {
        foreach (var (w1, w2, x, y) in new[] { (0.5f, -0.3f, 1.0f, 0.2f), (1.5f, 0.8f, -0.7f, -0.4f) })
        {
            var value = Functions.FloatTanhNetworkGradient(w1, w2, x, y, out var dw1, out var dw2);
            var expectedValue = Functions.TanhNetworkGradient(w1, w2, x, y, out var ew1, out var ew2);
            Assert.Equal(expectedValue, value, 6);
            FiniteDifferences.AssertClose(new[] { ew1, ew2 }, new double[] { dw1, dw2 }, 1e-5);
        }
    }

    [Fact]
    public void FloatMathMatchesHandDerivation()
    {
        foreach (var (a, b) in new[] { (0.7f, 1.3f), (1.9f, 0.4f) })
        {
            Functions.FloatMathGradient(a, b, out var da, out var db);
            double x = a, y = b;
            var maxToA = x >= y ? 1.0 : 0.0;
            var expectedA = (0.5 * Math.Exp(x * 0.5)) + Math.Sign(x - y) + maxToA + (Math.Pow(y, x) * Math.Log(y));
            var expectedB = (0.5 / Math.Sqrt(y)) - Math.Sign(x - y) + (1 - maxToA) + (1 / y) + (x * Math.Pow(y, x - 1));
            FiniteDifferences.AssertClose(new[] { expectedA, expectedB }, new double[] { da, db }, 1e-5);
        }
    }

    [Fact]
    public void FloatLogWithBaseMatchesHandDerivation()
    {
        foreach (var (a, b) in new[] { (0.7f, 1.3f), (1.9f, 0.4f) })
        {
            Functions.LogWithBaseFGradient(a, b, out var da, out var db);
            double x = a, y = b;
            var expectedA = Math.Asinh(y) / (x * Math.Log(y));
            var expectedB = (-Math.Log(x) / (y * Math.Log(y) * Math.Log(y)) * Math.Asinh(y)) + (Math.Log(x, y) / Math.Sqrt((y * y) + 1));
            FiniteDifferences.AssertClose(new[] { expectedA, expectedB }, new double[] { da, db }, 1e-5);
        }
    }

    [Fact]
    public void FloatBranchesMatchHandDerivation()
    {
        foreach (var (a, b) in new[] { (0.5f, 0.9f), (2.0f, 1.5f), (-0.5f, 0.9f) })
        {
            Functions.FloatBranchesGradient(a, b, out var da, out var db);
            double x = a, y = b;
            var r = x * y;
            double dr_da = y, dr_db = x;
            if (r > 1)
            {
                (dr_da, dr_db) = (Math.Cos(r) * y, Math.Cos(r) * x);
                r = Math.Sin(r);
            }

            var expected = r > 0
                ? new[] { (dr_da * x) + r, dr_db * x }
                : new[] { dr_da / y, (dr_db / y) - (r / (y * y)) };
            FiniteDifferences.AssertClose(expected, new double[] { da, db }, 1e-5);
        }
    }

    [Fact]
    public void FloatMixedWithDoubleMatchesHandDerivation()
    {
        const float a = 0.6f;
        const double b = 1.7;
        Functions.FloatWithDoubleGradient(a, b, out var da, out var db);
        var t = Math.Tanh(a);
        FiniteDifferences.AssertClose(new[] { ((1 - (t * t)) * b * a) + (float)(t * b) }, new double[] { da }, 1e-5);
        FiniteDifferences.AssertClose(new[] { t * a }, new[] { db }, 1e-6);
    }

    [Fact]
    public void FloatDivideRemainderMatchesHandDerivation()
    {
        const float a = 7.5f, b = 2.0f;
        Functions.FloatDivideRemainderGradient(a, b, out var da, out var db);
        FiniteDifferences.AssertClose(new[] { (1 / 2.0) + 1, (-7.5 / 4.0) - Math.Truncate(7.5 / 2.0) }, new double[] { da, db }, 1e-6);
    }

    [Fact]
    public void GuardedFunctionStillValidatesInItsGradient()
    {
        var exception = Assert.Throws<ArgumentException>(() => Functions.GuardedGradient(1, 0, out _, out _));
        Assert.Equal("b", exception.ParamName);
    }
}
