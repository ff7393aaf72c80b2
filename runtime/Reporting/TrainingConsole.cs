using Spectre.Console;

namespace SymDiff.Reporting;

/// <summary>
/// Shows training progress: a live progress bar with step, loss, throughput and ETA when the console is
/// interactive; plain log lines (<see cref="ConsoleTrainingLog"/>) when output is redirected (CI, files).
/// </summary>
public static class TrainingConsole
{
    /// <summary>Whether a live progress bar can be drawn.</summary>
    public static bool IsInteractive =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>Writes a line that stays above a live progress bar (plainly when output is redirected).</summary>
    public static void WriteLine(string line)
    {
        if (IsInteractive)
        {
            AnsiConsole.WriteLine(line);
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>Runs <paramref name="train"/> with an observer that reports to the console.</summary>
    /// <param name="train">Trains, reporting to the observer it is given.</param>
    /// <param name="unit">What an example is called ("tokens").</param>
    /// <param name="metric">What evaluations measure ("validation perplexity").</param>
    public static TrainingResult Run(Func<ITrainingObserver, TrainingResult> train, string unit = "examples", string metric = "validation metric")
    {
        ArgumentNullException.ThrowIfNull(train);
        return IsInteractive
            ? RunLive(AnsiConsole.Console, train, unit, metric)
            : train(new ConsoleTrainingLog(Console.Out, unit: unit, metric: metric));
    }

    /// <summary>Runs <paramref name="train"/> under a live progress bar drawn on <paramref name="console"/>.</summary>
    public static TrainingResult RunLive(IAnsiConsole console, Func<ITrainingObserver, TrainingResult> train, string unit = "examples", string metric = "validation metric")
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(train);
        TrainingResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => result = train(new LiveProgress(console, context, unit, metric)));
        return result!;
    }

    /// <summary>Updates one progress task (throttled to ten redraws a second) and prints evaluations above it.</summary>
    private sealed class LiveProgress(IAnsiConsole console, ProgressContext context, string unit, string metric) : ITrainingObserver
    {
        private ProgressTask? _task;
        private DateTime _lastUpdate;

        public void OnStart(long totalSteps, int epochs, int exampleCount, int batchSize)
        {
            _task = context.AddTask("training", maxValue: Math.Max(1, totalSteps));
        }

        public void OnStep(in TrainingProgress progress)
        {
            var now = DateTime.UtcNow;
            if ((now - _lastUpdate).TotalMilliseconds < 100 && progress.Step != progress.TotalSteps)
            {
                return;
            }

            _lastUpdate = now;
            _task!.Value = progress.Step;
            _task.Description = Markup.Escape(
                $"step {progress.Step}/{progress.TotalSteps}  epoch {progress.Epoch + 1}/{progress.Epochs}  loss {progress.Loss:F4}  {progress.ExamplesPerSecond:N0} {unit}/s");
            context.Refresh();
        }

        public void OnEvaluation(long step, int epoch, double value, bool improved) =>
            console.MarkupLine($"step {step} (epoch {epoch + 1}): {Markup.Escape(metric)} [bold]{value:F3}[/]{(improved ? " [green](best so far)[/]" : string.Empty)}");

        public void OnSkippedBatch(long step, int epoch, int batch, string reason) =>
            console.MarkupLine($"step {step} (epoch {epoch + 1}, batch {batch + 1}): [yellow]skipped[/], {Markup.Escape(reason)}");

        public void OnCheckpoint(long step, string path) =>
            console.MarkupLine(Markup.Escape($"step {step}: checkpoint written to {path}"));

        public void OnEnd(TrainingResult result)
        {
            _task?.StopTask();
            console.MarkupLine(Markup.Escape($"stopped after {result.Steps} steps in {result.Elapsed.TotalSeconds:F1} s: {result.StopReason}{ConsoleTrainingLog.DescribeSkipped(result)}"));
        }
    }
}
