using Brown;

namespace RecurrentLM;

/// <summary>The command line of the sample.</summary>
public sealed record Options
{
    public int Embed { get; init; } = 64;

    public int Hidden { get; init; } = 128;

    public int Bptt { get; init; } = 20;

    public int Batch { get; init; } = 32;

    public int Epochs { get; init; } = 4;

    public string Optimizer { get; init; } = "adam";

    public double? LearningRate { get; init; }

    public double ClipNorm { get; init; } = 1.0;

    /// <summary>β of the parameters' moving average used for evaluation and the final model; null: off.</summary>
    public double? Average { get; init; }

    public double PlateauFactor { get; init; } = 0.5;

    public int Patience { get; init; } = 2;

    public bool Recompute { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    public ulong Seed { get; init; } = 1;

    public string? Corpus { get; init; }

    public string VocabularyScope { get; init; } = "all";

    public double? MaxMinutes { get; init; }

    public string Plot { get; init; } = "recurrent-lm-loss.png";

    public string? Checkpoint { get; init; }

    public bool Resume { get; init; }

    public double Rate => LearningRate ?? (Optimizer == "sgd" ? 1.0 : 2e-3);

    public const string Usage =
        "usage: dotnet run -c Release --project samples/RecurrentLM -- [--embed m] [--hidden h] [--bptt steps] [--batch streams] " +
        "[--epochs n] [--optimizer sgd|adam|adafactor] [--lr x] [--clip-norm x] [--average beta] [--plateau factor] [--patience n] [--recompute] " +
        "[--threads n] [--seed n] [--corpus path.tgz] [--vocab-from all|train|train+valid] [--max-minutes x] [--checkpoint path] [--resume] [--plot path.png]";

    /// <summary>Parses the arguments; throws <see cref="OptionException"/> with a one-line message.</summary>
    public static Options Parse(string[] args)
    {
        var options = new Options();
        var read = new ArgumentReader(args);
        while (read.Next())
        {
            options = read.Name switch
            {
                "--embed" => options with { Embed = read.Int(1) },
                "--hidden" => options with { Hidden = read.Int(1) },
                "--bptt" => options with { Bptt = read.Int(1) },
                "--batch" => options with { Batch = read.Int(1) },
                "--epochs" => options with { Epochs = read.Int(0) },
                "--optimizer" => options with { Optimizer = read.OneOf("sgd", "adam", "adafactor") },
                "--lr" => options with { LearningRate = read.Positive() },
                "--clip-norm" => options with { ClipNorm = read.Positive() },
                "--average" => options with { Average = read.Rate() },
                "--plateau" => options with { PlateauFactor = read.Factor() },
                "--patience" => options with { Patience = read.Int(0) },
                "--recompute" => options with { Recompute = true },
                "--threads" => options with { Threads = read.Int(1) },
                "--seed" => options with { Seed = (ulong)read.Int(0) },
                "--corpus" => options with { Corpus = read.Value() },
                "--vocab-from" => options with { VocabularyScope = read.OneOf("all", "train", "train+valid") },
                "--max-minutes" => options with { MaxMinutes = read.Positive() },
                "--plot" => options with { Plot = read.Value() },
                "--checkpoint" => options with { Checkpoint = read.Value() },
                "--resume" => options with { Resume = true },
                "--help" or "-h" => throw new OptionException(Usage),
                _ => throw read.Unknown(),
            };
        }

        if (options.Resume && options.Checkpoint is null)
        {
            throw new OptionException("--resume needs --checkpoint <path>");
        }

        return options;
    }
}

