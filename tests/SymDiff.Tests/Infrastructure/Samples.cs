using System.Diagnostics;

namespace SymDiff.Tests.Infrastructure;

/// <summary>Runs a sample program (built next to the tests) as a separate process, as a user would.</summary>
internal static class Samples
{
    /// <summary>Runs <c>dotnet {sample}.dll {arguments}</c>; returns the exit code and the trimmed output and error text.</summary>
    public static (int Code, string Output, string Error) Run(string sample, string arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, sample + ".dll");
        var start = new ProcessStartInfo("dotnet", dll + " " + arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result.Trim(), error.Trim());
    }

    /// <summary>The value of <paramref name="name"/> in the <c>RESULT name=value ...</c> line that ends a sample's output.</summary>
    public static string ResultField(string output, string name) =>
        output.Split('\n')[^1].Split(' ').Single(f => f.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
}
