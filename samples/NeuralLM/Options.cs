using System.Globalization;
using Brown;

namespace NeuralLM;

/// <summary>The command line of the sample.</summary>
public sealed record Options
{
    public int Order { get; init; } = 5;

    public int Embed { get; init; } = 30;

    public int Hidden { get; init; } = 100;

    public bool Direct { get; init; }

    public int Epochs { get; init; } = 10;

    public int Batch { get; init; } = 128;

    public string Optimizer { get; init; } = "sgd";

    public double? LearningRate { get; init; }

    public string Schedule { get; init; } = "constant";

    public double WeightDecay { get; init; }

    /// <summary>Adam's ε (added to √v): larger values damp the updates of rarely seen words.</summary>
    public double Epsilon { get; init; } = 1e-8;

    public int Threads { get; init; } = Environment.ProcessorCount;

    public ulong Seed { get; init; } = 1;

    public string? Corpus { get; init; }

    public string VocabularyScope { get; init; } = "all";

    public double? MaxMinutes { get; init; }

    public int Patience { get; init; } = 2;

    public string? Checkpoint { get; init; }

    public bool Resume { get; init; }

    public string? Generate { get; init; }

    public int GenerateWords { get; init; } = 25;

    public string Plot { get; init; } = "neural-lm-loss.png";

    /// <summary>Where to write every step's training loss (round-trip precision), to compare runs exactly.</summary>
    public string? LossLog { get; init; }

    public double? ClipNorm { get; init; }

    /// <summary>Also score an interpolated Kneser-Ney trigram and its mixture with the network (the paper's MLP10).</summary>
    public bool MixTrigram { get; init; }

    public double Dropout { get; init; }

    /// <summary>β of the parameters' moving average used for evaluation and the final model; 0: the last iterate.</summary>
    public double Average { get; init; } = 0.99;

    /// <summary>The r of the inverse schedule ε₀/(1 + r·t), t counting updates.</summary>
    public double DecayRate { get; init; } = 1e-4;

    /// <summary>Reduce on plateau: multiply the rate by this when validation stops improving; 1: off.</summary>
    public double PlateauFactor { get; init; } = 1;

    /// <summary>The relative validation improvement that counts as progress for <see cref="PlateauFactor"/>.</summary>
    public double PlateauThreshold { get; init; } = 0.01;

    /// <summary>The learning rate: the option, or a default that suits the optimizer.</summary>
    public double Rate => LearningRate ?? Optimizer switch
    {
        "sgd" => 1.0,
        "adafactor" => 1e-2,
        _ => 1e-3,
    };

    public const string Usage =
        "usage: dotnet run -c Release --project samples/NeuralLM -- [--order n] [--embed m] [--hidden h] [--direct] " +
        "[--epochs n] [--batch n] [--optimizer sgd|adam|adamw|adafactor] [--lr x] [--schedule constant|inverse|step|cosine] [--decay-rate r] " +
        "[--plateau factor] [--plateau-threshold x] [--weight-decay x] [--epsilon x] [--clip-norm x] [--dropout p] [--average beta] [--threads n] [--seed n] [--corpus path.tgz] [--vocab-from all|train|train+valid] " +
        "[--max-minutes x] [--patience n] [--checkpoint path] [--resume] [--generate \"prompt\"] [--words n] [--plot path.png] [--loss-log path.txt] [--mix-trigram]";

    /// <summary>Parses the arguments; throws <see cref="OptionException"/> with a one-line message.</summary>
    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new OptionException($"{name} needs a value");
                }

                return args[++i];
            }

            int Int(int min) =>
                int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
                    ? v
                    : throw new OptionException($"{name} needs a whole number of at least {min}, not '{args[i]}'");

            double Number() =>
                double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v)
                    ? v
                    : throw new OptionException($"{name} needs a non-negative number, not '{args[i]}'");

            double Rate() => Number() is var rate && rate < 1 ? rate : throw new OptionException($"{name} needs a rate in [0, 1), not '{args[i]}'");

            string OneOf(params string[] choices)
            {
                var value = Value();
                return choices.Contains(value) ? value : throw new OptionException($"{name} must be one of {string.Join(", ", choices)}, not '{value}'");
            }

            options = name switch
            {
                "--order" => options with { Order = Int(2) },
                "--embed" => options with { Embed = Int(1) },
                "--hidden" => options with { Hidden = Int(1) },
                "--direct" => options with { Direct = true },
                "--epochs" => options with { Epochs = Int(0) },
                "--batch" => options with { Batch = Int(1) },
                "--optimizer" => options with { Optimizer = OneOf("sgd", "adam", "adamw", "adafactor") },
                "--lr" => options with { LearningRate = Number() },
                "--schedule" => options with { Schedule = OneOf("constant", "inverse", "step", "cosine") },
                "--decay-rate" => options with { DecayRate = Number() },
                "--plateau" => options with { PlateauFactor = Number() is var f && f is > 0 and <= 1 ? f : throw new OptionException($"--plateau needs a factor in (0, 1], not '{args[i]}'") },
                "--plateau-threshold" => options with { PlateauThreshold = Rate() },
                "--weight-decay" => options with { WeightDecay = Number() },
                "--epsilon" => options with { Epsilon = Number() is var e && e > 0 ? e : throw new OptionException($"--epsilon needs a positive number, not '{args[i]}'") },
                "--clip-norm" => options with { ClipNorm = Number() },
                "--dropout" => options with { Dropout = Rate() },
                "--average" => options with { Average = Rate() },
                "--threads" => options with { Threads = Int(1) },
                "--seed" => options with { Seed = (ulong)Int(0) },
                "--corpus" => options with { Corpus = Value() },
                "--vocab-from" => options with { VocabularyScope = OneOf("all", "train", "train+valid") },
                "--max-minutes" => options with { MaxMinutes = Number() },
                "--patience" => options with { Patience = Int(0) },
                "--checkpoint" => options with { Checkpoint = Value() },
                "--resume" => options with { Resume = true },
                "--generate" => options with { Generate = Value() },
                "--words" => options with { GenerateWords = Int(1) },
                "--plot" => options with { Plot = Value() },
                "--loss-log" => options with { LossLog = Value() },
                "--mix-trigram" => options with { MixTrigram = true },
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

