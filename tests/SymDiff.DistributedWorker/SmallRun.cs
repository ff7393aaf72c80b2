using System.Globalization;
using NeuralLM;
using SymDiff.Distributed;

namespace SymDiff.DistributedWorker;

/// <summary>What a run leaves: every step's loss and every evaluation.</summary>
public sealed record Trained(IReadOnlyList<double> Losses, IReadOnlyList<(long Step, double Metric)> Evaluations)
{
    /// <summary>Writes the losses, then the evaluations, one per line at round-trip precision (atomically).</summary>
    public void Write(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        foreach (var loss in Losses)
        {
            writer.WriteLine(loss.ToString("R", CultureInfo.InvariantCulture));
        }

        foreach (var (step, metric) in Evaluations)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eval {step} {metric:R}"));
        }
    });

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static Trained Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var losses = lines.Where(line => !line.StartsWith("eval ", StringComparison.Ordinal)).Select(line => double.Parse(line, CultureInfo.InvariantCulture)).ToList();
        var evaluations = lines.Where(line => line.StartsWith("eval ", StringComparison.Ordinal))
            .Select(line => line.Split(' '))
            .Select(parts => (long.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture)))
            .ToList();
        return new Trained(losses, evaluations);
    }
}

/// <summary>
/// The Bengio et al. language model of the NeuralLM sample, small (|V| = 40, n = 3, m = 8, h = 16), trained with Adam on
/// a synthetic corpus with structure to learn: the same run in one process (<c>world</c> null) or on the ranks of a job.
/// The global batch of 25 splits unevenly over two ranks (12 + 13), so the weighting of the parts is exercised;
/// clipping, averaging and evaluations every 40 steps (split over the ranks) are on.
/// </summary>
public sealed record SmallRun
{
    public const int Steps = 120;

    private static readonly ModelShape Shape = new(Order: 3, Embed: 8, Hidden: 16, Direct: false, Vocabulary: 40);

    public string? Checkpoint { get; init; }

    public long MaxSteps { get; init; } = Steps;

    public bool Resume { get; init; }

    /// <summary>
    /// Checkpoint by time, on a clock only rank 0's says is due (after every batch there, never elsewhere): the ranks must
    /// still agree on when to take a checkpoint, since gathering the sharded optimizer state is collective.
    /// </summary>
    public bool CheckpointByRankZerosClock { get; init; }

    /// <summary>Split the optimizer's update between the ranks (every parameter of this small model: see TrainingOptions.ShardOptimizer).</summary>
    public bool Shard { get; init; } = true;

    /// <summary>The rank whose step throws at <see cref="FailAtStep"/>; −1: none.</summary>
    public int FailingRank { get; init; } = -1;

    public long FailAtStep { get; init; }

    public Trained Train(Communicator? world)
    {
        var parameters = LanguageModel.CreateParameters(Shape, new Rng(world is null ? 3UL : 3UL + (ulong)world.Rank)); // ranks start apart: the broadcast must fix it
        var optimizer = new Adam<float>(parameters, 0.05);
        var trainer = new Trainer<float>(parameters, optimizer, new ConstantSchedule(0.05), new TrainingOptions
        {
            Epochs = 3, BatchSize = 25, Seed = 7, EvaluateEvery = 40, AverageDecay = 0.9, ClipGradientNorm = 5,
            MaxSteps = MaxSteps, CheckpointPath = Checkpoint, Communicator = world,
            ShardOptimizer = Shard, ShardFrom = 1,
            CheckpointInterval = CheckpointByRankZerosClock ? (world?.Rank == 0 ? TimeSpan.Zero : TimeSpan.FromHours(1)) : null,
        });
        if (Resume)
        {
            trainer.Restore(CheckpointFile.Load<float>(Checkpoint!));
        }

        var train = new Batches(Corpus(2600, seed: 5), Shape.Context, 25);
        var valid = Corpus(500, seed: 6);
        var evaluator = new Evaluator(Shape, parameters);
        var (c, h, d, u, b, w) = (parameters["C"], parameters["H"], parameters["d"], parameters["U"], parameters["b"], parameters["W"]);
        float Step(ReadOnlySpan<int> batch)
        {
            if (world?.Rank == FailingRank && optimizer.StepCount + 1 == FailAtStep)
            {
                throw new InvalidOperationException($"deliberate failure in step {FailAtStep}");
            }

            var (context, next) = train.Gather(batch);
            return LanguageModel.LossGradient(
                c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, context.Span, next.Span, false, 0f, 0UL,
                c.Gradient, h.Gradient, d.Gradient, u.Gradient, b.Gradient, w.Gradient);
        }

        trainer.Train(train.Count, Step, () => evaluator.Perplexity(valid, world));
        return new Trained([.. trainer.Losses], [.. trainer.Evaluations]);
    }

    /// <summary>Tokens where each follows from the two before it, give or take a coin flip.</summary>
    private static int[] Corpus(int length, ulong seed)
    {
        var rng = new Rng(seed);
        var tokens = new int[length];
        for (var i = 2; i < length; i++)
        {
            tokens[i] = (tokens[i - 1] + 1 + (tokens[i - 2] % 2) + rng.NextInt(2)) % Shape.Vocabulary;
        }

        return tokens;
    }
}
