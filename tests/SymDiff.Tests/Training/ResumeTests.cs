using System.Runtime.InteropServices;

namespace SymDiff.Tests.Training;

/// <summary>
/// Stopping anywhere and resuming: a run stopped at any step (by a request, a signal, or killed after a periodic
/// checkpoint) and resumed from its checkpoint gives the uninterrupted run's losses, bit for bit.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private const int PoisonedExample = 123; // every batch holding it has a NaN loss and is skipped, once an epoch

    /// <summary>Everything a resume must carry over: shuffling, a schedule, plateaus, averaging, clipping, skipped batches.</summary>
    private static readonly TrainingOptions Options = new()
    {
        Epochs = 6, BatchSize = 16, Seed = 11, EvaluateEvery = 5, PlateauFactor = 0.5, PlateauThreshold = 0.05,
        AverageDecay = 0.9, ClipGradientNorm = 5, SkipNonFiniteBatches = true,
    };

    private static readonly LearningRateSchedule Schedule = new WarmupCosineSchedule(0.02, 10, 78);

    private readonly string _directory = Directory.CreateTempSubdirectory("symdiff-resume").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string CheckpointPath => Path.Combine(_directory, "run.ckpt");

    [Theory]
    [InlineData("before the first step")]
    [InlineData("after the first step")]
    [InlineData("mid-epoch")]
    [InlineData("at the end of an epoch")]
    [InlineData("right after an evaluation")]
    [InlineData("right after the plateau rule lowered the rate")]
    [InlineData("on a skipped batch")]
    [InlineData("after the last step")]
    public void StoppedAnywhereAndResumedGivesTheUninterruptedRun(string where)
    {
        var uninterrupted = Train(Options);
        Assert.Equal(6, uninterrupted.Result.SkippedBatches); // the setup has what the test claims
        Assert.Contains(uninterrupted.Scales, scale => scale < 1);

        // The steps done when the stop is requested (during the next batch); -1: during the first skipped batch.
        long stopAt = where switch
        {
            "before the first step" => 0,
            "after the first step" => 1,
            "mid-epoch" => 20,
            "at the end of an epoch" => uninterrupted.Epochs.LastIndexOf(0) + 1,
            "right after an evaluation" => uninterrupted.Evaluations[1].Step,
            "right after the plateau rule lowered the rate" => uninterrupted.Scales.IndexOf(uninterrupted.Scales.First(scale => scale < 1)),
            "on a skipped batch" => -1,
            _ => uninterrupted.Result.Steps,
        };
        var first = Train(Options with { CheckpointPath = CheckpointPath }, stopAt == 0 ? Stop.BeforeTraining : Stop.During, (_, done, skipped) => stopAt < 0 ? skipped : done == stopAt - 1 && !skipped);
        Assert.Equal(StopCause.Requested, first.Result.Cause);
        Assert.Contains("stopped on request (test)", first.Result.StopReason, StringComparison.Ordinal);
        Assert.Contains("checkpoint of step", first.Result.StopReason, StringComparison.Ordinal);
        var steps = first.Result.Steps;
        Assert.True(stopAt < 0 ? steps < 13 : steps == stopAt, $"stopped after {steps} steps");

        var resumed = Train(Options, resume: CheckpointFile.Load<float>(CheckpointPath));
        AssertSameRun(uninterrupted, resumed, steps);
        Assert.Equal(uninterrupted.Losses.Take((int)steps), first.Losses);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(26)]
    [InlineData(40)]
    public void KilledWithoutWarningTheLastPeriodicCheckpointResumesExactly(int killedIn)
    {
        // CheckpointInterval zero: a checkpoint after every batch. An exception out of the step stands for SIGKILL:
        // no stop handling, no last checkpoint; what is on disk is what the last batch before it wrote.
        var uninterrupted = Train(Options);
        var killed = Assert.Throws<InvalidOperationException>(() => Train(
            Options with { CheckpointPath = CheckpointPath, CheckpointInterval = TimeSpan.Zero },
            Stop.During,
            (_, done, skipped) => done == killedIn - 1 && !skipped ? throw new InvalidOperationException("killed") : false));
        Assert.Equal("killed", killed.Message);

        var checkpoint = CheckpointFile.Load<float>(CheckpointPath);
        Assert.Equal(killedIn - 1, checkpoint.Step);
        AssertSameRun(uninterrupted, Train(Options, resume: checkpoint), checkpoint.Step);
    }

    [Fact]
    public void ASignalWritesACheckpointThatResumesExactly()
    {
        // The handler registered for SIGTERM calls StopSignals.Handle; here the step calls it, as if the signal came then.
        var uninterrupted = Train(Options);
        Outcome first;
        Trainer<float>? running = null;
        using (var signals = new StopSignals(requester => running!.RequestStop(requester)))
        {
            first = Train(Options with { CheckpointPath = CheckpointPath }, Stop.During, (trainer, done, _) =>
            {
                running = trainer;
                return done == 30 && signals.Handle(PosixSignal.SIGTERM) && false; // the signal's own request, not the test's
            });
            Assert.Equal(PosixSignal.SIGTERM, signals.Received);
            Assert.Equal(143, signals.ExitCode);
            Assert.False(signals.Handle(PosixSignal.SIGINT)); // a second signal keeps its default action: the process ends
            Assert.Equal(PosixSignal.SIGTERM, signals.Received);
        }

        Assert.Equal(StopCause.Requested, first.Result.Cause);
        Assert.StartsWith("stopped on request (SIGTERM) in epoch 3 after batch ", first.Result.StopReason, StringComparison.Ordinal);
        Assert.EndsWith($"checkpoint of step 31 written to {CheckpointPath}", first.Result.StopReason, StringComparison.Ordinal);
        AssertSameRun(uninterrupted, Train(Options, resume: CheckpointFile.Load<float>(CheckpointPath)), 31);
    }

    [Fact]
    public void StopSignalsExitWithTheConventionalCodes()
    {
        var requests = new List<string>();
        using var signals = new StopSignals(requests.Add);
        Assert.Null(signals.Received);
        Assert.Equal(0, signals.ExitCode);
        Assert.True(signals.Handle(PosixSignal.SIGINT)); // cancels the default action: training stops by itself
        Assert.Equal(130, signals.ExitCode);
        Assert.False(signals.Handle(PosixSignal.SIGINT));
        Assert.Equal(["SIGINT"], requests);
    }

    [Fact]
    public void CheckpointsFollowTheIntervalAndTheEndOfTraining()
    {
        int Checkpoints(TrainingOptions options)
        {
            var observer = new RecordingObserver();
            var setup = new RegressionSetup();
            new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), Schedule, options with { CheckpointPath = CheckpointPath })
                .Train(setup.Count, setup.Step, observer: observer);
            Assert.Equal(observer.Steps, CheckpointFile.Load<float>(CheckpointPath).Step); // the last one is of the last step
            return observer.Checkpoints;
        }

        var options = new TrainingOptions { Epochs = 2, BatchSize = 16, Seed = 3 };
        Assert.Equal(26, Checkpoints(options with { CheckpointInterval = TimeSpan.Zero })); // after every batch
        Assert.Equal(1, Checkpoints(options with { CheckpointInterval = TimeSpan.FromHours(1) })); // only when training ends
        Assert.Equal(1, Checkpoints(options)); // a run that ends without one writes one
        Assert.Equal(3, Checkpoints(options with { CheckpointEvery = 10 })); // 10, 20 and the end (26)
        Assert.Equal(2, Checkpoints(options with { CheckpointEvery = 13 })); // 13 and 26, not twice
    }

    [Fact]
    public void CheckingTheIntervalAndTheStopFlagAllocatesNothingPerStep()
    {
        // Per step the loop reads a timestamp and the stop flag; with nothing to write, that allocates nothing.
        var parameters = new ParameterSet<float>();
        var theta = parameters.Add("theta", DTensor.Zeros<float>(8));
        var options = new TrainingOptions { BatchSize = 1, CheckpointPath = CheckpointPath, CheckpointInterval = TimeSpan.FromHours(1), AverageDecay = 0.9 };
        long at1000 = 0, at3000 = 0;
        for (var run = 0; run < 2; run++) // the first run warms the loop up (tiering, on-stack replacement)
        {
            var trainer = new Trainer<float>(parameters, new Sgd<float>(parameters, 0.01), new ConstantSchedule(0.01), options);
            var calls = 0;
            trainer.Train(4000, _ =>
            {
                theta.Gradient.Span.Fill(0.5f);
                calls++;
                at1000 = calls == 1000 ? GC.GetAllocatedBytesForCurrentThread() : at1000;
                at3000 = calls == 3000 ? GC.GetAllocatedBytesForCurrentThread() : at3000;
                return 1f;
            });
        }

        Assert.Equal(0, at3000 - at1000);
    }

    [Fact]
    public void ARunThatEarlyStoppingEndedStaysEndedWhenResumed()
    {
        var setup = new RegressionSetup();
        var metrics = new Queue<double>([3.0, 4.0, 5.0]);
        var options = new TrainingOptions { Epochs = 20, BatchSize = 16, EvaluateEvery = 5, Patience = 2, CheckpointPath = CheckpointPath };
        var result = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), Schedule, options).Train(setup.Count, setup.Step, metrics.Dequeue);
        Assert.Equal((StopCause.NoImprovement, 15L), (result.Cause, result.Steps));

        var again = new RegressionSetup();
        var resumed = new Trainer<float>(again.Parameters, new Sgd<float>(again.Parameters, 0.05), Schedule, options);
        resumed.Restore(CheckpointFile.Load<float>(CheckpointPath));
        var second = resumed.Train(again.Count, again.Step, () => throw new InvalidOperationException("no more training, no more evaluations"));
        Assert.Equal((StopCause.NoImprovement, 15L), (second.Cause, second.Steps));
    }

    private static void AssertSameRun(Outcome uninterrupted, Outcome resumed, long resumedAt)
    {
        Assert.Equal(uninterrupted.Losses, resumed.Losses); // the checkpoint's history, then the resumed steps
        Assert.Equal(uninterrupted.Evaluations, resumed.Evaluations);
        Assert.Equal(uninterrupted.Rates.Skip((int)resumedAt), resumed.Rates);
        Assert.Equal(uninterrupted.Final, resumed.Final);
        Assert.Equal(
            (uninterrupted.Result.Steps, uninterrupted.Result.BestMetric, uninterrupted.Result.BestStep, uninterrupted.Result.SkippedBatches, uninterrupted.Result.Cause),
            (resumed.Result.Steps, resumed.Result.BestMetric, resumed.Result.BestStep, resumed.Result.SkippedBatches, resumed.Result.Cause));
    }

    private enum Stop
    {
        During,
        BeforeTraining,
    }

    /// <summary>
    /// One run of the regression with everything a resume must restore. <paramref name="stopWhen"/> is asked in every
    /// batch with (the trainer, steps done, whether the batch will be skipped); true requests a stop, as a signal would.
    /// The step adds noise drawn from the step counter, as the language model's dropout masks are.
    /// </summary>
    private static Outcome Train(TrainingOptions options, Stop stop = Stop.During, Func<Trainer<float>, long, bool, bool>? stopWhen = null, Checkpoint<float>? resume = null)
    {
        var setup = new RegressionSetup();
        var optimizer = new Adam<float>(setup.Parameters, 0.02);
        var trainer = new Trainer<float>(setup.Parameters, optimizer, Schedule, options);
        if (resume is not null)
        {
            trainer.Restore(resume);
        }

        if (stop == Stop.BeforeTraining)
        {
            trainer.RequestStop("test");
        }

        var observer = new RecordingObserver(trainer);
        var result = trainer.Train(setup.Count, batch =>
        {
            var poisoned = batch.Contains(PoisonedExample);
            if (stopWhen?.Invoke(trainer, optimizer.StepCount, poisoned) == true)
            {
                trainer.RequestStop("test");
            }

            if (poisoned)
            {
                return float.NaN;
            }

            var loss = setup.Step(batch);
            setup.W1.Gradient[0] += 0.01f * (float)new Rng(1000 + (ulong)optimizer.StepCount).NextNormal();
            return loss;
        }, setup.FullLoss, observer);
        return new Outcome([.. trainer.Losses], [.. trainer.Evaluations], observer.Rates, observer.Scales, observer.Epochs, setup.W1.Value.ToArray(), result);
    }

    private sealed record Outcome(
        List<double> Losses, List<(long Step, double Metric)> Evaluations, List<double> Rates, List<double> Scales, List<int> Epochs, float[] Final, TrainingResult Result);

    /// <summary>Records each step's rate, the plateau's scale of it, the epoch, and the checkpoints written.</summary>
    private sealed class RecordingObserver(Trainer<float>? trainer = null) : ITrainingObserver
    {
        public List<double> Rates { get; } = new();

        public List<double> Scales { get; } = new();

        public List<int> Epochs { get; } = new();

        public int Checkpoints { get; private set; }

        public long Steps { get; private set; }

        public void OnStart(long totalSteps, int epochs, int exampleCount, int batchSize)
        {
        }

        public void OnStep(in TrainingProgress progress)
        {
            Rates.Add(progress.LearningRate);
            Scales.Add(trainer?.RateScale ?? 1);
            Epochs.Add(progress.Epoch);
            Steps = progress.Step;
        }

        public void OnEvaluation(long step, int epoch, double metric, bool improved)
        {
        }

        public void OnCheckpoint(long step, string path) => Checkpoints++;

        public void OnEnd(TrainingResult result)
        {
        }
    }
}
