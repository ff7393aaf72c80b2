using Brown;

namespace RecurrentLM;

/// <summary>The command line of the sample: the shared flags of <see cref="SampleOptions"/> and the network's own.</summary>
public sealed record Options : SampleOptions
{
    /// <summary>This sample's defaults for the shared flags that the two samples set differently.</summary>
    public Options()
        : base(optimizer: "adam", epochs: 4, plot: "recurrent-lm-loss.png")
    {
        ClipNorm = 1.0;
        PlateauFactor = 0.5;
    }

    public int Embed { get; init; } = 64;

    public int Hidden { get; init; } = 128;

    public int Bptt { get; init; } = 20;

    public int Batch { get; init; } = 32;

    public bool Recompute { get; init; }

    protected override IReadOnlyList<(string Name, double DefaultRate)> OptimizerChoices =>
        [("sgd", 1.0), ("adam", 2e-3), ("adafactor", 2e-3)];

    protected override string Usage =>
        "usage: dotnet run -c Release --project samples/RecurrentLM -- [--embed m] [--hidden h] [--bptt steps] [--batch streams] " +
        "[--epochs n] [--optimizer sgd|adam|adafactor] [--lr x] [--clip-norm x] [--average beta] [--plateau factor] [--patience n] [--recompute] " +
        "[--threads n] [--seed n] [--corpus path.tgz] [--vocab-from all|train|train+valid] [--max-minutes x] [--checkpoint path] [--checkpoint-every minutes] [--keep-checkpoints k] [--resume] [--plot path.png]";

    /// <summary>Parses the arguments; throws <see cref="OptionException"/> with a one-line message, or <see cref="HelpRequestedException"/> for <c>--help</c>.</summary>
    public static Options Parse(string[] args) => Parse(args, new Options());

    protected override SampleOptions? ReadOwn(ArgumentReader read) => read.Name switch
    {
        "--embed" => this with { Embed = read.Int(1) },
        "--hidden" => this with { Hidden = read.Int(1) },
        "--bptt" => this with { Bptt = read.Int(1) },
        "--batch" => this with { Batch = read.Int(1) },
        "--recompute" => this with { Recompute = true },
        _ => null,
    };
}
