namespace SymDiff.Tests.Training;

/// <summary>The parameters' moving average (TrainingOptions.AverageDecay): what it evaluates, keeps and resumes.</summary>
public sealed class AveragingTests
{
    private static readonly TrainingOptions Options = new() { Epochs = 6, BatchSize = 16, Seed = 7 };

    [Fact]
    public void AveragingReducesTheNoiseOfAConstantRate()
    {
        // SGD on ½‖θ − (μ + ε)‖² with fresh noise ε ~ N(0, 1) each step and rate η: the iterate keeps a variance
        // of η/(2 − η) per coordinate around μ, the average (1 − β)/(1 + β) times less for slow drift. With η = 0.5
        // and β = 0.98 the last iterate's mean squared error is 1/3 and the average's about 0.03.
        static (double Last, double Averaged) Run(double? decay)
        {
            var parameters = new ParameterSet<float>();
            var theta = parameters.Add("theta", DTensor.Zeros<float>(2000));
            var noise = new Rng(5);
            var trainer = new Trainer<float>(parameters, new Sgd<float>(parameters, 0.5), new ConstantSchedule(0.5), new TrainingOptions { Epochs = 400, BatchSize = 1, AverageDecay = decay });
            var evaluations = new List<double>();
            double MeanSquaredError() => theta.Value.ToArray().Average(x => (x - 1.0) * (x - 1.0));
            trainer.Train(1, _ =>
            {
                for (var i = 0; i < theta.Value.Length; i++)
                {
                    theta.Gradient[i] = theta.Value[i] - (1f + (float)noise.NextNormal());
                }

                return 0f;
            }, () =>
            {
                evaluations.Add(MeanSquaredError());
                return double.NaN; // never "improves": the end keeps the average (or the last iterate)
            });
            return (evaluations[^1], MeanSquaredError());
        }

        var (plainEvaluation, plainFinal) = Run(null);
        var (averagedEvaluation, averagedFinal) = Run(0.98);
        Assert.InRange(plainEvaluation, 0.25, 0.42);
        Assert.Equal(plainEvaluation, plainFinal, 12);
        Assert.InRange(averagedEvaluation, 0.005, 0.06); // evaluations see the average ...
        Assert.Equal(averagedEvaluation, averagedFinal, 12); // ... and it is what training leaves behind
    }

    [Fact]
    public void DecayZeroIsTheLastIterate()
    {
        List<double> Run(double? decay)
        {
            var setup = new RegressionSetup();
            var evaluations = new List<double>();
            var trainer = new Trainer<float>(setup.Parameters, new Adam<float>(setup.Parameters, 0.01), new ConstantSchedule(0.01), Options with { AverageDecay = decay });
            trainer.Train(setup.Count, setup.Step, () => { evaluations.Add(setup.FullLoss()); return evaluations[^1]; });
            return evaluations.Concat(trainer.Losses).Append(setup.FullLoss()).ToList();
        }

        Assert.Equal(Run(null), Run(0));
    }

    [Fact]
    public void TrainingContinuesFromTheIterateNotTheAverage()
    {
        // Evaluating swaps the average in and back out: the losses of training are those of a run without it.
        List<double> Run(double? decay)
        {
            var setup = new RegressionSetup();
            var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.1), new ConstantSchedule(0.1), Options with { AverageDecay = decay, EvaluateEvery = 5 });
            trainer.Train(setup.Count, setup.Step, setup.FullLoss);
            return trainer.Losses;
        }

        Assert.Equal(Run(null), Run(0.9));
    }

    [Fact]
    public void ResumingKeepsTheAverage()
    {
        var path = Path.Combine(Path.GetTempPath(), "symdiff-average-" + Guid.NewGuid().ToString("N") + ".ckpt");
        var options = Options with { AverageDecay = 0.9 };
        (List<double> Evaluations, float[] Final) Run(TrainingOptions trainingOptions, Checkpoint<float>? resume)
        {
            var setup = new RegressionSetup();
            var evaluations = new List<double>();
            var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.1), new ConstantSchedule(0.1), trainingOptions);
            if (resume is not null)
            {
                trainer.Restore(resume);
            }

            trainer.Train(setup.Count, setup.Step, () => { evaluations.Add(setup.FullLoss()); return evaluations[^1]; });
            return (evaluations, setup.W1.Value.ToArray());
        }

        try
        {
            var uninterrupted = Run(options, null);
            var first = Run(options with { MaxSteps = 31, CheckpointPath = path, CheckpointEvery = 31 }, null);
            var second = Run(options, CheckpointFile.Load<float>(path));
            Assert.Equal(uninterrupted.Evaluations, first.Evaluations.Concat(second.Evaluations));
            Assert.Equal(uninterrupted.Final, second.Final);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void DecayOutsideZeroToOneIsRejected(double decay)
    {
        var setup = new RegressionSetup();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.1), new ConstantSchedule(0.1), Options with { AverageDecay = decay }));
        Assert.Contains("AverageDecay must be in [0, 1)", error.Message, StringComparison.Ordinal);
    }
}
