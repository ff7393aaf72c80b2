using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SymDiff.CodeFixes;
using SymDiff.Generator;
using SymDiff.Generator.Analyzers;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Diagnostics;

/// <summary>Each code fix turns the reported source into the expected one, after which the diagnostic is gone.</summary>
public sealed class CodeFixTests
{
    [Fact]
    public async Task AddsStaticToADifferentiableMethod()
    {
        const string Before = """
            using SymDiff;

            public partial class C
            {
                [Differentiable]
                public double F(double a) => a * a;
            }
            """;
        var after = await Fix(Before, "SD0006");
        Assert.Contains("public static double F(double a) => a * a;", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddsPartialToTheContainingType()
    {
        const string Before = """
            using SymDiff;

            public static class C
            {
                [Differentiable]
                public static double F(double a) => a * a;
            }
            """;
        var after = await Fix(Before, "SD0007");
        Assert.Contains("public static partial class C", after, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("using SymDiff;\n", "[NoDiff] double b")]
    [InlineData("", "[global::SymDiff.NoDiff] double b")]
    public async Task MarksAParameterThatDoesNotAffectTheResultNoDiff(string usings, string expected)
    {
        var before = usings + """
            public static partial class C
            {
                [SymDiff.Differentiable]
                public static double F(double a, double b) => a * a;
            }
            """;
        var after = await Fix(before, "SD1003");
        Assert.Contains("F(double a, " + expected + ")", after, StringComparison.Ordinal);
    }

    /// <summary>Applies the one fix offered for <paramref name="id"/> and checks the diagnostic is gone afterwards.</summary>
    private static async Task<string> Fix(string source, string id)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.CurrentSolution
            .AddProject("Fixes", "Fixes", LanguageNames.CSharp)
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .AddMetadataReferences(GeneratorHarness.References.Value);
        var document = project.AddDocument("C.cs", source);

        var diagnostic = Assert.Single(await Diagnostics(document.Project), d => d.Id == id);
        var actions = new List<CodeAction>();
        var fixer = new DeclarationCodeFixes();
        Assert.Contains(id, fixer.FixableDiagnosticIds);
        await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        var action = Assert.Single(actions);
        var operation = Assert.Single((await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>());
        var fixedDocument = operation.ChangedSolution.GetDocument(document.Id)!;

        Assert.DoesNotContain(await Diagnostics(fixedDocument.Project), d => d.Id == id);
        return (await fixedDocument.GetTextAsync()).ToString();
    }

    /// <summary>What a user sees: the declaration analyzer's diagnostics and the generator's.</summary>
    private static async Task<ImmutableArray<Diagnostic>> Diagnostics(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: GeneratorHarness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out _, out var generated);
        var analyzed = await compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new DeclarationAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
        return generated.AddRange(analyzed);
    }
}
