using Spectre.Console.Testing;
using SymDiff.Reporting;

namespace SymDiff.Tests.Training;

/// <summary>
/// A batch whose loss or gradients are not finite: by default training stops before the step reaches the
/// parameters, saying where and what to try; with TrainingOptions.SkipNonFiniteBatches the batch is skipped, counted
/// and reported.
/// </summary>
public sealed class NonFiniteBatchTests
{
    /// <summary>The example whose input is NaN.</summary>
    private const int Poisoned = 37;

    private static readonly TrainingOptions Options = new() { Epochs = 6, BatchSize = 16, Seed = 7 };

    [Fact]
    public void ANanExampleStopsTrainingBeforeItsStepNamingTheStepAndTheBatch()
    {
        // In order, example 37 is in the third batch (positions 32-47): steps 1 and 2 run, step 3 is refused.
        var setup = PoisonedSetup();
        var trainer = new Trainer<float>(setup.Parameters, new Adam<float>(setup.Parameters, 0.01), new ConstantSchedule(0.01), Options with { Shuffle = false });
        var afterLastStep = Array.Empty<float[]>();
        var observer = new RecordingObserver(onStep: () => afterLastStep = Values(setup));

        var exception = Assert.Throws<NonFiniteLossException>(() => trainer.Train(setup.Count, setup.Step, observer: observer));

        Assert.Equal(3, exception.Step);
        Assert.Equal(0, exception.Epoch);
        Assert.Equal(2, exception.Batch);
        Assert.Equal(Enumerable.Range(32, 16), exception.Examples);
        Assert.True(double.IsNaN(exception.Loss));
        Assert.StartsWith(
            "Training stopped at step 3 (epoch 1 of 6, batch 3 of 13: positions 32-47 of the epoch's order, example indices 32, 33, 34, 35, 36, 37,",
            exception.Message,
            StringComparison.Ordinal);
        Assert.Contains("the loss is NaN", exception.Message, StringComparison.Ordinal);
        Assert.Contains("the parameters are those after step 2", exception.Message, StringComparison.Ordinal);
        Assert.Contains("lower learning rate", exception.Message, StringComparison.Ordinal);
        Assert.Contains("SkipNonFiniteBatches", exception.Message, StringComparison.Ordinal);

        // The refused step left the parameters as the second step did, and finite.
        Assert.Equal(2, trainer.Optimizer.StepCount);
        Assert.Equal(2, trainer.Losses.Count);
        Assert.Equal(afterLastStep, Values(setup));
        Assert.All(setup.Parameters, p => Assert.True(System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(p.Value.Span), p.Name));
    }

    [Fact]
    public void TheMessageListsTheIndicesOfAShuffledBatch()
    {
        var setup = PoisonedSetup();
        var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), new ConstantSchedule(0.05), Options);
        var exception = Assert.Throws<NonFiniteLossException>(() => trainer.Train(setup.Count, setup.Step));
        Assert.Contains(Poisoned, exception.Examples);
        Assert.Equal(16, exception.Examples.Count);
        Assert.Contains($"example indices {string.Join(", ", exception.Examples)})", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"batch {exception.Batch + 1} of 13", exception.Message, StringComparison.Ordinal);
        Assert.Equal(exception.Step - 1, trainer.Optimizer.StepCount);
    }

    [Theory]
    [InlineData(false, "the gradient of 'w2' is not finite")]
    [InlineData(true, "the gradients' global norm is Infinity")]
    public void AFiniteLossWithANonFiniteGradientIsRefusedToo(bool clip, string reason)
    {
        // With clipping the global norm (computed for it anyway) is checked, else every element; both leave the
        // gradients as computed (clipping an infinite norm would have turned them into NaN).
        var setup = new RegressionSetup();
        var trainer = new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), new ConstantSchedule(0.05), Options with { ClipGradientNorm = clip ? 1 : null });
        var afterLastStep = Array.Empty<float[]>();
        var calls = 0;
        var exception = Assert.Throws<NonFiniteLossException>(() => trainer.Train(
            setup.Count,
            batch =>
            {
                var loss = setup.Step(batch);
                if (++calls == 5)
                {
                    setup.W2.Gradient[3] = float.PositiveInfinity;
                }

                return loss;
            },
            observer: new RecordingObserver(onStep: () => afterLastStep = Values(setup))));

        Assert.Equal(5, exception.Step);
        Assert.True(double.IsFinite(exception.Loss));
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
        Assert.Equal(float.PositiveInfinity, setup.W2.Gradient[3]);
        Assert.Equal(4, trainer.Optimizer.StepCount);
        Assert.Equal(afterLastStep, Values(setup));
        Assert.All(setup.Parameters, p => Assert.True(System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(p.Value.Span), p.Name));
    }

    [Fact]
    public void SkippingFinishesTrainingAndCountsAndReportsTheSkippedBatches()
    {
        // Shuffled, the poisoned example lands in one batch of each of the 6 epochs.
        var setup = PoisonedSetup();
        var skipped = new List<(long Step, int Epoch, int Batch, string Reason)>();
        var observer = new RecordingObserver(onSkip: skipped.Add);
        var trainer = new Trainer<float>(setup.Parameters, new Adam<float>(setup.Parameters, 0.01), new ConstantSchedule(0.01), Options with { SkipNonFiniteBatches = true });
        var result = trainer.Train(setup.Count, setup.Step, observer: observer);

        Assert.Equal("finished all epochs", result.StopReason);
        Assert.Equal(6, result.SkippedBatches);
        Assert.Equal((6 * 13) - 6, result.Steps);
        Assert.Equal(result.Steps, trainer.Losses.Count);
        Assert.All(trainer.Losses, loss => Assert.True(double.IsFinite(loss)));
        Assert.Equal(Enumerable.Range(0, 6), skipped.Select(s => s.Epoch));
        Assert.All(skipped, s => Assert.Equal("the loss is NaN", s.Reason));
        Assert.All(setup.Parameters, p => Assert.True(System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(p.Value.Span), p.Name));

        // Training still works on the other examples: their loss fell.
        var clean = Enumerable.Range(0, setup.Count).Where(i => i != Poisoned).ToArray();
        var fresh = new RegressionSetup();
        Assert.True(setup.Loss(clean) < 0.3 * fresh.Loss(clean), $"{fresh.Loss(clean)} -> {setup.Loss(clean)}");
    }

    [Fact]
    public void ASkippedBatchIsNoStepAndLeavesItsGradientsZeroed()
    {
        // In order, example 195 is in the last batch (positions 192-199): twelve steps, then the skip ends the epoch.
        var setup = PoisonedSetup(195);
        var optimizer = new GradientRecordingOptimizer(setup.Parameters);
        var afterLastStep = Array.Empty<float[]>();
        var trainer = new Trainer<float>(setup.Parameters, optimizer, new ConstantSchedule(0.01), Options with { Epochs = 1, Shuffle = false, SkipNonFiniteBatches = true });
        var result = trainer.Train(setup.Count, setup.Step, observer: new RecordingObserver(onStep: () => afterLastStep = Values(setup)));

        Assert.Equal(12, result.Steps);
        Assert.Equal(1, result.SkippedBatches);
        Assert.Equal(12 * setup.Parameters.Count, optimizer.Gradients.Count);
        Assert.All(optimizer.Gradients, g => Assert.True(System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(g), "a step saw a non-finite gradient"));
        Assert.Equal(afterLastStep, Values(setup));
        Assert.All(setup.Parameters, p => Assert.Equal(new float[p.Gradient.Length], p.Gradient.ToArray()));
    }

    [Fact]
    public void ResumingKeepsTheSkippedCountAndTheLosses()
    {
        var path = Path.Combine(Path.GetTempPath(), "symdiff-skip-" + Guid.NewGuid().ToString("N") + ".ckpt");
        try
        {
            var options = Options with { SkipNonFiniteBatches = true };
            var full = PoisonedSetup();
            var uninterrupted = new Trainer<float>(full.Parameters, new Adam<float>(full.Parameters, 0.01), new ConstantSchedule(0.01), options);
            var expected = uninterrupted.Train(full.Count, full.Step);

            var first = PoisonedSetup();
            var interrupted = new Trainer<float>(first.Parameters, new Adam<float>(first.Parameters, 0.01), new ConstantSchedule(0.01), options with { MaxSteps = 31, CheckpointPath = path, CheckpointEvery = 31 });
            var part = interrupted.Train(first.Count, first.Step);
            Assert.InRange(part.SkippedBatches, 1, 3); // two epochs and a half: the poisoned batch came by at least once

            var second = PoisonedSetup();
            var resumed = new Trainer<float>(second.Parameters, new Adam<float>(second.Parameters, 0.01), new ConstantSchedule(0.01), options);
            resumed.Restore(CheckpointFile.Load<float>(path));
            var result = resumed.Train(second.Count, second.Step);

            Assert.Equal(expected.SkippedBatches, result.SkippedBatches);
            Assert.Equal(expected.Steps, result.Steps);
            Assert.Equal(uninterrupted.Losses, resumed.Losses);
            Assert.Equal(full.W1.Value.ToArray(), second.W1.Value.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LogsReportSkippedBatches()
    {
        var writer = new StringWriter();
        var setup = PoisonedSetup();
        var options = Options with { Epochs = 2, SkipNonFiniteBatches = true };
        new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), new ConstantSchedule(0.05), options)
            .Train(setup.Count, setup.Step, observer: new ConsoleTrainingLog(writer, TimeSpan.Zero));
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Count(l => l.Contains("): skipped, the loss is NaN", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("step ", StringComparison.Ordinal) && l.Contains("(epoch 2, batch ", StringComparison.Ordinal) && l.Contains("skipped", StringComparison.Ordinal));
        Assert.EndsWith("; skipped 2 batches with a non-finite loss or gradient", lines[^1].TrimEnd(), StringComparison.Ordinal);

        var console = new TestConsole().Interactive().EmitAnsiSequences();
        var live = PoisonedSetup();
        TrainingConsole.RunLive(console, observer => new Trainer<float>(live.Parameters, new Sgd<float>(live.Parameters, 0.05), new ConstantSchedule(0.05), options).Train(live.Count, live.Step, observer: observer));
        Assert.Contains("the loss is NaN", console.Output, StringComparison.Ordinal);
        Assert.Contains("skipped 2 batches", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyParameterIsNotMistakenForANonFiniteGradient()
    {
        // A model's optional weights may be empty (NeuralLM's direct connections when off); TensorPrimitives.IsFiniteAll
        // of an empty span is false.
        var parameters = new ParameterSet<float>();
        var w = parameters.Add("w", DTensor<float>.FromArray([1f, -1f], 2));
        parameters.Add("unused", new DTensor<float>(0, 3));
        var trainer = new Trainer<float>(parameters, new Sgd<float>(parameters, 0.1), new ConstantSchedule(0.1), Options);
        var result = trainer.Train(32, _ =>
        {
            w.Gradient[0] = w.Value[0];
            w.Gradient[1] = w.Value[1];
            return 0.5f * ((w.Value[0] * w.Value[0]) + (w.Value[1] * w.Value[1]));
        });

        Assert.Equal(6 * 2, result.Steps);
        Assert.Equal(0, result.SkippedBatches);
        Assert.InRange(Math.Abs(w.Value[0]), 0, 0.5);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ClippingNeedsAPositiveFiniteNorm(double clip)
    {
        var setup = new RegressionSetup();
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.1), new ConstantSchedule(0.1), Options with { ClipGradientNorm = clip }));
        Assert.Contains("ClipGradientNorm", exception.Message, StringComparison.Ordinal);
    }

    private static RegressionSetup PoisonedSetup(int example = Poisoned)
    {
        var setup = new RegressionSetup();
        setup.Inputs[example, 1] = float.NaN;
        return setup;
    }

    private static float[][] Values(RegressionSetup setup) => setup.Parameters.Select(p => p.Value.ToArray()).ToArray();

    /// <summary>SGD that keeps a copy of every gradient it is given.</summary>
    private sealed class GradientRecordingOptimizer(ParameterSet<float> parameters) : Optimizer<float>(parameters, 0.01)
    {
        public List<float[]> Gradients { get; } = new();

        protected override void Update(int index, Parameter<float> parameter)
        {
            Gradients.Add(parameter.Gradient.ToArray());
            System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(parameter.Gradient.Span, -0.01f, parameter.Value.Span, parameter.Value.Span);
        }
    }

    private sealed class RecordingObserver(Action? onStep = null, Action<(long, int, int, string)>? onSkip = null) : ITrainingObserver
    {
        public void OnStart(long totalSteps, int epochs, int exampleCount, int batchSize)
        {
        }

        public void OnStep(in TrainingProgress progress) => onStep?.Invoke();

        public void OnEvaluation(long step, int epoch, double metric, bool improved)
        {
        }

        public void OnSkippedBatch(long step, int epoch, int batch, string reason) => onSkip?.Invoke((step, epoch, batch, reason));

        public void OnEnd(TrainingResult result)
        {
        }
    }
}
