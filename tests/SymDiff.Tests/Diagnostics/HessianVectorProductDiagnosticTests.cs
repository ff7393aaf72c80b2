using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Diagnostics;

/// <summary>What second order (Hessian-vector products) reports: pullback-tangent rules that do not fit (SD0019).</summary>
public sealed class HessianVectorProductDiagnosticTests
{
    private const string Softplus = """
        using System;
        using SymDiff;

        public static partial class C
        {
            public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

            [PullbackOf(nameof(Softplus))]
            static void SoftplusPullback(double x, double dResult, ref double dx) => dx += dResult / (1 + Math.Exp(-x));

        """;

    [Fact]
    public void APullbackTangentRuleThatDoesNotFitIsAnErrorAtTheRuleWithTheSignatureThatWould()
    {
        var source = Softplus + """
                [PullbackTangentOf(nameof(Softplus))]
                static void SoftplusPullbackTangent(double x, double dResult, double vx, ref double vdx) => vdx += vx;
            }
            """;
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("SD0019", diagnostic.Id);
        var message = diagnostic.GetMessage();
        Assert.Contains("it needs 'double vdResult', the tangent of dResult, but has 'vdx'", message, StringComparison.Ordinal);
        Assert.Contains(
            "static void SoftplusPullbackTangent(double x, double result, double dResult, double vx, double vresult, double vdResult, ref double vdx)",
            message,
            StringComparison.Ordinal);
        Assert.Equal("SoftplusPullbackTangent", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Fact]
    public void AnOutputPassedByValueIsNamedInTheMessage()
    {
        var source = Softplus + """
                [PullbackTangentOf(nameof(Softplus))]
                static void SoftplusPullbackTangent(double x, double dResult, double vx, double vdResult, double vdx) { }
            }
            """;
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("SD0019", diagnostic.Id);
        Assert.Contains("parameter 'vdx' must be 'ref double vdx'", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void AFittingPullbackTangentRuleIsNotReported()
    {
        var source = Softplus + """
                [PullbackTangentOf(nameof(Softplus))]
                static void SoftplusPullbackTangent(double x, double dResult, double vx, double vdResult, ref double vdx)
                {
                    var s = 1 / (1 + Math.Exp(-x));
                    vdx += (vdResult * s) + (dResult * s * (1 - s) * vx);
                }
            }
            """;
        Assert.Empty(GeneratorHarness.Run(source).GeneratorDiagnostics);
    }
}
