using System.Runtime.CompilerServices;

namespace SymDiff.Tests.Infrastructure;

/// <summary>
/// Snapshot testing with Verify's conventions: the expected text lives beside the test source in
/// <c>{Class}.{Method}#{HintName}.verified.cs</c>; on a mismatch the actual text is written to
/// <c>.received.cs</c> next to it and the test fails. To accept a change, review the diff and move the received
/// file over the verified one (or run the tests with <c>SYMDIFF_ACCEPT_SNAPSHOTS=1</c>).
/// </summary>
public static class Snapshot
{
    /// <summary>Verifies every generated file of a test, then fails once listing all mismatches.</summary>
    public static void VerifyAll(
        IEnumerable<KeyValuePair<string, string>> files,
        [CallerFilePath] string sourceFile = "",
        [CallerMemberName] string method = "")
    {
        var failures = new List<string>();
        foreach (var (hintName, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var failure = Compare(text, hintName, sourceFile, method);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    public static void Verify(
        string actual,
        string hintName,
        [CallerFilePath] string sourceFile = "",
        [CallerMemberName] string method = "")
    {
        var failure = Compare(actual, hintName, sourceFile, method);
        Assert.True(failure is null, failure);
    }

    private static string? Compare(string actual, string hintName, string sourceFile, string method)
    {
        var directory = Path.GetDirectoryName(sourceFile)!;
        var testClass = Path.GetFileNameWithoutExtension(sourceFile);
        var stem = Path.Combine(directory, $"{testClass}.{method}#{(hintName.EndsWith(".cs", StringComparison.Ordinal) ? hintName[..^3] : hintName)}");
        var verified = stem + ".verified.cs";
        var received = stem + ".received.cs";
        actual = Normalize(actual);

        if (File.Exists(verified) && Normalize(File.ReadAllText(verified)) == actual)
        {
            File.Delete(received);
            return null;
        }

        if (Environment.GetEnvironmentVariable("SYMDIFF_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return null;
        }

        File.WriteAllText(received, actual);
        return (File.Exists(verified)
            ? $"Generated code differs from {Path.GetFileName(verified)}; the new text is in {Path.GetFileName(received)}. Review the diff and accept it by replacing the verified file."
            : $"No snapshot {Path.GetFileName(verified)} yet; the generated text is in {Path.GetFileName(received)}. Review it and rename it to .verified.cs.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimEnd() + "\n";
}
