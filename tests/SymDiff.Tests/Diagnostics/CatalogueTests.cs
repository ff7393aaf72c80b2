using System.Reflection;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Diagnostics;

using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Diagnostics;

/// <summary>docs/diagnostics.md and the analyzer release files list every diagnostic, as the descriptors define it.</summary>
public sealed class CatalogueTests
{
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var descriptor in Descriptors())
        {
            data.Add(descriptor.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryDiagnosticHasASectionThatItsHelpLinkPointsTo(string id)
    {
        var descriptor = DiagnosticDescriptors.Get(id);
        var catalogue = File.ReadAllText(Path.Combine(Repository.Root, "docs", "diagnostics.md"));
        var anchor = id.ToLowerInvariant();
        Assert.EndsWith("docs/diagnostics.md#" + anchor, descriptor.HelpLinkUri, StringComparison.Ordinal);

        var start = catalogue.IndexOf($"<a id=\"{anchor}\"></a>\n## {id}: ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/diagnostics.md has no section for {id}");
        var end = catalogue.IndexOf("<a id=", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? catalogue[start..] : catalogue[start..end];
        var severity = descriptor.DefaultSeverity switch
        {
            DiagnosticSeverity.Error => "**Error.**",
            DiagnosticSeverity.Warning => "**Warning.**",
            _ => "**Info.**",
        };
        Assert.Contains(severity, section, StringComparison.Ordinal);
        Assert.Contains("Message:", section, StringComparison.Ordinal);
        Assert.Contains("**Fix:**", section, StringComparison.Ordinal);
        if (id != "SD9999")
        {
            Assert.Contains("```csharp", section, StringComparison.Ordinal); // an example that triggers it
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryDiagnosticIsTrackedInTheAnalyzerReleases(string id)
    {
        var descriptor = DiagnosticDescriptors.Get(id);
        var releases = File.ReadAllText(Path.Combine(Repository.Root, "generator", "AnalyzerReleases.Shipped.md"))
            + File.ReadAllText(Path.Combine(Repository.Root, "generator", "AnalyzerReleases.Unshipped.md"));
        Assert.Contains($"{id} | SymDiff | {descriptor.DefaultSeverity} | {descriptor.Title}", releases, StringComparison.Ordinal);
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);
}
