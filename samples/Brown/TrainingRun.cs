using System.Globalization;
using SymDiff;
using SymDiff.Reporting;

namespace Brown;

/// <summary>
/// A language-model sample's training as the console shows it: the progress display, a line per epoch, the test
/// line, the loss curve and the final RESULT line that CI and the tests parse. Both samples print them alike, so
/// their runs compare line by line.
/// </summary>
public sealed class TrainingRun
{
    private const string Metric = "validation perplexity";

    private readonly Trainer<float> _trainer;
    private readonly Throughput _throughput;
    private readonly SampleOptions _options;
    private int _lossesAtLastEpoch;

    /// <summary>
    /// Reports on the trainer as it stands: built after a resume, it goes on counting the run's epochs (a resume
    /// mid-epoch counts that epoch's training loss from its start, as the uninterrupted run did).
    /// </summary>
    public TrainingRun(Trainer<float> trainer, Throughput throughput, SampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(throughput);
        ArgumentNullException.ThrowIfNull(options);
        _trainer = trainer;
        _throughput = throughput;
        _options = options;
        _lossesAtLastEpoch = trainer.Evaluations.Count == 0 ? 0 : (int)Math.Min(trainer.Losses.Count, trainer.Evaluations[^1].Step);
        Epochs = trainer.Evaluations.Count;
    }

    /// <summary>Epochs evaluated so far, a resumed run's included.</summary>
    public int Epochs { get; private set; }

    /// <summary>
    /// Trains the trainer's epochs of <paramref name="examples"/> under the progress display, evaluating each with
    /// <paramref name="validate"/>, and returns the best validation perplexity. Without training (no epochs asked, or
    /// none evaluated) it is the model's as it stands: with <c>--epochs 0 --resume</c>, the checkpoint's best. With a
    /// checkpoint, SIGINT (Ctrl+C) and SIGTERM stop training after the step in progress and its checkpoint: then it
    /// throws <see cref="RunInterruptedException"/>, which says how to resume.
    /// </summary>
    public double Train(int examples, BatchStep<float> step, string unit, Func<double> validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        var best = double.PositiveInfinity;
        if (_trainer.Options.Epochs > 0)
        {
            // Without a checkpoint there is nothing to save: the signals keep their default action and end the process.
            using var signals = _options.Checkpoint is null ? null : new StopSignals(_trainer.RequestStop);
            var result = TrainingConsole.Run(observer => _trainer.Train(examples, step, () => Epoch(validate()), observer), unit, Metric);
            if (signals?.Received is { } signal)
            {
                // The trainer wrote a checkpoint when it stopped (also if it finished just as the signal came).
                throw new RunInterruptedException(
                    $"{signal}: stopped after step {result.Steps}, checkpoint written to {Path.GetFullPath(_options.Checkpoint!)}; " +
                    $"to resume, run the sample again with: {ResumeFlags(_options.Arguments)}",
                    signals.ExitCode);
            }

            best = result.BestMetric;
        }

        return double.IsPositiveInfinity(best) ? validate() : best;
    }

    /// <summary>The command line that resumes a run: its own flags, with <c>--resume</c> added, quoted for a POSIX shell.</summary>
    public static string ResumeFlags(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var flags = arguments.Contains("--resume") ? arguments : [.. arguments, "--resume"];
        return string.Join(' ', flags.Select(Quote));
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=+,@%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The line under the training: test perplexity against the best validation and the unigram baseline.</summary>
    public void WriteTest(double bestValidation, double test, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Console.WriteLine($"test perplexity {test:F1} (best validation {bestValidation:F1}; unigram baseline {data.UnigramPerplexity(data.Test):F1})");
    }

    /// <summary>Saves the loss curve with the evaluations to <paramref name="path"/>, if any step was trained.</summary>
    public void SavePlot(string path, string title)
    {
        if (_trainer.Losses.Count > 0)
        {
            LossPlot.Save(path, _trainer.Losses, _trainer.Evaluations, title, Metric);
            Console.WriteLine($"loss curve: {Path.GetFullPath(path)}");
        }
    }

    /// <summary>The last line, one that scripts parse: invariant numbers, fixed field names.</summary>
    public void WriteResult(double bestValidation, double test, int vocabularySize) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT valid_ppl={bestValidation:F2} test_ppl={test:F2} epochs={Epochs} tokens_per_s={_throughput.TokensPerSecond:F0} vocab={vocabularySize}"));

    /// <summary>The line after each epoch's evaluation: the epoch's mean training loss as a perplexity, the validation, the speed.</summary>
    private double Epoch(double validation)
    {
        var recent = _trainer.Losses.Skip(_lossesAtLastEpoch).ToList();
        _lossesAtLastEpoch = _trainer.Losses.Count;
        Epochs++;
        TrainingConsole.WriteLine($"epoch {Epochs}: train perplexity {Math.Exp(recent.DefaultIfEmpty(double.NaN).Average()):F1}, validation perplexity {validation:F1}, {_throughput.TokensPerSecond:N0} tokens/s");
        return validation;
    }
}
