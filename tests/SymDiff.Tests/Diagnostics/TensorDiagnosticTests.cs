using Microsoft.CodeAnalysis;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Diagnostics;

/// <summary>Tensor misuse and [DerivativeOf] rules that do not fit: errors at the right place, with the fix.</summary>
public sealed class TensorDiagnosticTests
{
    private const string Ops = """
        using System;
        using SymDiff;

        public static class MyOps
        {
            public static Tensor<float> Scale2(Tensor<float> x) => Tensor.Multiply(x, 2f);

            public static Tensor<float> Shift(Tensor<float> x, float s) => Tensor.Add(x, s);

            public static float Total(Tensor<float> x) => Tensor.Sum(x);
        }

        """;

    [Fact]
    public void CallWithNoRuleNamesTheCalleeAndShowsHowToDeclareOne()
    {
        var run = GeneratorHarness.Run(Ops + """
            public static partial class Model
            {
                [Differentiable]
                public static float Loss(Tensor<float> x) => Tensor.Sum(MyOps.Scale2(x));
            }
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0003", diagnostic.Id);
        Assert.Equal("MyOps.Scale2(x)", Text(run, diagnostic));
        Assert.Contains("'MyOps.Scale2(Tensor<float>)'", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("[DerivativeOf(nameof(Scale2))]", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadRules => new()
    {
        {
            "[DerivativeOf(typeof(MyOps), nameof(MyOps.Scale2))] public static void Rule(Tensor<float> x, Tensor<float> dResult, Tensor<float>? dx) { }",
            "SD0014",
            "it has 3 parameters but needs 4"
        },
        {
            "[DerivativeOf(typeof(MyOps), nameof(MyOps.Shift))] public static void Rule(Tensor<float> x, float s, Tensor<float> result, Tensor<float> dResult, Tensor<float>? dx, float ds) { }",
            "SD0014",
            "parameter 6 ('ds') must be 'ref float'"
        },
        {
            "[DerivativeOf(typeof(MyOps), nameof(MyOps.Scale2))] public static int Rule(Tensor<float> x, Tensor<float> result, Tensor<float> dResult, Tensor<float>? dx) => 0;",
            "SD0014",
            "it must return void"
        },
        {
            "[DerivativeOf(typeof(MyOps), nameof(MyOps.Scale2))] public void Rule(Tensor<float> x, Tensor<float> result, Tensor<float> dResult, Tensor<float>? dx) { }",
            "SD0014",
            "it must be static"
        },
        {
            "[DerivativeOf(typeof(MyOps), \"Missing\")] public static void Rule(Tensor<float> x, Tensor<float> result, Tensor<float> dResult, Tensor<float>? dx) { }",
            "SD0013",
            "'MyOps' has no method of that name"
        },
        {
            "[DerivativeOf(typeof(MyOps), nameof(MyOps.Total))] public static void Rule(Tensor<float> x, Tensor<float> saved, float result, float dResult, Tensor<float>? dx) { }",
            "SD0014",
            "has no overload with a trailing 'ref SymDiff.Tensor<float>? saved'"
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
        Assert.Equal("Rule", Text(run, diagnostic));
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
                public static float Loss(Tensor<float> x, float s) => Tensor.Sum(MyOps.Shift(x, s));

                [DerivativeOf(typeof(MyOps), nameof(MyOps.Shift))]
                public static void ShiftBackward(Tensor<float> x, float s, Tensor<float> result, Tensor<float> dResult, Tensor<float>? dx, ref float ds)
                {
                    Tensor.AddBackward(x, s, result, dResult, dx, ref ds);
                }
            }
            """);
        run.AssertNoDiagnostics();
        Assert.Contains("ShiftBackward(x, s, t0, dt0, dx, ref ds);", run.Sources.Values.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReturnInsideALoopOfATensorValuedMethodIsAnErrorAtTheReturn()
    {
        var run = GeneratorHarness.Run(Ops + """
            public static partial class Model
            {
                [Differentiable]
                public static Tensor<float> Repeat(Tensor<float> x, int n)
                {
                    for (var i = 0; i < n; i++)
                    {
                        x = Tensor.Tanh(x);
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
        Assert.StartsWith("return", Text(run, diagnostic), StringComparison.Ordinal);
        Assert.Contains("'break', and return after the loop", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRuntimeRuleFitsItsOp()
    {
        // The runtime's rules, read from its metadata exactly as the generator sees them in a user's build.
        var compilation = GeneratorHarness.CreateCompilation("class Empty { }");
        var tensor = compilation.GetTypeByMetadataName("SymDiff.Tensor")!;
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

    private static string Text(GeneratorRun run, Diagnostic diagnostic)
    {
        var path = diagnostic.Location.GetLineSpan().Path;
        return run.Compilation.SyntaxTrees.Single(t => t.FilePath == path).GetText().ToString(diagnostic.Location.SourceSpan);
    }
}
