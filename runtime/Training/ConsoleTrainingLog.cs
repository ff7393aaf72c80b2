using System.Diagnostics;
using System.Globalization;

namespace SymDiff;

/// <summary>
/// Plain progress lines (for redirected output and CI): a line every few seconds with the step, loss, learning
/// rate, throughput and ETA, a line per evaluation, and a summary at the end.
/// </summary>
public sealed class ConsoleTrainingLog : ITrainingObserver
{
    private readonly TextWriter _writer;
    private readonly TimeSpan _interval;
    private readonly string _unit;
    private readonly string _metric;
    private readonly Stopwatch _sinceLine = new();

    /// <summary>Creates a log.</summary>
    /// <param name="writer">Where lines go (for example <see cref="Console.Out"/>).</param>
    /// <param name="interval">The least time between step lines.</param>
    /// <param name="unit">What an example is called in throughput ("examples", "tokens").</param>
    /// <param name="metric">What the evaluation measures ("validation perplexity").</param>
    public ConsoleTrainingLog(TextWriter writer, TimeSpan? interval = null, string unit = "examples", string metric = "validation metric")
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _interval = interval ?? TimeSpan.FromSeconds(5);
        _unit = unit;
        _metric = metric;
    }

    /// <inheritdoc/>
    public void OnStart(long totalSteps, int epochs, int exampleCount, int batchSize)
    {
        _sinceLine.Restart();
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training: {totalSteps} steps, {epochs} epoch(s) of {exampleCount} {_unit} in batches of {batchSize}"));
    }

    /// <inheritdoc/>
    public void OnStep(in TrainingProgress progress)
    {
        if (_sinceLine.Elapsed < _interval && progress.Step != progress.TotalSteps)
        {
            return;
        }

        _sinceLine.Restart();
        _writer.WriteLine(Describe(progress, _unit));
    }

    /// <inheritdoc/>
    public void OnEvaluation(long step, int epoch, double metric, bool improved) =>
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step} (epoch {epoch + 1}): {_metric} {metric:F3}{(improved ? " (best so far)" : string.Empty)}"));

    /// <inheritdoc/>
    public void OnSkippedBatch(long step, int epoch, int batch, string reason) =>
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step} (epoch {epoch + 1}, batch {batch + 1}): skipped, {reason}"));

    /// <inheritdoc/>
    public void OnCheckpoint(long step, string path) =>
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step}: checkpoint written to {path}"));

    /// <inheritdoc/>
    public void OnEnd(TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var best = double.IsPositiveInfinity(result.BestMetric) ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; best {_metric} {result.BestMetric:F3} at step {result.BestStep}");
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped after {result.Steps} steps in {result.Elapsed.TotalSeconds:F1} s: {result.StopReason}{best}{DescribeSkipped(result)}"));
    }

    /// <summary>"; skipped 3 batches with a non-finite loss or gradient", or nothing when none were.</summary>
    public static string DescribeSkipped(TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.SkippedBatches == 0 ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $"; skipped {result.SkippedBatches} batch{(result.SkippedBatches == 1 ? string.Empty : "es")} with a non-finite loss or gradient");
    }

    /// <summary>One progress line: step, epoch, loss, learning rate, throughput, ETA.</summary>
    public static string Describe(in TrainingProgress progress, string unit)
    {
        var remaining = progress.Step == 0 ? TimeSpan.Zero : progress.Elapsed * ((double)(progress.TotalSteps - progress.Step) / progress.Step);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"step {progress.Step}/{progress.TotalSteps}  epoch {progress.Epoch + 1}/{progress.Epochs}  loss {progress.Loss:F4}  lr {progress.LearningRate:G3}  {progress.ExamplesPerSecond:N0} {unit}/s  ETA {FormatDuration(remaining)}");
    }

    /// <summary>"1h02m", "3m20s", "12s".</summary>
    public static string FormatDuration(TimeSpan duration) => duration.TotalHours >= 1
        ? $"{(int)duration.TotalHours}h{duration.Minutes:00}m"
        : duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s" : $"{duration.Seconds}s";
}
