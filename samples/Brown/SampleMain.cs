namespace Brown;

/// <summary>A bad command line, with a one-line message.</summary>
public sealed class OptionException(string message) : Exception(message);

/// <summary><c>--help</c>: not an error, so it is not an <see cref="OptionException"/>; the message is the usage text.</summary>
public sealed class HelpRequestedException(string usage) : Exception(usage);

/// <summary>
/// Training stopped by SIGINT or SIGTERM after writing its checkpoint: the message says where it is and how to
/// resume, the exit code is the signal's (130, 143).
/// </summary>
public sealed class RunInterruptedException(string message, int exitCode) : Exception(message)
{
    public int ExitCode => exitCode;
}

/// <summary>
/// The language-model samples' entry point: <c>--help</c> prints the usage and exits 0; a bad command line or an
/// unreadable corpus is a one-line error and an exit code (2 and 1), never a stack trace; a run interrupted by
/// SIGINT or SIGTERM prints how to resume it and exits 130 or 143.
/// </summary>
public static class SampleMain
{
    public static int Run(Func<int> run) => Run(run, Console.Out, Console.Error);

    /// <summary><see cref="Run(Func{int})"/> writing to the given streams, for tests (the console is shared by parallel tests).</summary>
    public static int Run(Func<int> run, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            return run();
        }
        catch (HelpRequestedException help)
        {
            output.WriteLine(help.Message);
            return 0;
        }
        catch (RunInterruptedException interrupted)
        {
            output.WriteLine(interrupted.Message);
            return interrupted.ExitCode;
        }
        catch (OptionException bad)
        {
            error.WriteLine("error: " + bad.Message);
            return 2;
        }
        catch (Exception failure) when (failure is CorpusException or InvalidDataException or IOException or UnauthorizedAccessException or SymDiff.Distributed.MpiException)
        {
            error.WriteLine("error: " + failure.Message);
            return 1;
        }
    }
}
