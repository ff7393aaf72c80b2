using SymDiff.DistributedWorker;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Distributed;

/// <summary>
/// Data-parallel training on MPI (issue 20), each test an MPI job of two ranks started with mpirun
/// (tests/SymDiff.DistributedWorker): the ranks give the losses of one process, to float rounding, over 120 steps of a
/// small language model; collectives are exact on every length from 0 to 70 and over several buckets; a rank that
/// fails ends the job, naming itself; checkpoints move between one process and two ranks.
/// </summary>
[Collection(MpiJobs.Name)]
public sealed class DistributedTrainingTests : IDisposable
{
    private const string Worker = "SymDiff.DistributedWorker";

    private readonly string _directory = Directory.CreateTempSubdirectory("symdiff-mpi").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [MpiFact]
    public void CollectivesAreExactOnEveryLengthAndBucketing()
    {
        var (code, output, error) = MpiJob.Run(2, Worker, "collectives");
        Assert.True(code == 0, $"exit code {code}: {output} {error}");
        Assert.Contains("rank 0 of 2: 1426 collective checks passed", output, StringComparison.Ordinal);
        Assert.Contains("rank 1 of 2: 1426 collective checks passed", output, StringComparison.Ordinal);
    }

    [MpiTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void TwoRanksGiveTheLossesOfOneProcess(bool shardOptimizer)
    {
        var alone = new SmallRun().Train(world: null);
        var ranks = TrainOnRanks(2, shardOptimizer ? "train {0}" : "train {0} --no-shard");

        AssertSameRun(alone, ranks);
        Assert.True(alone.Losses[^1] < alone.Losses[0] - 0.5, $"the model learns ({alone.Losses[0]} → {alone.Losses[^1]}), so the comparison means something");
    }

    [MpiFact]
    public void ACheckpointOfTwoRanksResumesInOneProcessAndViceVersa()
    {
        var uninterrupted = new SmallRun().Train(world: null);

        // Two ranks train 50 steps and checkpoint (by time, after every batch by rank 0's clock and never by rank 1's:
        // the ranks must agree when, as each holds only part of the optimizer's state); one process resumes to the end.
        var fromRanks = Path.Combine(_directory, "ranks.ckpt");
        TrainOnRanks(2, $"train {{0}} {fromRanks} 50 --rank0-clock");
        var resumedAlone = new SmallRun { Checkpoint = fromRanks, Resume = true }.Train(world: null);
        AssertSameRun(uninterrupted, resumedAlone);

        // One process trains 70 steps and checkpoints; two ranks resume to the end.
        var fromOne = Path.Combine(_directory, "one.ckpt");
        new SmallRun { Checkpoint = fromOne, MaxSteps = 70 }.Train(world: null);
        var resumedOnRanks = TrainOnRanks(2, $"train {{0}} {fromOne} {SmallRun.Steps} --resume");
        AssertSameRun(uninterrupted, resumedOnRanks);
    }

    [MpiFact]
    public void ARankThatThrowsEndsTheJobNamingTheRankAndTheError()
    {
        var started = DateTime.UtcNow;
        var (code, output, error) = MpiJob.Run(2, Worker, "fail", TimeSpan.FromMinutes(2));

        Assert.NotEqual(0, code);
        Assert.Contains("rank 1 of 2: InvalidOperationException: deliberate failure in step 3; aborting the job (MPI_Abort)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("the failing run returned", output, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMinutes(1), "the job ended promptly instead of waiting on the failed rank");
    }

    [MpiFact]
    public void TheSampleTrainsOnTwoRanksAndOnlyRankZeroPrints()
    {
        var plot = Path.Combine(_directory, "loss.png");
        var (code, output, error) = MpiJob.Run(2, "NeuralLM", $"--distributed --epochs 1 --plot {plot}");

        Assert.True(code == 0, $"exit code {code}: {output} {error}");
        Assert.Contains("distributed: 2 ranks", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'), line => line.StartsWith("RESULT ", StringComparison.Ordinal));
        Assert.True(File.Exists(plot));
    }

    private Trained TrainOnRanks(int ranks, string arguments)
    {
        var losses = Path.Combine(_directory, $"losses-{Guid.NewGuid():N}.txt");
        var (code, output, error) = MpiJob.Run(ranks, Worker, string.Format(System.Globalization.CultureInfo.InvariantCulture, arguments, losses));
        Assert.True(code == 0, $"exit code {code}: {output} {error}");
        return Trained.Read(losses);
    }

    /// <summary>Same steps and evaluations; values equal to float rounding (parts of a batch are summed in another order).</summary>
    private static void AssertSameRun(Trained expected, Trained actual)
    {
        Assert.Equal(SmallRun.Steps, expected.Losses.Count);
        Assert.Equal(expected.Losses.Count, actual.Losses.Count);
        for (var i = 0; i < expected.Losses.Count; i++)
        {
            Assert.True(Math.Abs(expected.Losses[i] - actual.Losses[i]) <= 1e-4 * Math.Abs(expected.Losses[i]), $"step {i + 1}: {expected.Losses[i]} vs {actual.Losses[i]}");
        }

        Assert.Equal(expected.Evaluations.Select(e => e.Step), actual.Evaluations.Select(e => e.Step));
        Assert.Equal(3, expected.Evaluations.Count);
        for (var i = 0; i < expected.Evaluations.Count; i++)
        {
            Assert.True(Math.Abs(expected.Evaluations[i].Metric - actual.Evaluations[i].Metric) <= 1e-4 * expected.Evaluations[i].Metric, $"evaluation {i + 1}: {expected.Evaluations[i].Metric} vs {actual.Evaluations[i].Metric}");
        }
    }
}
