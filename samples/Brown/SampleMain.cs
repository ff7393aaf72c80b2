namespace Brown;

/// <summary>A bad command line, with a one-line message (a message starting with "usage:" is the help text).</summary>
public sealed class OptionException(string message) : Exception(message);

/// <summary>
/// The language-model samples' entry point: a bad command line or an unreadable corpus is a one-line error and an
/// exit code (2 and 1), never a stack trace.
/// </summary>
public static class SampleMain
{
    public static int Run(Func<int> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return run();
        }
        catch (OptionException error)
        {
            Console.Error.WriteLine(error.Message.StartsWith("usage:", StringComparison.Ordinal) ? error.Message : "error: " + error.Message);
            return 2;
        }
        catch (Exception error) when (error is CorpusException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("error: " + error.Message);
            return 1;
        }
    }
}
