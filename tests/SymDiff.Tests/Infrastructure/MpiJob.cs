using System.Diagnostics;

namespace SymDiff.Tests.Infrastructure;

/// <summary>
/// Starts a program built next to the tests under <c>mpirun</c>, as a user would, and waits for it with a timeout
/// (killing the whole job if it runs over), so a distributed test fails rather than hangs.
/// </summary>
internal static class MpiJob
{
    /// <summary>
    /// The environment variable CI sets (<c>.ci/run</c>): then a missing <c>mpirun</c> fails the distributed tests
    /// instead of skipping them, so CI cannot pass without having run them.
    /// </summary>
    public const string RequiredVariable = "SYMDIFF_REQUIRE_MPI";

    /// <summary>Why the distributed tests are skipped on this machine; null when they run.</summary>
    public static string? SkipReason { get; } =
        Mpirun is null && Environment.GetEnvironmentVariable(RequiredVariable) != "1"
            ? $"needs mpirun (Open MPI: apt-get install openmpi-bin libopenmpi-dev); {RequiredVariable}=1 makes its absence a failure"
            : null;

    /// <summary>The full path of <c>mpirun</c> on the PATH; null if there is none.</summary>
    public static string? Mpirun => field ??= (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => Path.Combine(directory, "mpirun"))
        .FirstOrDefault(File.Exists);

    /// <summary>Runs <c>mpirun -np {ranks} dotnet {program}.dll {arguments}</c>; returns the exit code, output and error text.</summary>
    public static (int Code, string Output, string Error) Run(int ranks, string program, string arguments, TimeSpan? timeout = null)
    {
        var mpirun = Mpirun ?? throw new InvalidOperationException($"mpirun is not installed, and {RequiredVariable}=1 requires the distributed tests to run: apt-get install openmpi-bin libopenmpi-dev");
        var dll = Path.Combine(AppContext.BaseDirectory, program + ".dll");

        // Open MPI's flags: more ranks than cores (CI has two), and root (CI runs as root; harmless otherwise).
        var start = new ProcessStartInfo(mpirun, $"-np {ranks} --oversubscribe --allow-run-as-root dotnet {dll} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(3);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpirun -np {ranks} {program} {arguments} did not end within {limit.TotalSeconds} s (a hang); output so far: {output.Result} {error.Result}");
        }

        process.WaitForExit(); // until the output is read to its end
        return (process.ExitCode, output.Result.Trim(), error.Result.Trim());
    }
}

/// <summary>A test that runs an MPI job: skipped, with the reason, where <c>mpirun</c> is missing (unless CI requires it).</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        Skip = MpiJob.SkipReason;
    }
}

/// <summary>A theory whose cases run MPI jobs: skipped like <see cref="MpiFactAttribute"/>.</summary>
public sealed class MpiTheoryAttribute : TheoryAttribute
{
    public MpiTheoryAttribute()
    {
        Skip = MpiJob.SkipReason;
    }
}

/// <summary>The MPI jobs run one at a time, after the other tests: each takes both cores of a small CI machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MpiJobs
{
    public const string Name = "MPI jobs";
}
