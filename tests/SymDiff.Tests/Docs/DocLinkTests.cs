using System.Text.RegularExpressions;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Docs;

/// <summary>
/// Every relative link and image of the README and docs/ names a file of the repository (web addresses and
/// in-page anchors are not followed). The test runs on CI's clean clone, so a file that exists only on the
/// machine that wrote the page (an ignored plot, say) fails it.
/// </summary>
public sealed partial class DocLinkTests
{
    public static TheoryData<string> Pages() => DocPages.Except();

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryRelativeLinkNamesAFileOfTheRepository(string page)
    {
        var path = Path.Combine(Repository.Root, page);
        var folder = Path.GetDirectoryName(path)!;
        var missing = Link().Matches(File.ReadAllText(path))
            .Select(m => m.Groups["target"].Value.Split('#')[0])
            .Where(target => target.Length > 0 && !Uri.IsWellFormedUriString(target, UriKind.Absolute))
            .Where(target => !File.Exists(Path.Combine(folder, target)) && !Directory.Exists(Path.Combine(folder, target)))
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, $"{page} links to missing files: {string.Join(", ", missing)}");
    }

    // [text](target) and ![alt](target); the target ends at whitespace (an optional "title" follows) or ')'
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex Link();
}
