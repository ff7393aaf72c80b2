using System.Globalization;
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
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new OptionException($"{name} needs a value");

            int Int(int min) =>
                int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
                    ? v
                    : throw new OptionException($"{name} needs a whole number of at least {min}, not '{args[i]}'");

            double Number() =>
                double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
                    ? v
                    : throw new OptionException($"{name} needs a positive number, not '{args[i]}'");

            string OneOf(params string[] choices) =>
                Value() is var value && choices.Contains(value)
                    ? value
                    : throw new OptionException($"{name} must be one of {string.Join(", ", choices)}, not '{args[i]}'");

            options = name switch
            {
                "--embed" => options with { Embed = Int(1) },
                "--hidden" => options with { Hidden = Int(1) },
                "--bptt" => options with { Bptt = Int(1) },
                "--batch" => options with { Batch = Int(1) },
                "--epochs" => options with { Epochs = Int(0) },
                "--optimizer" => options with { Optimizer = OneOf("sgd", "adam", "adafactor") },
                "--lr" => options with { LearningRate = Number() },
                "--clip-norm" => options with { ClipNorm = Number() },
                "--average" => options with { Average = Number() is var beta && beta < 1 ? beta : throw new OptionException($"--average needs a β in (0, 1), not '{args[i]}'") },
                "--plateau" => options with { PlateauFactor = Number() is var f && f <= 1 ? f : throw new OptionException($"--plateau needs a factor in (0, 1], not '{args[i]}'") },
                "--patience" => options with { Patience = Int(0) },
                "--recompute" => options with { Recompute = true },
                "--threads" => options with { Threads = Int(1) },
                "--seed" => options with { Seed = (ulong)Int(0) },
                "--corpus" => options with { Corpus = Value() },
                "--vocab-from" => options with { VocabularyScope = OneOf("all", "train", "train+valid") },
                "--max-minutes" => options with { MaxMinutes = Number() },
                "--plot" => options with { Plot = Value() },
                "--checkpoint" => options with { Checkpoint = Value() },
                "--resume" => options with { Resume = true },
                "--help" or "-h" => throw new OptionException(Usage),
                _ => throw new OptionException($"unknown option '{name}' (--help lists them)"),
            };
        }

        if (options.Resume && options.Checkpoint is null)
        {
            throw new OptionException("--resume needs --checkpoint <path>");
        }

        return options;
    }
}

