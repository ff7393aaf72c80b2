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
        var read = new ArgumentReader(args);
        while (read.Next())
        {
            options = read.Name switch
            {
                "--order" => options with { Order = read.Int(2) },
                "--embed" => options with { Embed = read.Int(1) },
                "--hidden" => options with { Hidden = read.Int(1) },
                "--direct" => options with { Direct = true },
                "--epochs" => options with { Epochs = read.Int(0) },
                "--batch" => options with { Batch = read.Int(1) },
                "--optimizer" => options with { Optimizer = read.OneOf("sgd", "adam", "adamw", "adafactor") },
                "--lr" => options with { LearningRate = read.Positive() },
                "--schedule" => options with { Schedule = read.OneOf("constant", "inverse", "step", "cosine") },
                "--decay-rate" => options with { DecayRate = read.NonNegative() },
                "--plateau" => options with { PlateauFactor = read.Factor() },
                "--plateau-threshold" => options with { PlateauThreshold = read.Rate() },
                "--weight-decay" => options with { WeightDecay = read.NonNegative() },
                "--epsilon" => options with { Epsilon = read.Positive() },
                "--clip-norm" => options with { ClipNorm = read.Positive() },
                "--dropout" => options with { Dropout = read.Rate() },
                "--average" => options with { Average = read.Rate() },
                "--threads" => options with { Threads = read.Int(1) },
                "--seed" => options with { Seed = (ulong)read.Int(0) },
                "--corpus" => options with { Corpus = read.Value() },
                "--vocab-from" => options with { VocabularyScope = read.OneOf("all", "train", "train+valid") },
                "--max-minutes" => options with { MaxMinutes = read.Positive() },
                "--patience" => options with { Patience = read.Int(0) },
                "--checkpoint" => options with { Checkpoint = read.Value() },
                "--resume" => options with { Resume = true },
                "--generate" => options with { Generate = read.Value() },
                "--words" => options with { GenerateWords = read.Int(1) },
                "--plot" => options with { Plot = read.Value() },
                "--loss-log" => options with { LossLog = read.Value() },
                "--mix-trigram" => options with { MixTrigram = true },
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

