using System.Collections;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SymDiff.Generator.Helpers;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Incremental;

/// <summary>The pipeline caches: unrelated edits re-run nothing, and editing one method re-emits only that method.</summary>
public sealed class IncrementalTests
{
    private const string Model = """
        using System;
        using SymDiff;

        public static partial class Model
        {
            [Differentiable]
            public static double First(double a, double b) => Math.Tanh(a * b);

            [Differentiable]
            public static double Second(double a) => Math.Exp(-a * a);
        }
        """;

    private const string Unrelated = """
        public static class Unrelated
        {
            public static int Answer() => 42;
        }
        """;

    [Fact]
    public void UnrelatedEditLeavesEveryStepCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(Model, Unrelated);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var edited = Edit(compilation, 1, "42", "43");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAll(result, WellKnownTrackingNames.Lower, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(result, WellKnownTrackingNames.Emit, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void EditingOneMethodReEmitsOnlyThatMethod()
    {
        var compilation = GeneratorHarness.CreateCompilation(Model, Unrelated);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var edited = Edit(compilation, 0, "Math.Exp(-a * a)", "Math.Exp(-a * a * a)");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var emit = Outputs(result, WellKnownTrackingNames.Emit).ToList();
        Assert.Equal(2, emit.Count);
        Assert.Single(emit, o => o.Reason == IncrementalStepRunReason.Cached);
        Assert.Single(emit, o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void InAProjectOf200MethodsEditingOneReEmitsOnlyThatOne()
    {
        // 20 files of 10 methods; the edit changes the body of method 7 in file 3.
        var files = Enumerable.Range(0, 20).Select(f =>
            "using System;\nusing SymDiff;\n\npublic static partial class Many\n{\n"
            + string.Concat(Enumerable.Range(f * 10, 10).Select(i =>
                $"    [Differentiable]\n    public static double M{i}(double a, double b) {{ var h = Math.Tanh(a * b + {i}); return h * h; }}\n\n"))
            + "}\n").ToArray();
        var compilation = GeneratorHarness.CreateCompilation(files);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var edited = Edit(compilation, 3, "Math.Tanh(a * b + 37)", "Math.Tanh(a * b * b + 37)");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var emit = Outputs(result, WellKnownTrackingNames.Emit).ToList();
        Assert.Equal(200, emit.Count);
        Assert.Equal(199, emit.Count(o => o.Reason == IncrementalStepRunReason.Cached));
        var modified = Assert.Single(emit, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("M37Gradient", ((SymDiff.Generator.Ir.GeneratedFile)modified.Value).Source ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineCarriesNoSymbolsSyntaxOrCompilations()
    {
        var compilation = GeneratorHarness.CreateCompilation(Model, Unrelated);
        var result = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();
        // Diagnostics travel inside Lower's LoweringResult, so checking Lower covers them.
        foreach (var step in new[] { WellKnownTrackingNames.Lower, WellKnownTrackingNames.Model, WellKnownTrackingNames.Emit })
        {
            foreach (var (value, _) in result.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                AssertEquatableData(value, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static Compilation Edit(Compilation compilation, int tree, string from, string to)
    {
        var old = compilation.SyntaxTrees.ElementAt(tree);
        var text = old.GetText().ToString();
        var start = text.IndexOf(from, StringComparison.Ordinal);
        var changed = old.WithChangedText(old.GetText().WithChanges(new TextChange(new TextSpan(start, from.Length), to)));
        return compilation.ReplaceSyntaxTree(old, changed);
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs);

    private static void AssertAll(GeneratorRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        var outputs = Outputs(result, step).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Contains(o.Reason, allowed));
    }

    /// <summary>Walks a pipeline value and fails on anything that would root a compilation.</summary>
    private static void AssertEquatableData(object? value, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(
            value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location or SyntaxTree,
            $"The pipeline carries a {value.GetType().Name}");
        if (value is IEnumerable items)
        {
            foreach (var item in items)
            {
                AssertEquatableData(item, seen);
            }
        }

        foreach (var property in value.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
            {
                AssertEquatableData(property.GetValue(value), seen);
            }
        }
    }
}
