using SymDiff.Tests.Infrastructure;
namespace SymDiff.Tests.Training;

/// <summary>The training loop: it trains, is deterministic, clips, stops early, and resumes exactly.</summary>
[Collection(GlobalState.Name)]
public sealed class TrainerTests
{
    private static readonly TrainingOptions Options = new() { Epochs = 6, BatchSize = 16, Seed = 7 };

    [Fact]
    public void LossFallsOverTraining()
    {
        var setup = new RegressionSetup();
        var trainer = new Trainer<float>(setup.Parameters, new Adam<float>(setup.Parameters, 0.01), new ConstantSchedule(0.01), Options);
        var before = setup.FullLoss();
        var result = trainer.Train(setup.Count, setup.Step);
        Assert.Equal(6 * 13, result.Steps);
        Assert.True(setup.FullLoss() < 0.3 * before, $"{before} -> {setup.FullLoss()}");
    }

    [Fact]
    public void SameSeedGivesBitIdenticalLosses()
    {
        static List<double> Run()
        {
            var setup = new RegressionSetup();
            var trainer = new Trainer<float>(setup.Parameters, new Adam<float>(setup.Parameters), new ConstantSchedule(0.01), Options);
            trainer.Train(setup.Count, setup.Step);
            return trainer.Losses;
        }

        var saved = Compute.Threads;
        Compute.Threads = 1;
        try
        {
            Assert.Equal(Run(), Run());
        }
        finally
        {
            Compute.Threads = saved;
        }
    }

    [Fact]
    public void DifferentSeedsShuffleDifferently()
    {
        List<double> Run(ulong seed)
        {
            var setup = new RegressionSetup();
            var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.1), new ConstantSchedule(0.1), Options with { Seed = seed, Epochs = 1 });
            trainer.Train(setup.Count, setup.Step);
            return trainer.Losses;
        }

        Assert.NotEqual(Run(1), Run(2));
    }

    [Fact]
    public void ResumingFromACheckpointContinuesWithExactlyTheSameLosses()
    {
        var path = Path.Combine(Path.GetTempPath(), "symdiff-resume-" + Guid.NewGuid().ToString("N") + ".ckpt");
        try
        {
            // The uninterrupted run.
            var full = new RegressionSetup();
            var uninterrupted = new Trainer<float>(full.Parameters, new Adafactor<float>(full.Parameters, beta1: 0.9), new WarmupCosineSchedule(0.05, 10, 78), Options);
            uninterrupted.Train(full.Count, full.Step);

            // The same run stopped mid-epoch (step 31 of 13-step epochs), checkpointed, and resumed by a new process.
            var first = new RegressionSetup();
            var interrupted = new Trainer<float>(first.Parameters, new Adafactor<float>(first.Parameters, beta1: 0.9), new WarmupCosineSchedule(0.05, 10, 78), Options with { MaxSteps = 31, CheckpointPath = path, CheckpointEvery = 31 });
            interrupted.Train(first.Count, first.Step);

            var second = new RegressionSetup();
            var resumed = new Trainer<float>(second.Parameters, new Adafactor<float>(second.Parameters, beta1: 0.9), new WarmupCosineSchedule(0.05, 10, 78), Options);
            resumed.Restore(CheckpointFile.Load<float>(path));
            resumed.Train(second.Count, second.Step);

            Assert.Equal(uninterrupted.Losses, resumed.Losses);
            Assert.Equal(full.W1.Value.ToArray(), second.W1.Value.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ClippingBoundsTheGradientNormThatTheOptimizerSees()
    {
        var setup = new RegressionSetup();
        var optimizer = new NormRecordingOptimizer(setup.Parameters);
        var trainer = new Trainer<float>(setup.Parameters, optimizer, new ConstantSchedule(0.01), Options with { Epochs = 1, ClipGradientNorm = 0.05 });
        trainer.Train(setup.Count, setup.Step);
        Assert.Equal(13, optimizer.Norms.Count);
        Assert.All(optimizer.Norms, n => Assert.InRange(n, 0f, 0.0501f));

        setup.Parameters.ZeroGradients();
        setup.Step(Enumerable.Range(0, 16).ToArray());
        var before = setup.Parameters.GradientNorm();
        Assert.True(before > 0.05f, "the test needs gradients larger than the threshold");
        Assert.Equal(before, setup.Parameters.ClipGradientNorm(0.05f));
        Assert.InRange(setup.Parameters.GradientNorm(), 0.049f, 0.0501f);
    }

    /// <summary>SGD that records the global gradient norm it is given.</summary>
    private sealed class NormRecordingOptimizer(ParameterSet<float> parameters) : Optimizer<float>(parameters, 0.01)
    {
        public List<float> Norms { get; } = new();

        protected override void Update(int index, Parameter<float> parameter)
        {
            if (index == 0)
            {
                Norms.Add(Parameters.GradientNorm());
            }

            System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(parameter.Gradient.Span, -0.01f, parameter.Value.Span, parameter.Value.Span);
        }
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestParameters()
    {
        var setup = new RegressionSetup();
        var metrics = new Queue<double>(new[] { 5.0, 4.0, 3.0, 3.5, 3.2, 3.9, 1.0 });
        double[]? atBest = null;
        var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), new ConstantSchedule(0.05), Options with { Epochs = 20, EvaluateEvery = 5, Patience = 3 });
        var result = trainer.Train(setup.Count, setup.Step, () =>
        {
            var metric = metrics.Dequeue();
            if (metric == 3.0)
            {
                atBest = setup.W1.Value.ToArray().Select(v => (double)v).ToArray();
            }

            return metric;
        });

        Assert.Equal(30, result.Steps); // 6 evaluations: best at the 3rd, then 3 without improvement
        Assert.Equal(3.0, result.BestMetric);
        Assert.Equal(15, result.BestStep);
        Assert.Contains("no improvement", result.StopReason, StringComparison.Ordinal);
        Assert.Equal(atBest, setup.W1.Value.ToArray().Select(v => (double)v).ToArray());
    }

    [Fact]
    public void UseBestPutsInTheBestParametersAlsoAfterRestoringACheckpoint()
    {
        var setup = new RegressionSetup();
        var metrics = new Queue<double>(new[] { 5.0, 3.0, 4.0 });
        double[]? atBest = null;
        var options = Options with { Epochs = 20, EvaluateEvery = 5, MaxSteps = 15, RestoreBest = false };
        var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), new ConstantSchedule(0.05), options);
        Assert.False(trainer.UseBest()); // nothing evaluated yet
        trainer.Train(setup.Count, setup.Step, () =>
        {
            var metric = metrics.Dequeue();
            atBest = metric == 3.0 ? setup.W1.Value.ToArray().Select(v => (double)v).ToArray() : atBest;
            return metric;
        });
        var last = setup.W1.Value.ToArray().Select(v => (double)v).ToArray();
        Assert.NotEqual(atBest, last); // RestoreBest = false left the last parameters in place

        var fresh = new RegressionSetup();
        var resumed = new Trainer<float>(fresh.Parameters, new Sgd<float>(fresh.Parameters, 0.05), new ConstantSchedule(0.05), options);
        resumed.Restore(trainer.CreateCheckpoint());
        Assert.Equal(last, fresh.W1.Value.ToArray().Select(v => (double)v).ToArray());
        Assert.True(resumed.UseBest());
        Assert.Equal(atBest, fresh.W1.Value.ToArray().Select(v => (double)v).ToArray());
    }

    [Fact]
    public void MaxStepsAndMaxDurationStopTraining()
    {
        var setup = new RegressionSetup();
        var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), new ConstantSchedule(0.05), Options with { MaxSteps = 7 });
        Assert.Equal(7, trainer.Train(setup.Count, setup.Step).Steps);

        var timed = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), new ConstantSchedule(0.05), Options with { Epochs = 1000, MaxDuration = TimeSpan.Zero });
        var result = timed.Train(setup.Count, setup.Step);
        Assert.Equal(1, result.Steps);
        Assert.Contains("time limit", result.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public void ScheduleSetsTheLearningRateOfEachStep()
    {
        var setup = new RegressionSetup();
        var rates = new List<double>();
        var observer = new RecordingObserver(rates);
        var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 1), new InverseDecaySchedule(0.1, 0.5), Options with { Epochs = 1 });
        trainer.Train(setup.Count, setup.Step, observer: observer);
        Assert.Equal(Enumerable.Range(0, 13).Select(t => 0.1 / (1 + (0.5 * t))), rates);
    }

    [Fact]
    public void ReduceOnPlateauScalesTheRateAfterEachEvaluationWithoutEnoughProgress()
    {
        // Evaluations every 4 steps: 10 (progress), 9.95 (< 1 % better: plateau), 8 (progress), 8.5 (worse: plateau).
        var setup = new RegressionSetup();
        var rates = new List<double>();
        var metrics = new Queue<double>(new[] { 10.0, 9.95, 8.0, 8.5 });
        var trainer = new Trainer<float>(
            setup.Parameters, new Sgd<float>(setup.Parameters, 1), new ConstantSchedule(0.1),
            Options with { Epochs = 2, EvaluateEvery = 4, MaxSteps = 17, PlateauFactor = 0.5, PlateauThreshold = 0.01 });
        trainer.Train(setup.Count, setup.Step, metrics.Dequeue, new RecordingObserver(rates));

        double[] expected = [.. Enumerable.Repeat(0.1, 8), .. Enumerable.Repeat(0.05, 8), 0.025];
        Assert.Equal(expected, rates);
        Assert.Equal(0.25, trainer.RateScale);
    }

    [Fact]
    public void ResumingKeepsTheRateReducedOnPlateau()
    {
        var path = Path.Combine(Path.GetTempPath(), "symdiff-plateau-" + Guid.NewGuid().ToString("N") + ".ckpt");
        try
        {
            var options = Options with { Epochs = 1, EvaluateEvery = 4, PlateauFactor = 0.5, CheckpointPath = path };
            var first = new RegressionSetup();
            var metric = 1.0;
            new Trainer<float>(first.Parameters, new Sgd<float>(first.Parameters, 1), new ConstantSchedule(0.1), options with { MaxSteps = 8 })
                .Train(first.Count, first.Step, () => metric++); // the second evaluation is worse: the rate halves

            var second = new RegressionSetup();
            var rates = new List<double>();
            var resumed = new Trainer<float>(second.Parameters, new Sgd<float>(second.Parameters, 1), new ConstantSchedule(0.1), options with { CheckpointPath = null });
            resumed.Restore(CheckpointFile.Load<float>(path));
            resumed.Train(second.Count, second.Step, () => 0, new RecordingObserver(rates));
            Assert.Equal(0.05, rates[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ParametersAddedWithoutDecayAreNotDecayed()
    {
        foreach (var make in new Func<ParameterSet<double>, Optimizer<double>>[]
        {
            p => new Sgd<double>(p, 0.1, weightDecay: 0.5),
            p => new Adam<double>(p, 0.1, weightDecay: 0.5),
            p => new AdamW<double>(p, 0.1, weightDecay: 0.5),
            p => new Adafactor<double>(p, 0.1, weightDecay: 0.5),
        })
        {
            var parameters = new ParameterSet<double>();
            var weight = parameters.Add("w", DTensor<double>.FromArray(new[] { 1.0, -2.0 }, 2));
            var bias = parameters.Add("b", DTensor<double>.FromArray(new[] { 1.0, -2.0 }, 2), decays: false);
            var optimizer = make(parameters);
            optimizer.Step(); // zero gradients: only decay can move a value
            Assert.Equal(new[] { 1.0, -2.0 }, bias.Value.ToArray());
            Assert.NotEqual(new[] { 1.0, -2.0 }, weight.Value.ToArray());
        }
    }

    private sealed class RecordingObserver(List<double> rates) : ITrainingObserver
    {
        public void OnStart(long totalSteps, int epochs, int exampleCount, int batchSize)
        {
        }

        public void OnStep(in TrainingProgress progress) => rates.Add(progress.LearningRate);

        public void OnEvaluation(long step, int epoch, double metric, bool improved)
        {
        }

        public void OnEnd(TrainingResult result)
        {
        }
    }
}
