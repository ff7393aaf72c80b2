using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Docs;

/// <summary>The documentation pages, relative to the repository root: README.md, then docs/*.md in name order.</summary>
internal static class DocPages
{
    public static TheoryData<string> Except(params string[] fileNames)
    {
        var data = new TheoryData<string> { "README.md" };
        foreach (var page in Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            if (!fileNames.Contains(Path.GetFileName(page)))
            {
                data.Add(Path.GetRelativePath(Repository.Root, page));
            }
        }

        return data;
    }
}
