using System.Diagnostics;

namespace Brown;

/// <summary>
/// Tokens per second of the training steps alone: the clock runs only inside the steps, so evaluations, checkpoints
/// and console output do not count against the model's speed.
/// </summary>
public sealed class Throughput
{
    private readonly Stopwatch _computing = new();
    private readonly int _ranks = 1;
    private readonly Func<TimeSpan>? _communication;
    private long _tokens;

    /// <summary>One process's steps.</summary>
    public Throughput()
    {
    }

    /// <summary>
    /// Distributed training: this rank times its part of each batch, and the job's speed is the tokens of the whole
    /// batch (this rank's × <paramref name="ranks"/>: exact when the batch divides evenly) over that time plus
    /// <paramref name="communication"/>'s (the gradients' reduction, waiting for the slowest rank included).
    /// </summary>
    public Throughput(int ranks, Func<TimeSpan> communication)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranks);
        ArgumentNullException.ThrowIfNull(communication);
        _ranks = ranks;
        _communication = communication;
    }

    /// <summary>Starts timing a step.</summary>
    public void Start() => _computing.Start();

    /// <summary>Stops timing a step that read <paramref name="tokens"/> tokens.</summary>
    public void Stop(long tokens)
    {
        _computing.Stop();
        _tokens += tokens;
    }

    /// <summary>Tokens per second over all the steps timed so far (0 before any).</summary>
    public double TokensPerSecond => _tokens * (double)_ranks / Math.Max(1e-9, (_computing.Elapsed + (_communication?.Invoke() ?? TimeSpan.Zero)).TotalSeconds);
}
