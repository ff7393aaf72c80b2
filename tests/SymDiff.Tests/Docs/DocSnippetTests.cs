using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Docs;

/// <summary>
/// Every C# block in the README and docs/ compiles, with the generator: a page's blocks form one compilation.
/// Info strings: <c>csharp</c> is a whole file (top-level statements allowed), <c>csharp member</c> is members of a
/// type (wrapped in a partial class), <c>csharp excerpt</c> is a quotation that is not compiled (generated code
/// quoted out of its method, a sketch with "..."). docs/diagnostics.md is left out: its examples exist to fail,
/// and DiagnosticTests checks each diagnostic.
/// </summary>
public sealed partial class DocSnippetTests
{
    public static TheoryData<string> Pages() => DocPages.Except("diagnostics.md");

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryCSharpBlockOfThePageCompiles(string page)
    {
        var blocks = Block().Matches(File.ReadAllText(Path.Combine(Repository.Root, page)))
            .Select(m => (Info: m.Groups["info"].Value.Trim(), Code: m.Groups["code"].Value))
            .Where(b => b.Info.Split(' ')[0] is "csharp" or "cs" or "c#" && !b.Info.Contains("excerpt", StringComparison.Ordinal))
            .ToList();
        if (blocks.Count == 0)
        {
            return;
        }

        var trees = blocks
            .Select((b, i) => b.Info.Contains("member", StringComparison.Ordinal)
                ? $"public static partial class DocSnippet{i}\n{{\n{b.Code}\n}}\n"
                : b.Code)
            .Append("global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\nglobal using SymDiff;\n")
            .Select((code, i) => CSharpSyntaxTree.ParseText(code, GeneratorHarness.ParseOptions, path: $"{page}#{i}.cs"))
            .ToList();
        var hasProgram = trees.Any(t => t.GetCompilationUnitRoot().Members.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any());
        var compilation = CSharpCompilation.Create(
            "Docs",
            trees,
            GeneratorHarness.References.Value,
            new CSharpCompilationOptions(
                hasProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var withGenerated, out var generatorDiagnostics);

        var problems = generatorDiagnostics.Concat(withGenerated.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();
        Assert.True(problems.Count == 0, $"{page}:\n" + string.Join("\n", problems));
    }

    [GeneratedRegex(@"^```(?<info>[^\n`]*)\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();
}
