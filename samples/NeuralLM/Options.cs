using Brown;

namespace NeuralLM;

/// <summary>The command line of the sample: the shared flags of <see cref="SampleOptions"/> and the model's own.</summary>
public sealed record Options : SampleOptions
{
    /// <summary>This sample's defaults for the shared flags that the two samples set differently.</summary>
    public Options()
        : base(optimizer: "sgd", epochs: 10, plot: "neural-lm-loss.png")
    {
        Average = 0.99;
    }

    public int Order { get; init; } = 5;

    public int Embed { get; init; } = 30;

    public int Hidden { get; init; } = 100;

    public bool Direct { get; init; }

    public int Batch { get; init; } = 128;

    public string Schedule { get; init; } = "constant";

    public double WeightDecay { get; init; }

    /// <summary>Adam's ε (added to √v): larger values damp the updates of rarely seen words.</summary>
    public double Epsilon { get; init; } = 1e-8;

    public string? Generate { get; init; }

    public int GenerateWords { get; init; } = 25;

    /// <summary>Where to write every step's training loss (round-trip precision), to compare runs exactly.</summary>
    public string? LossLog { get; init; }

    /// <summary>Also score an interpolated Kneser-Ney trigram and its mixture with the network (the paper's MLP10).</summary>
    public bool MixTrigram { get; init; }

    public double Dropout { get; init; }

    /// <summary>Data-parallel training over the ranks of an MPI job (start it with <c>mpirun -np N</c>; docs/distributed.md).</summary>
    public bool Distributed { get; init; }

    /// <summary>With --distributed: each rank runs its part of the optimizer step (TrainingOptions.ShardOptimizer).</summary>
    public bool ShardOptimizer { get; init; }

    /// <summary>The r of the inverse schedule ε₀/(1 + r·t), t counting updates.</summary>
    public double DecayRate { get; init; } = 1e-4;

    /// <summary>The relative validation improvement that counts as progress for <see cref="SampleOptions.PlateauFactor"/>.</summary>
    public double PlateauThreshold { get; init; } = 0.01;

    protected override IReadOnlyList<(string Name, double DefaultRate)> OptimizerChoices =>
        [("sgd", 1.0), ("adam", 1e-3), ("adamw", 1e-3), ("adafactor", 1e-2)];

    /// <summary><c>--average 0</c> evaluates the last iterate.</summary>
    protected override double? AverageDecay => Average > 0 ? Average : null;

    protected override string Usage =>
        "usage: dotnet run -c Release --project samples/NeuralLM -- [--order n] [--embed m] [--hidden h] [--direct] " +
        "[--epochs n] [--batch n] [--optimizer sgd|adam|adamw|adafactor] [--lr x] [--schedule constant|inverse|step|cosine] [--decay-rate r] " +
        "[--plateau factor] [--plateau-threshold x] [--weight-decay x] [--epsilon x] [--clip-norm x] [--dropout p] [--average beta] [--threads n] [--seed n] [--corpus path.tgz] [--vocab-from all|train|train+valid] " +
        "[--max-minutes x] [--patience n] [--checkpoint path] [--checkpoint-every minutes] [--keep-checkpoints k] [--resume] [--generate \"prompt\"] [--words n] [--plot path.png] [--loss-log path.txt] [--mix-trigram] [--distributed [--shard-optimizer]]";

    /// <summary>Parses the arguments; throws <see cref="OptionException"/> with a one-line message, or <see cref="HelpRequestedException"/> for <c>--help</c>.</summary>
    public static Options Parse(string[] args) => Parse(args, new Options());

    protected override SampleOptions? ReadOwn(ArgumentReader read) => read.Name switch
    {
        "--order" => this with { Order = read.Int(2) },
        "--embed" => this with { Embed = read.Int(1) },
        "--hidden" => this with { Hidden = read.Int(1) },
        "--direct" => this with { Direct = true },
        "--batch" => this with { Batch = read.Int(1) },
        "--schedule" => this with { Schedule = read.OneOf("constant", "inverse", "step", "cosine") },
        "--decay-rate" => this with { DecayRate = read.NonNegative() },
        "--plateau-threshold" => this with { PlateauThreshold = read.Rate() },
        "--weight-decay" => this with { WeightDecay = read.NonNegative() },
        "--epsilon" => this with { Epsilon = read.Positive() },
        "--dropout" => this with { Dropout = read.Rate() },
        "--generate" => this with { Generate = read.Value() },
        "--words" => this with { GenerateWords = read.Int(1) },
        "--loss-log" => this with { LossLog = read.Value() },
        "--mix-trigram" => this with { MixTrigram = true },
        "--distributed" => this with { Distributed = true },
        "--shard-optimizer" => this with { ShardOptimizer = true },
        _ => null,
    };
}
