using System.Globalization;
using SymDiff;

namespace Brown;

/// <summary>The samples' <c>--resume</c>: a checkpoint is only resumed by the model and settings that wrote it.</summary>
public static class SampleCheckpoint
{
    /// <summary>
    /// Ties the trainer's checkpoints to the run's settings (the model's <paramref name="shape"/>, the optimizer and
    /// its rate, the sample's <paramref name="ownSettings"/> that change training, the corpus and vocabulary), then
    /// with <c>--resume</c> restores the trainer from the checkpoint (see <see cref="Resume"/>).
    /// </summary>
    public static void Prepare(Trainer<float> trainer, SampleOptions options, object shape, string ownSettings, BrownCorpus corpus, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(data);
        trainer.Metadata["model"] = string.Create(CultureInfo.InvariantCulture,
            $"{shape} {options.Optimizer} lr={options.Rate} {ownSettings} corpus={corpus.Source} vocab-from={data.VocabularyScope}");
        if (options.Resume)
        {
            Resume(trainer, options.Checkpoint, scoreBest: options.Epochs == 0);
        }
    }

    /// <summary>
    /// Loads <paramref name="path"/>, checks that it was written for the settings in the trainer's
    /// <c>Metadata["model"]</c>, restores the trainer from it (and with <paramref name="scoreBest"/> puts in the best model
    /// it kept, for scoring without training) and says so; a missing or foreign file is a one-line error.
    /// </summary>
    public static void Resume(Trainer<float> trainer, string? path, bool scoreBest)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var checkpoint = File.Exists(path)
            ? CheckpointFile.Load<float>(path)
            : throw new InvalidDataException($"--resume: no checkpoint at '{path}'");
        var settings = trainer.Metadata.GetValueOrDefault("model");
        if (checkpoint.Metadata.GetValueOrDefault("model") != settings)
        {
            throw new InvalidDataException($"checkpoint '{path}' is for \"{checkpoint.Metadata.GetValueOrDefault("model")}\", not \"{settings}\"");
        }

        trainer.Restore(checkpoint);
        if (scoreBest && trainer.UseBest())
        {
            // Nothing more to train: score the best model the run kept, as the end of a finished run would.
            Console.WriteLine($"loaded the best model of {path} (step {checkpoint.Metadata.GetValueOrDefault("bestStep")})");
            return;
        }

        Console.WriteLine($"resumed from {path} at step {checkpoint.Step} (epoch {checkpoint.Epoch + 1}, batch {checkpoint.NextBatch})");
    }
}
