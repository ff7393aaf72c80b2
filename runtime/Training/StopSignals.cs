using System.Runtime.InteropServices;

namespace SymDiff;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM (<c>kill</c>, a scheduler's preemption) into a request to stop training. The first
/// signal cancels the default action (termination) and calls the stop callback, typically
/// <see cref="Trainer{T}.RequestStop"/>: the training loop finishes its step, writes a checkpoint and returns, and the
/// program exits with <see cref="ExitCode"/>. A second signal keeps its default action, for a process that must go at
/// once (the last checkpoint stays whole: files are replaced atomically). Dispose to give both signals back.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly Action<string> _requestStop;
    private readonly List<PosixSignalRegistration> _registrations = new();
    private int _received; // the first signal's number (0: none), set once from the handler's thread

    /// <summary>Listens for SIGINT and SIGTERM (those the platform has) until disposed.</summary>
    /// <param name="requestStop">Called once, with "SIGINT" or "SIGTERM", on the first signal.</param>
    public StopSignals(Action<string> requestStop)
    {
        ArgumentNullException.ThrowIfNull(requestStop);
        _requestStop = requestStop;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, context => context.Cancel = Handle(context.Signal)));
            }
            catch (PlatformNotSupportedException)
            {
                // Not every platform has both (browsers, mobile): those that lack one cannot send it either.
            }
        }
    }

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Received => Volatile.Read(ref _received) switch
    {
        2 => PosixSignal.SIGINT,
        15 => PosixSignal.SIGTERM,
        _ => null,
    };

    /// <summary>
    /// The conventional exit code of a process a signal ended, 128 + its number: 130 after SIGINT, 143 after
    /// SIGTERM; 0 when no signal came. Shells and schedulers read it as "interrupted", not "failed".
    /// </summary>
    public int ExitCode => Volatile.Read(ref _received) is var number and > 0 ? 128 + number : 0;

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _registrations.Clear();
    }

    /// <summary>What the handler does with a signal; returns whether to cancel its default action (only the first time).</summary>
    internal bool Handle(PosixSignal signal)
    {
        var number = signal == PosixSignal.SIGINT ? 2 : 15;
        if (Interlocked.CompareExchange(ref _received, number, 0) != 0)
        {
            return false;
        }

        _requestStop(signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM");
        return true;
    }
}
