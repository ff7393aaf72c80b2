using System.Diagnostics;

namespace Brown;

/// <summary>
/// Tokens per second of the training steps alone: the clock runs only inside the steps, so evaluations, checkpoints
/// and console output do not count against the model's speed.
/// </summary>
public sealed class Throughput
{
    private readonly Stopwatch _computing = new();
    private long _tokens;

    /// <summary>Starts timing a step.</summary>
    public void Start() => _computing.Start();

    /// <summary>Stops timing a step that read <paramref name="tokens"/> tokens.</summary>
    public void Stop(long tokens)
    {
        _computing.Stop();
        _tokens += tokens;
    }

    /// <summary>Tokens per second over all the steps timed so far (0 before any).</summary>
    public double TokensPerSecond => _tokens / Math.Max(1e-9, _computing.Elapsed.TotalSeconds);
}
