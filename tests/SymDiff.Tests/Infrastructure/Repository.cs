namespace SymDiff.Tests.Infrastructure;

/// <summary>The repository checkout the tests run from (docs, release files, projects to pack).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SymDiff.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("SymDiff.sln not found above " + AppContext.BaseDirectory);
    }
}
