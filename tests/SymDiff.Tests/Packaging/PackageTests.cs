using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Packaging;

/// <summary>
/// docs/getting-started.md works as written, for a newcomer whose NuGet cache has never seen SymDiff. The test reads
/// the page and does what it says, in order, in an empty temporary folder: each line of a <c>sh</c> block is run as a
/// command (<c>cd</c> changes folder), a block whose info string names a file (<c>xml nuget.config</c>,
/// <c>csharp Program.cs</c>) is saved as that file, and every <c>dotnet run</c> must print what the page's
/// <c>text</c> block shows. The clone the page starts from, <c>symdiff/</c>, is this checkout, built with the machine's
/// package cache like any clone; the project the page makes restores into an empty package folder of its own
/// (NUGET_PACKAGES), from the sources its nuget.config leaves (the folder feed and the machine's), so a package made
/// twice under one version would reach it stale. The page packs twice: the project must end up built against the
/// second package, a newer version, byte for byte.
/// </summary>
public sealed partial class PackageTests
{
    private const string Page = "docs/getting-started.md";
    private const string Clone = "symdiff";

    [Fact]
    public void GettingStartedWorksVerbatimWithAnEmptyPackageCache()
    {
        var work = Directory.CreateTempSubdirectory("symdiff-getting-started-").FullName;
        try
        {
            var packages = Path.Combine(work, ".nuget-packages");
            var start = Path.Combine(work, "start");
            Directory.CreateDirectory(start);
            var steps = FollowPage(start, packages);

            // The page packed twice into one folder feed: two versions, the second newer (same-length timestamps).
            var packs = steps.Where(s => s.Command.StartsWith("dotnet pack ", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, packs.Count);
            var feed = Assert.Single(packs.Select(p => OutputFolder(p)).Distinct());
            var versions = Directory.GetFiles(feed, "SymDiff.*.nupkg")
                .Select(p => Path.GetFileNameWithoutExtension(p)["SymDiff.".Length..])
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.Equal(2, versions.Count);
            Assert.All(versions, v => Assert.Matches(DevVersion(), v));
            Assert.All(versions, v => Assert.True(File.Exists(Path.Combine(feed, $"SymDiff.{v}.snupkg")), v + " has no symbols package"));
            var (first, second) = (versions[0], versions[1]);
            AssertPackageContents(Path.Combine(feed, $"SymDiff.{second}.nupkg"));

            // The project now references the second package, restored into the empty cache (beside the first),
            // and its build carries that package's SymDiff.dll, not the first one's.
            var project = Assert.Single(Directory.GetFiles(start, "*.csproj", SearchOption.AllDirectories));
            Assert.Contains($"<PackageReference Include=\"SymDiff\" Version=\"{second}\" />", File.ReadAllText(project), StringComparison.Ordinal);
            Assert.True(Directory.Exists(Path.Combine(packages, "symdiff", first)), "the first package never reached the empty cache");
            Assert.True(Directory.Exists(Path.Combine(packages, "symdiff", second)), "the second package never reached the empty cache");
            var built = File.ReadAllBytes(Assert.Single(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(project)!, "bin"), "SymDiff.dll", SearchOption.AllDirectories)));
            Assert.Equal(LibraryOf(Path.Combine(feed, $"SymDiff.{second}.nupkg")), built);
            Assert.NotEqual(LibraryOf(Path.Combine(feed, $"SymDiff.{first}.nupkg")), built);

            // Both runs (before and after the second pack) trained as the page shows.
            var runs = steps.Where(s => s.Command == "dotnet run").ToList();
            Assert.Equal(2, runs.Count);
            var expected = Blocks(File.ReadAllText(Path.Combine(Repository.Root, Page))).Single(b => b.Info == "text").Code.TrimEnd().Split('\n');
            foreach (var run in runs)
            {
                AssertTrainedAsShown(expected, run.Output.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToArray());
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Does what the page says, block by block; returns each command run and its standard output.</summary>
    private static List<(string Command, string Directory, string Output)> FollowPage(string start, string packages)
    {
        var steps = new List<(string, string, string)>();
        var directory = start;
        var clone = Path.Combine(start, Clone);
        foreach (var (info, code) in Blocks(File.ReadAllText(Path.Combine(Repository.Root, Page))))
        {
            var words = info.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["sh"])
            {
                foreach (var line in code.Split('\n').Select(l => Comment().Replace(l, "").Trim()).Where(l => l.Length > 0))
                {
                    // Plain words only, so that the commands mean the same in any shell (sh, PowerShell, cmd).
                    Assert.DoesNotMatch(ShellSyntax(), line);
                    var arguments = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (arguments[0] == "cd")
                    {
                        directory = Path.GetFullPath(Assert.Single(arguments[1..]), directory);
                        Assert.True(Directory.Exists(directory), $"{Page}: `{line}`: no such folder");
                        continue;
                    }

                    // Paths into the clone go to this checkout; whatever builds the clone uses the machine's cache.
                    var mapped = arguments[1..].Select(a => IntoCheckout(a, directory, clone)).ToArray();
                    var buildsClone = mapped.Where((a, i) => a != arguments[i + 1]).Any();
                    var output = Run(directory, arguments[0], mapped, buildsClone ? null : packages);
                    steps.Add((line, directory, output));
                }
            }
            else if (words.Length == 2 && words[1].Contains('.', StringComparison.Ordinal))
            {
                AtomicFile.Write(Path.Combine(directory, words[1]), stream => stream.Write(Encoding.UTF8.GetBytes(code)));
            }
        }

        return steps;
    }

    private static string IntoCheckout(string argument, string directory, string clone)
    {
        if (!argument.Contains('/', StringComparison.Ordinal) || argument.StartsWith('-'))
        {
            return argument;
        }

        var full = Path.GetFullPath(argument, directory);
        return full.StartsWith(clone + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? Path.Combine(Repository.Root, Path.GetRelativePath(clone, full))
            : argument;
    }

    private static string OutputFolder((string Command, string Directory, string Output) pack)
    {
        var arguments = pack.Command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Path.GetFullPath(arguments[Array.IndexOf(arguments, "-o") + 1], pack.Directory);
    }

    /// <summary>The package a user gets: library, generator and code fixes as analyzers, README, license, XML docs.</summary>
    private static void AssertPackageContents(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("lib/net10.0/SymDiff.dll", entries);
        Assert.Contains("lib/net10.0/SymDiff.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/SymDiff.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/SymDiff.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));
    }

    private static byte[] LibraryOf(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        using var stream = zip.GetEntry("lib/net10.0/SymDiff.dll")!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// The first line (the plan) as shown; the last line up to the loss as shown, and the loss at most twice the
    /// page's (the page's digits are one machine's; an untrained network is at ln 2 = 0.69). The lines between
    /// carry timings.
    /// </summary>
    private static void AssertTrainedAsShown(string[] expected, string[] actual)
    {
        Assert.Equal(expected[0], actual[0]);
        var colon = expected[^1].LastIndexOf(':');
        Assert.StartsWith(expected[^1][..(colon + 1)], actual[^1], StringComparison.Ordinal);
        var pageLoss = double.Parse(expected[^1][(colon + 1)..], CultureInfo.InvariantCulture);
        var loss = double.Parse(actual[^1][(colon + 1)..], CultureInfo.InvariantCulture);
        Assert.InRange(loss, 0, 2 * pageLoss);
    }

    private static IEnumerable<(string Info, string Code)> Blocks(string page) =>
        Block().Matches(page.ReplaceLineEndings("\n")).Select(m => (m.Groups["info"].Value.Trim(), m.Groups["code"].Value));

    /// <summary>Runs a command; fails with its output if it exits non-zero. Returns standard output.</summary>
    private static string Run(string directory, string file, string[] arguments, string? packages)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // No MSBuild nodes left behind by the test's builds.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (packages is not null)
        {
            start.Environment["NUGET_PACKAGES"] = packages;
        }

        var command = $"{file} {string.Join(' ', arguments)}";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} (in {directory}) took more than 5 minutes");
        }

        Assert.True(process.ExitCode == 0, $"{Page}: {command} (in {directory}) failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    [GeneratedRegex(@"^```(?<info>[^\n`]*)\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"(^|\s)#.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"[|&;<>$~`'""*\\]")]
    private static partial Regex ShellSyntax();

    [GeneratedRegex(@"^\d+\.\d+\.\d+-dev\.\d{14}$")]
    private static partial Regex DevVersion();
}
