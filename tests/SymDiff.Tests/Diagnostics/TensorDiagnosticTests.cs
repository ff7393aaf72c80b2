using Microsoft.CodeAnalysis;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Diagnostics;

/// <summary>Tensor misuse and [PullbackOf] rules that do not fit: errors at the right place, with the fix.</summary>
public sealed class TensorDiagnosticTests
{
    private const string Ops = """
        using System;
        using SymDiff;

        public static class MyOps
        {
            public static DTensor<float> Scale2(DTensor<float> x) => DTensor.Multiply(x, 2f);

            public static DTensor<float> Shift(DTensor<float> x, float s) => DTensor.Add(x, s);

            public static float Total(DTensor<float> x) => DTensor.Sum(x);
        }

        """;

    [Fact]
    public void CallWithNoRuleNamesTheCalleeAndShowsHowToDeclareOne()
    {
        var run = GeneratorHarness.Run(Ops + """
            public static partial class Model
            {
                [Differentiable]
                public static float Loss(DTensor<float> x) => DTensor.Sum(MyOps.Scale2(x));
            }
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0003", diagnostic.Id);
        Assert.Equal("MyOps.Scale2(x)", run.TextAt(diagnostic));
        Assert.Contains("'MyOps.Scale2(DTensor<float>)'", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("[PullbackOf(nameof(Scale2))]", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadRules => new()
    {
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Scale2))] public static void Rule(DTensor<float> x, DTensor<float> dResult) { }",
            "SD0014",
            "it has no gradient for the input 'x' (add 'SymDiff.DTensor<float>? dx')"
        },
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Shift))] public static void Rule(DTensor<float> x, float s, DTensor<float> result, DTensor<float> dResult, DTensor<float>? dx, float ds) { }",
            "SD0014",
            "parameter 'ds' must be 'ref float ds' (the gradient of 's')"
        },
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Shift))] public static void Rule(float s, DTensor<float> x, DTensor<float> dResult, DTensor<float>? dx, ref float ds) { }",
            "SD0014",
            "parameter 'x' comes after 's', but the inputs it reads must keep the function's order"
        },
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Scale2))] public static void Rule(DTensor<float> dResult, DTensor<float>? dy) { }",
            "SD0014",
            "parameter 'dy' stands where the gradient of 'x' goes: 'SymDiff.DTensor<float>? dx'"
        },
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Scale2))] public static void Rule(DTensor<float> y, DTensor<float> dResult, DTensor<float>? dx) { }",
            "SD0014",
            "it needs 'dResult', the gradient of the result, but has 'y'"
        },
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Scale2))] public static void Rule(DTensor<float> dResult, [SameShapeAs(\"x\")] DTensor<float>? dx) { }",
            "SD0014",
            "[SameShapeAs] on 'dx' must name a tensor parameter before it"
        },
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Scale2))] public static int Rule(DTensor<float> x, DTensor<float> result, DTensor<float> dResult, DTensor<float>? dx) => 0;",
            "SD0014",
            "it must return void"
        },
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Scale2))] public void Rule(DTensor<float> x, DTensor<float> result, DTensor<float> dResult, DTensor<float>? dx) { }",
            "SD0014",
            "it must be static"
        },
        {
            "[PullbackOf(typeof(MyOps), \"Missing\")] public static void Rule(DTensor<float> x, DTensor<float> result, DTensor<float> dResult, DTensor<float>? dx) { }",
            "SD0013",
            "'MyOps' has no method of that name"
        },
        {
            "[PullbackOf(typeof(MyOps), nameof(MyOps.Total))] public static void Rule(DTensor<float> x, DTensor<float> saved, float result, float dResult, DTensor<float>? dx) { }",
            "SD0014",
            "has no overload with a trailing 'ref SymDiff.DTensor<float>? saved'"
        },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public void RuleThatDoesNotFitIsAnErrorAtTheRule(string rule, string id, string reason)
    {
        var run = GeneratorHarness.Run(Ops + "public partial class Rules\n{\n    " + rule + "\n}\n");
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Rule", run.TextAt(diagnostic));
        Assert.Contains(reason, diagnostic.GetMessage(), StringComparison.Ordinal);
        if (id == "SD0014")
        {
            Assert.Contains("static void Rule(", diagnostic.GetMessage(), StringComparison.Ordinal); // shows the signature to write
        }
    }

    [Fact]
    public void RuleThatFitsMakesTheCallDifferentiable()
    {
        var run = GeneratorHarness.Run(Ops + """
            public static partial class Model
            {
                [Differentiable]
                public static float Loss(DTensor<float> x, float s) => DTensor.Sum(MyOps.Shift(x, s));

                // Reads s (to show that a rule passes only what it lists), not x nor the result.
                [PullbackOf(typeof(MyOps), nameof(MyOps.Shift))]
                public static void ShiftPullback(float s, DTensor<float> dResult, DTensor<float>? dx, ref float ds)
                {
                    SymDiff.CompilerServices.DTensorRules.AddPullback(dResult, dx, ref ds);
                }
            }
            """);
        run.AssertNoDiagnostics();
        Assert.Contains("ShiftPullback(s, dt0, dx, ref ds);", run.Sources.Values.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReturnInsideALoopOfATensorValuedMethodIsAnErrorAtTheReturn()
    {
        var run = GeneratorHarness.Run(Ops + """
            public static partial class Model
            {
                [Differentiable]
                public static DTensor<float> Repeat(DTensor<float> x, int n)
                {
                    for (var i = 0; i < n; i++)
                    {
                        x = DTensor.Tanh(x);
                        if (i == 3)
                        {
                            return x;
                        }
                    }

                    return x;
                }
            }
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0001", diagnostic.Id);
        Assert.StartsWith("return", run.TextAt(diagnostic), StringComparison.Ordinal);
        Assert.Contains("'break', and return after the loop", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRuntimeRuleFitsItsOp()
    {
        // The runtime's rules, read from its metadata exactly as the generator sees them in a user's build.
        var compilation = GeneratorHarness.CreateCompilation("class Empty { }");
        var tensor = compilation.GetTypeByMetadataName("SymDiff.CompilerServices.DTensorRules")!;
        var attribute = compilation.GetTypeByMetadataName(SymDiff.Generator.Lowering.DerivativeRules.AttributeName)!;
        var rules = SymDiff.Generator.Lowering.DerivativeRules.RulesIn(tensor, attribute).ToList();
        Assert.True(rules.Count >= 25, $"{rules.Count} rules");
        foreach (var (rule, data) in rules)
        {
            var (type, name) = SymDiff.Generator.Lowering.DerivativeRules.Target(data, rule);
            var fits = type!.GetMembers(name!).OfType<IMethodSymbol>().Any(f => SymDiff.Generator.Lowering.DerivativeRules.Fits(f, rule, out _) is null);
            Assert.True(fits, $"{rule.ToDisplayString()} fits no overload of {name}");
        }
    }
}
