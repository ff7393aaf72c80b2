using Brown;

namespace TransformerLM;

/// <summary>The command line of the sample: the shared flags of <see cref="SampleOptions"/> and the model's own.</summary>
public sealed record Options : SampleOptions
{
    /// <summary>This sample's defaults for the shared flags.</summary>
    public Options()
        : base(optimizer: "adamw", epochs: 12, plot: "transformer-lm-loss.png")
    {
        // The recipe of docs/results.md's Transformer row: `--corpus <tgz>` alone reproduces it.
        ClipNorm = 1.0;
        Average = 0.999;
    }

    public int Layers { get; init; } = 4;

    public int Width { get; init; } = 128;

    public int Heads { get; init; } = 4;

    /// <summary>The MLP's hidden width; 0: four times the width.</summary>
    public int Hidden { get; init; }

    public int Context { get; init; } = 64;

    /// <summary>Sequences (windows of <see cref="Context"/> tokens) per update.</summary>
    public int Batch { get; init; } = 16;

    public bool Untied { get; init; }

    public double Dropout { get; init; } = 0.1;

    /// <summary>AdamW's decoupled weight decay λ.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Updates of linear warm-up before the cosine decay.</summary>
    public int Warmup { get; init; } = 500;

    public string? Generate { get; init; }

    public int GenerateWords { get; init; } = 25;

    protected override IReadOnlyList<(string Name, double DefaultRate)> OptimizerChoices =>
        [("adamw", 2e-3), ("adam", 2e-3), ("sgd", 0.5), ("adafactor", 2e-3)];

    /// <summary><c>--average 0</c> evaluates the last iterate.</summary>
    protected override double? AverageDecay => Average > 0 ? Average : null;

    protected override string Usage =>
        "usage: dotnet run -c Release --project samples/TransformerLM -- [--layers n] [--width d] [--heads h] [--mlp width] [--context T] [--batch sequences] [--untied] " +
        "[--epochs n] [--optimizer adamw|adam|sgd|adafactor] [--lr x] [--warmup steps] [--weight-decay x] [--dropout p] [--clip-norm x] [--average beta] [--threads n] [--seed n] " +
        "[--corpus path.tgz] [--vocab-from all|train|train+valid] [--max-minutes x] [--patience n] [--checkpoint path] [--checkpoint-every minutes] [--keep-checkpoints k] [--resume] " +
        "[--generate \"prompt\"] [--words n] [--plot path.png]";

    /// <summary>Parses the arguments; throws <see cref="OptionException"/> with a one-line message, or <see cref="HelpRequestedException"/> for <c>--help</c>.</summary>
    public static Options Parse(string[] args)
    {
        var options = Parse(args, new Options());
        if (options.Width % options.Heads != 0)
        {
            throw new OptionException($"--width {options.Width} is not a multiple of --heads {options.Heads}");
        }

        return options;
    }

    /// <summary>The MLP's hidden width.</summary>
    public int MlpWidth => Hidden > 0 ? Hidden : 4 * Width;

    protected override SampleOptions? ReadOwn(ArgumentReader read) => read.Name switch
    {
        "--layers" => this with { Layers = read.Int(1) },
        "--width" => this with { Width = read.Int(1) },
        "--heads" => this with { Heads = read.Int(1) },
        "--mlp" => this with { Hidden = read.Int(1) },
        "--context" => this with { Context = read.Int(2) },
        "--batch" => this with { Batch = read.Int(1) },
        "--untied" => this with { Untied = true },
        "--dropout" => this with { Dropout = read.Rate() },
        "--weight-decay" => this with { WeightDecay = read.NonNegative() },
        "--warmup" => this with { Warmup = read.Int(0) },
        "--generate" => this with { Generate = read.Value() },
        "--words" => this with { GenerateWords = read.Int(1) },
        _ => null,
    };
}
