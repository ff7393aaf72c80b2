using Microsoft.CodeAnalysis;
using SymDiff.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Tests.Diagnostics;

/// <summary>
/// A span the reverse sweep needs from each loop iteration must be one the iteration makes (an assignment it can run
/// again), not one carried from the previous iteration or picked in a branch: a span cannot be taped. Such a method is
/// SD0001 at the span's assignment; before, its generated gradient did not compile (CS0306: a tape of spans).
/// </summary>
public sealed class LoopSpanDiagnosticTests
{
    private const string Template = """
        using System;
        using SymDiff;

        public static partial class C
        {
            [Differentiable]
            public static double F(DTensor<double> table, [NoDiff] ReadOnlySpan<int> ids)
            {
                double s = 0;
                var window = ids.Slice(0, 1);
                for (var t = 0; t < 3; t++)
                {
                    BODY
                }

                return s;
            }

            public static double Value(DTensor<double> table, int[] ids) => F(table, ids);

            public static double Gradient(DTensor<double> table, int[] ids, DTensor<double> dtable) => FGradient(table, ids, dtable);
        }
        """;

    private const string Use = "s += DTensor.Sum(DTensor.Square(DTensor.Embedding(table, window)));";

    [Theory]
    [InlineData("if (t > 0) { window = ids.Slice(t, 1); } " + Use, "window = ids.Slice(t, 1)")]
    [InlineData("if (t > 0) { window = ids.Slice(t, 1); } else { window = ids.Slice(0, 2); } " + Use, "window = ids.Slice(t, 1)")]
    [InlineData(Use + " window = ids.Slice(t, 1);", "window = ids.Slice(t, 1)")]
    [InlineData("var w = ids.Slice(0, 1); if (t > 0) { w = ids.Slice(t, 1); } s += DTensor.Sum(DTensor.Embedding(table, w));", "w = ids.Slice(t, 1)")]
    public void ASpanTheReverseSweepNeedsThatIsCarriedOrPickedInABranchIsAnErrorAtItsAssignment(string body, string at)
    {
        var run = GeneratorHarness.Run(Template.Replace("BODY", body));
        var error = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("SD0001", DiagnosticSeverity.Error), (error.Id, error.Severity));
        Assert.Equal(at, run.TextAt(error));
        Assert.Contains("that 'for (var t = 0; t < 3; t++)' carries from one iteration to the next or picks in a branch", error.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("pick the slice's start in the branch and call Slice once, unconditionally", error.GetMessage(), StringComparison.Ordinal);

        // Nothing is generated for F, so the only other error is the call to the FGradient it does not get.
        var compiler = Assert.Single(run.Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal("CS0103", compiler.Id);
        Assert.Contains("FGradient", compiler.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// What the message advises, and a branch-picked span the reverse sweep never reads (its length only): both compile,
    /// and their gradients match finite differences.
    /// </summary>
    [Theory]
    [InlineData("var start = t > 0 ? t : 0; var picked = ids.Slice(start, 1); s += DTensor.Sum(DTensor.Square(DTensor.Embedding(table, picked)));")]
    [InlineData("window = ids.Slice(t, 1); " + Use)]
    [InlineData("if (t > 1) { window = ids.Slice(0, 2); } s += window.Length * DTensor.Sum(DTensor.Square(DTensor.Embedding(table, ids.Slice(t, 1))));")]
    public void ASpanMadeInEveryIterationOrNotNeededByTheReverseSweepHasAGradient(string body)
    {
        var type = GeneratorHarness.CompileAndLoad(Template.Replace("BODY", body)).GetType("C")!;
        int[] ids = [2, 0, 3, 1];
        var values = new[] { 0.3, -1.1, 0.7, 1.9, -0.4, 0.5, 1.3, -0.8 };
        var table = DTensor<double>.FromArray((double[])values.Clone(), 4, 2);
        var gradient = DTensor.Zeros<double>(4, 2);
        var value = (double)type.GetMethod("Gradient")!.Invoke(null, [table, ids, gradient])!;

        double F(double[] x) => (double)type.GetMethod("Value")!.Invoke(null, [DTensor<double>.FromArray((double[])x.Clone(), 4, 2), ids])!;
        Assert.Equal(F(values), value, 12);
        FiniteDifferences.AssertClose(FiniteDifferences.Gradient(F, values), gradient.ToArray(), 1e-7);
    }
}
