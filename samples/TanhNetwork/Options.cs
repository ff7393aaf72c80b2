using System.Globalization;

namespace TanhNetwork;

/// <summary>
/// Command-line options of the sample. Kept apart from the language-model samples' shared reader (in Brown), so
/// that this sample needs nothing but the runtime.
/// </summary>
public sealed record Options(double LearningRate, int Steps, double W1, double W2, int Seed, int PrintEvery)
{
    public const string Usage = "usage: dotnet run --project samples/TanhNetwork -- [--lr 0.5] [--steps 500] [--w1 0.5] [--w2 0.5] [--seed 1] [--print-every 25]";

    /// <summary>True for <c>--help</c>: print <see cref="Usage"/> and exit 0 rather than train.</summary>
    public bool Help { get; init; }

    /// <summary>
    /// Parses the arguments; throws <see cref="FormatException"/> with a one-line message naming the option and the
    /// bad value.
    /// </summary>
    public static Options Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new Options(LearningRate: 0.5, Steps: 500, W1: 0.5, W2: 0.5, Seed: 1, PrintEvery: 25);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value");
            double Number(bool positive)
            {
                var text = Next();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && (!positive || value > 0)
                    ? value
                    : throw new FormatException($"{name} needs {(positive ? "a positive" : "a")} number, not '{text}'");
            }

            int Whole(int min)
            {
                var text = Next();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
                    ? value
                    : throw new FormatException($"{name} needs a whole number of at least {min}, not '{text}'");
            }

            options = name switch
            {
                "--lr" => options with { LearningRate = Number(positive: true) },
                "--steps" => options with { Steps = Whole(0) },
                "--w1" => options with { W1 = Number(positive: false) },
                "--w2" => options with { W2 = Number(positive: false) },
                "--seed" => options with { Seed = Whole(0) },
                "--print-every" => options with { PrintEvery = Whole(1) },
                "--help" or "-h" => options with { Help = true },
                _ => throw new FormatException($"unknown option '{name}' (--help lists them)"),
            };

            if (options.Help)
            {
                return options; // --help wins over whatever follows it
            }
        }

        return options;
    }
}
