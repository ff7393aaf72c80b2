using SymDiff;

namespace Brown;

/// <summary>
/// The command-line flags both language-model samples take (data, optimizer, length of training, checkpoints,
/// plot) and their parser; each sample's <c>Options</c> adds its model's flags and picks its defaults.
/// </summary>
public abstract record SampleOptions
{
    /// <summary>The defaults that differ between the samples; the other shared flags start off.</summary>
    protected SampleOptions(string optimizer, int epochs, string plot)
    {
        Optimizer = optimizer;
        Epochs = epochs;
        Plot = plot;
    }

    public int Epochs { get; init; }

    public string Optimizer { get; init; }

    public double? LearningRate { get; init; }

    /// <summary>Clip the gradients' global norm to this; null: no clipping.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>β of the parameters' moving average used for evaluation and the final model; null: off.</summary>
    public double? Average { get; init; }

    /// <summary>Reduce on plateau: multiply the rate by this when validation stops improving; 1: off.</summary>
    public double PlateauFactor { get; init; } = 1;

    public int Patience { get; init; } = 2;

    public int Threads { get; init; } = Environment.ProcessorCount;

    public ulong Seed { get; init; } = 1;

    public string? Corpus { get; init; }

    public string VocabularyScope { get; init; } = "all";

    public double? MaxMinutes { get; init; }

    public string? Checkpoint { get; init; }

    /// <summary>Minutes between checkpoints within an epoch, with <c>--checkpoint</c>; 0: only after each evaluation.</summary>
    public double CheckpointMinutes { get; init; } = DefaultCheckpointMinutes;

    /// <summary>Also keep the last this many checkpoints, named with their step; 0: only the latest.</summary>
    public int KeepCheckpoints { get; init; }

    public bool Resume { get; init; }

    /// <summary>The command line as given, for the line that says how to resume an interrupted run.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// The default of <c>--checkpoint-every</c>: a crash (or a kill without warning) loses at most this much
    /// training, and writing the checkpoint costs a small fraction of it.
    /// </summary>
    public const double DefaultCheckpointMinutes = 10;

    public string Plot { get; init; }

    /// <summary>The learning rate: the option, or the default that suits the optimizer.</summary>
    public double Rate => LearningRate ?? OptimizerChoices.First(choice => choice.Name == Optimizer).DefaultRate;

    /// <summary>The optimizers the sample offers, in the order its errors list them, each with its default rate.</summary>
    protected abstract IReadOnlyList<(string Name, double DefaultRate)> OptimizerChoices { get; }

    /// <summary>The sample's <c>--help</c> text, starting with "usage:".</summary>
    protected abstract string Usage { get; }

    /// <summary>The moving average's β for the trainer: <see cref="Average"/> unless the sample reads it otherwise.</summary>
    protected virtual double? AverageDecay => Average;

    /// <summary>The trainer's options that the shared flags set; the sample adds how it batches.</summary>
    public TrainingOptions Training() => new()
    {
        Epochs = Epochs,
        Seed = Seed,
        ClipGradientNorm = ClipNorm,
        AverageDecay = AverageDecay,
        Patience = Patience,
        PlateauFactor = PlateauFactor,
        PlateauThreshold = 0.01,
        MaxDuration = MaxMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
        CheckpointPath = Checkpoint,
        CheckpointInterval = Checkpoint is not null && CheckpointMinutes > 0 ? TimeSpan.FromMinutes(CheckpointMinutes) : null,
        KeepCheckpoints = KeepCheckpoints,
        RestoreBest = true,
    };

    /// <summary>
    /// Parses the arguments into <paramref name="defaults"/>, each flag read by the sample's own reader or else the
    /// shared one, then checks the flags together; throws <see cref="OptionException"/> with a one-line message, or
    /// <see cref="HelpRequestedException"/> with the usage for <c>--help</c>.
    /// </summary>
    protected static TOptions Parse<TOptions>(string[] args, TOptions defaults)
        where TOptions : SampleOptions
    {
        SampleOptions options = defaults;
        var read = new ArgumentReader(args);
        while (read.Next())
        {
            options = options.ReadOwn(read) ?? options.ReadShared(read);
        }

        foreach (var flag in new[] { "--resume", "--checkpoint-every", "--keep-checkpoints" })
        {
            if (options.Checkpoint is null && args.Contains(flag))
            {
                throw new OptionException($"{flag} needs --checkpoint <path>");
            }
        }

        if (options.Epochs == 0 && !options.Resume)
        {
            // Without a checkpoint there is nothing to score but the random initialization.
            throw new OptionException("--epochs 0 only scores a resumed model: add --resume --checkpoint <path>, or train with --epochs 1 or more");
        }

        CheckPlot(options.Plot);
        return (TOptions)(options with { Arguments = [.. args] }); // `with` keeps the sample's type
    }

    /// <summary>
    /// The plot is written after training: a path that cannot be written fails now, not after the run, and a
    /// mistyped folder is an error rather than a new folder.
    /// </summary>
    private static void CheckPlot(string plot)
    {
        if (string.IsNullOrWhiteSpace(plot))
        {
            throw new OptionException("--plot needs a file path, not an empty one");
        }

        var full = Path.GetFullPath(plot);
        if (Directory.Exists(full))
        {
            throw new OptionException($"--plot '{plot}' is a folder: give a file path such as '{Path.Combine(plot, "loss.png")}'");
        }

        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new OptionException($"--plot '{plot}': the folder '{folder}' does not exist (create it first, or pick another path)");
        }
    }

    /// <summary>A copy with the flag just named read, if it is one of the sample's own; otherwise null.</summary>
    protected abstract SampleOptions? ReadOwn(ArgumentReader read);

    private SampleOptions ReadShared(ArgumentReader read) => read.Name switch
    {
        "--epochs" => this with { Epochs = read.Int(0) },
        "--optimizer" => this with { Optimizer = read.OneOf([.. OptimizerChoices.Select(choice => choice.Name)]) },
        "--lr" => this with { LearningRate = read.Positive() },
        "--clip-norm" => this with { ClipNorm = read.Positive() },
        "--average" => this with { Average = read.Rate() },
        "--plateau" => this with { PlateauFactor = read.Factor() },
        "--patience" => this with { Patience = read.Int(0) },
        "--threads" => this with { Threads = read.Int(1) },
        "--seed" => this with { Seed = (ulong)read.Int(0) },
        "--corpus" => this with { Corpus = read.Value() },
        "--vocab-from" => this with { VocabularyScope = read.OneOf("all", "train", "train+valid") },
        "--max-minutes" => this with { MaxMinutes = read.Positive() },
        "--checkpoint" => this with { Checkpoint = read.Value() },
        "--checkpoint-every" => this with { CheckpointMinutes = read.NonNegative() },
        "--keep-checkpoints" => this with { KeepCheckpoints = read.Int(0) },
        "--resume" => this with { Resume = true },
        "--plot" => this with { Plot = read.Value() },
        "--help" or "-h" => throw new HelpRequestedException(Usage),
        _ => throw read.Unknown(),
    };
}
