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

    /// <summary>
    /// Runs a sample as <see cref="Run"/> does and sends it a signal with <c>kill</c> once it has written a line
    /// starting with <paramref name="after"/> and <paramref name="delay"/> has passed, as a user or a scheduler would.
    /// </summary>
    public static (int Code, string Output, string Error) RunAndSignal(string sample, string arguments, string after, TimeSpan delay, string signal)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, sample + ".dll");
        var start = new ProcessStartInfo("dotnet", dll + " " + arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        using var seen = new ManualResetEventSlim();
        process.OutputDataReceived += (_, line) =>
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }

            if (line.Data?.StartsWith(after, StringComparison.Ordinal) == true)
            {
                seen.Set();
            }
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();
        if (!seen.Wait(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException($"{sample} wrote no line starting with '{after}'");
        }

        Thread.Sleep(delay);
        using (var kill = Process.Start("kill", $"-{signal} {process.Id}")!)
        {
            kill.WaitForExit();
        }

        process.WaitForExit(); // also until the output is read to its end
        lock (output)
        {
            return (process.ExitCode, output.ToString().Trim(), error.Result.Trim());
        }
    }

    /// <summary>The value of <paramref name="name"/> in the <c>RESULT name=value ...</c> line that ends a sample's output.</summary>
    public static string ResultField(string output, string name) =>
        output.Split('\n')[^1].Split(' ').Single(f => f.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
}
