using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Gradients and pullbacks of methods that call another file's scalar-valued [Differentiable] method
/// (<see cref="CrossFileCallers"/>): the forward sweep calls the callee's gradient once, for its value and partials, and
/// the reverse sweep adds the partials scaled; against central finite differences of the method, with no allocation
/// once warm.
/// </summary>
public sealed class CrossFileGradientTests
{
    /// <summary>Tensor and scalar arguments, a call in a branch, a result read three times: both branches, both methods.</summary>
    [Theory]
    [InlineData(0.8)]
    [InlineData(-0.6)]
    public void TwoCallsMatchFiniteDifferences(double scale)
    {
        var random = new Random(41);
        var (w1, w2, x) = (Uniform(random, 3, 4), Uniform(random, 4, 2), Uniform(random, 5, 3));
        var a = DTensor.Full(scale, 1); // the scalar parameter, as a 1-element tensor so that the checker can perturb it
        DTensor<double>[] parameters = [w1, w2, a];
        var g = Zeros(parameters);
        var value = CrossFileCallers.TwoCallsGradient(w1, w2, a[0], x, g[0], g[1], out var da);
        g[2][0] = da;

        Assert.Equal(CrossFileCallers.TwoCalls(w1, w2, a[0], x), value, 12);
        AssertMatchesFiniteDifferences(() => CrossFileCallers.TwoCalls(w1, w2, a[0], x), parameters, g);

        // The pullback: dResult times the gradient, added to what the buffers held.
        var p = Zeros(parameters);
        var dp = 0.25;
        CrossFileCallers.TwoCallsPullback(w1, w2, a[0], x, -1.5, p[0], p[1], ref dp);
        AssertScaled(g, p, -1.5, start: 0);
        Assert.Equal(0.25 + (-1.5 * da), dp, 12);
    }

    /// <summary>A call in a loop whose arguments the loop carries (per-iteration partials), keeping or recomputing the loop.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACallInsideALoopMatchesFiniteDifferences(bool recomputeLoops)
    {
        var random = new Random(42);
        var (w, h0) = (Uniform(random, 3, 3), Uniform(random, 2, 3));
        var a = DTensor.Full(0.7, 1);
        DTensor<double>[] parameters = [w, h0, a];
        var g = Zeros(parameters);
        var value = CrossFileCallers.UnrolledGradient(w, h0, a[0], 4, g[0], g[1], out var da, recomputeLoops);
        g[2][0] = da;

        Assert.Equal(CrossFileCallers.Unrolled(w, h0, a[0], 4), value, 12);
        AssertMatchesFiniteDifferences(() => CrossFileCallers.Unrolled(w, h0, a[0], 4), parameters, g);

        var p = Zeros(parameters);
        var dp = 0.0;
        CrossFileCallers.UnrolledPullback(w, h0, a[0], 4, 0.5, p[0], p[1], ref dp, recomputeLoops);
        AssertScaled(g, p, 0.5, start: 0);
        Assert.Equal(0.5 * da, dp, 12);
    }

    /// <summary>Scalar arguments only, in a loop, the value read twice: the partials are taped per iteration.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScalarArgumentsInALoopMatchFiniteDifferences(bool recomputeLoops)
    {
        var parameters = new[] { DTensor.Full(0.4, 1), DTensor.Full(-0.3, 1) };
        var value = CrossFileCallers.ScalarLoopGradient(parameters[0][0], parameters[1][0], 5, out var da, out var db, recomputeLoops);

        Assert.Equal(CrossFileCallers.ScalarLoop(parameters[0][0], parameters[1][0], 5), value, 12);
        AssertMatchesFiniteDifferences(() => CrossFileCallers.ScalarLoop(parameters[0][0], parameters[1][0], 5), parameters, [DTensor.Full(da, 1), DTensor.Full(db, 1)]);
    }

    /// <summary>Scalar arguments of a call inside a branch, both ways: the partials are locals declared ahead of it.</summary>
    [Theory]
    [InlineData(0.6)]
    [InlineData(-0.4)]
    public void ScalarArgumentsInABranchMatchFiniteDifferences(double a)
    {
        var parameters = new[] { DTensor.Full(a, 1), DTensor.Full(0.7, 1) };
        var value = CrossFileCallers.InABranchGradient(parameters[0][0], parameters[1][0], out var da, out var db);

        Assert.Equal(CrossFileCallers.InABranch(parameters[0][0], parameters[1][0]), value, 12);
        AssertMatchesFiniteDifferences(() => CrossFileCallers.InABranch(parameters[0][0], parameters[1][0]), parameters, [DTensor.Full(da, 1), DTensor.Full(db, 1)]);
    }

    /// <summary>A data tensor through the callee's differentiable parameter (its partials feed nothing).</summary>
    [Fact]
    public void DataThroughTheCalleeMatchesFiniteDifferences()
    {
        var random = new Random(43);
        var (w, x) = (Uniform(random, 4, 3), Uniform(random, 3, 2));
        var a = DTensor.Full(0.9, 1);
        DTensor<double>[] parameters = [w, a];
        var g = Zeros(parameters);
        CrossFileCallers.DataThroughTheCalleeGradient(w, a[0], x, g[0], out var da);
        g[1][0] = da;
        AssertMatchesFiniteDifferences(() => CrossFileCallers.DataThroughTheCallee(w, a[0], x), parameters, g);
    }

    /// <summary>A call whose value only chooses the branch: its value alone (the callee's buffered form), both branches.</summary>
    [Theory]
    [InlineData(0.2)]
    [InlineData(3.0)]
    public void ACallTheReverseSweepDoesNotReachComputesItsValueOnly(double spread)
    {
        var random = new Random(44);
        var (w, x) = (DTensor.RandomUniform(random, -spread, spread, 3, 2), Uniform(random, 4, 3));
        var g = DTensor.Zeros<double>(3, 2);
        CrossFileCallers.OnlyChoosesGradient(w, x, g);
        AssertMatchesFiniteDifferences(() => CrossFileCallers.OnlyChooses(w, x), [w], [g]);
        Assert.Equal(0, Allocations.OnceWarm(() => CrossFileCallers.OnlyChoosesGradient(w, x, g)));
    }

    [Fact]
    public void TheGeneratedGradientCallsTheCalleeOnceAndOnlyWhereItsPartialsAreRead()
    {
        const string callee = """
            using SymDiff;

            public static partial class Energy
            {
                [Differentiable]
                public static double Of(DTensor<double> w, double scale) => DTensor.Sum(DTensor.Square(DTensor.Multiply(w, scale)));
            }
            """;
        const string caller = """
            using SymDiff;

            public static partial class Caller
            {
                [Differentiable]
                public static double Twice(DTensor<double> w, double a) => Energy.Of(w, a) * Energy.Of(w, a);

                [Differentiable]
                public static double Chooses(DTensor<double> w, double a) => Energy.Of(w, a) > 1.0 ? a * DTensor.Sum(w) : a;
            }
            """;
        var run = GeneratorHarness.Run(callee, caller);
        run.AssertNoDiagnostics();
        var twice = run.Sources.Single(f => f.Key.StartsWith("Caller.Twice", StringComparison.Ordinal)).Value;
        var gradient = Method(twice, "public static double TwiceGradient(");
        Assert.Contains("Energy.OfGradient(w, a, ", gradient, StringComparison.Ordinal);
        Assert.DoesNotContain("Energy.OfPullback", gradient, StringComparison.Ordinal);
        Assert.DoesNotContain("Energy.OfBuffered", gradient, StringComparison.Ordinal);
        Assert.Contains("Buffers.AccumulateScaled(", gradient, StringComparison.Ordinal);

        var chooses = run.Sources.Single(f => f.Key.StartsWith("Caller.Chooses", StringComparison.Ordinal)).Value;
        var choosesGradient = Method(chooses, "public static double ChoosesGradient(");
        Assert.Contains("Energy.OfBuffered(w, a)", choosesGradient, StringComparison.Ordinal);
        Assert.DoesNotContain("Energy.OfGradient", choosesGradient, StringComparison.Ordinal);
        Assert.DoesNotContain("Energy.OfPullback", choosesGradient, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmGradientsAndPullbacksAllocateNothing()
    {
        var random = new Random(45);
        var (w, h0) = (Uniform(random, 3, 3), Uniform(random, 2, 3));
        var (gw, gh) = (DTensor.Zeros<double>(3, 3), DTensor.Zeros<double>(2, 3));
        Assert.Equal(0, Allocations.OnceWarm(() => CrossFileCallers.UnrolledGradient(w, h0, 0.7, 4, gw, gh, out _, recomputeLoops: true)));
        Assert.Equal(0, Allocations.OnceWarm(() => CrossFileCallers.UnrolledGradient(w, h0, 0.7, 4, gw, gh, out _, recomputeLoops: false)));
        var da = 0.0;
        Assert.Equal(0, Allocations.OnceWarm(() => CrossFileCallers.UnrolledPullback(w, h0, 0.7, 4, 1.0, gw, null, ref da)));
        Assert.Equal(0, Allocations.OnceWarm(() => CrossFileCallers.ScalarLoopGradient(0.4, -0.3, 6, out _, out _)));
        Assert.Equal(0, Allocations.OnceWarm(() => CrossFileCallers.ScalarLoopGradient(0.4, -0.3, 6, out _, out _, recomputeLoops: true)));

        // Both calls of the same callee with arguments of the same sizes: its workspace re-shapes its buffers only in place.
        var (w1, w2, x) = (Uniform(random, 3, 3), Uniform(random, 3, 3), Uniform(random, 5, 3));
        var (g1, g2) = (DTensor.Zeros<double>(3, 3), DTensor.Zeros<double>(3, 3));
        Assert.Equal(0, Allocations.OnceWarm(() => CrossFileCallers.TwoCallsGradient(w1, w2, 0.8, x, g1, g2, out _)));
        Assert.Equal(0, Allocations.OnceWarm(() => CrossFileCallers.TwoCallsPullback(w1, w2, 0.8, x, 2.0, g1, g2, ref da)));
    }

    /// <summary>The text of one generated method, from its signature to the next member.</summary>
    private static string Method(string source, string signature)
    {
        var start = source.IndexOf(signature, StringComparison.Ordinal);
        Assert.True(start >= 0, signature + " not generated");
        var end = source.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start, StringComparison.Ordinal);
        return end < 0 ? source.Substring(start) : source.Substring(start, end - start);
    }

    private static void AssertMatchesFiniteDifferences(Func<double> value, DTensor<double>[] parameters, DTensor<double>[] gradients)
    {
        var check = GradientCheck.Run(value, parameters, gradients);
        Assert.True(check.Passed, check.ToString());
        Assert.Equal(parameters.Sum(p => p.Length), check.CheckedElements);
    }

    private static void AssertScaled(DTensor<double>[] gradients, DTensor<double>[] pulled, double scale, double start)
    {
        for (var i = 0; i < pulled.Length - 1; i++)
        {
            for (var j = 0; j < pulled[i].Length; j++)
            {
                Assert.Equal(start + (scale * gradients[i][j]), pulled[i][j], 12);
            }
        }
    }

    private static DTensor<double>[] Zeros(DTensor<double>[] parameters) => parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();

    private static DTensor<double> Uniform(Random random, params int[] shape) => DTensor.RandomUniform(random, -1.0, 1.0, shape);
}
