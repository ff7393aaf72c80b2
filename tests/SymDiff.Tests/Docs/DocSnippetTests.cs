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
/// and DiagnosticTests checks each diagnostic. Each page is compiled twice: as written, and with
/// <c>System.Numerics.Tensors</c> imported too (the usual way to reach TensorPrimitives), whose <c>Tensor&lt;T&gt;</c>
/// and <c>Tensor</c> must not make any name of the page, or of the code generated for it, ambiguous.
/// </summary>
public sealed partial class DocSnippetTests
{
    public static TheoryData<string, bool> Pages()
    {
        var data = new TheoryData<string, bool>();
        foreach (var page in DocPages.Except("diagnostics.md"))
        {
            data.Add(page, false);
            data.Add(page, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryCSharpBlockOfThePageCompiles(string page, bool withSystemNumericsTensors)
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
            .Append("global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\nglobal using SymDiff;\n"
                + (withSystemNumericsTensors ? "global using System.Numerics.Tensors;\n" : string.Empty))
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
