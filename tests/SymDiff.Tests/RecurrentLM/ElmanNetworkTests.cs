using Brown;
using global::RecurrentLM;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.RecurrentLM;

/// <summary>The recurrent language model: BPTT from the loop against finite differences, checkpointing, streams, a short run.</summary>
public sealed class ElmanNetworkTests
{
    private const int Batch = 2;

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(12)]
    public void GeneratedGradientThroughTimeMatchesFiniteDifferences(int steps)
    {
        var shape = new NetworkShape(Vocabulary: 7, Embed: 3, Hidden: 4);
        var parameters = ElmanNetwork.CreateParameters(shape, new Rng(5));
        var random = new Random(steps);
        var inputs = Enumerable.Range(0, steps * Batch).Select(_ => random.Next(7)).ToArray();
        var targets = Enumerable.Range(0, steps * Batch).Select(_ => random.Next(7)).ToArray();
        var h0 = DTensor.RandomUniform(random, -0.5f, 0.5f, Batch, 4);
        var (e, w, u, b, v, c) = (parameters["embed"], parameters["W"], parameters["U"], parameters["b"], parameters["V"], parameters["c"]);
        var hLast = DTensor.Zeros<float>(Batch, 4);
        float Loss() => ElmanNetwork.Loss(e.Value, w.Value, u.Value, b.Value, v.Value, c.Value, h0, hLast, inputs, targets, Batch);

        var expected = Loss();
        var lastState = hLast.ToArray();
        hLast.Clear();
        var loss = ElmanNetwork.LossGradient(e.Value, w.Value, u.Value, b.Value, v.Value, c.Value, h0, hLast, inputs, targets, Batch, e.Gradient, w.Gradient, u.Gradient, b.Gradient, v.Gradient, c.Gradient);
        Assert.Equal(expected, loss, 5);
        Assert.Equal(lastState, hLast.ToArray()); // the gradient's forward sweep leaves the last state too
        hLast.Clear();
        Assert.Equal(expected, ElmanNetwork.LossBuffered(e.Value, w.Value, u.Value, b.Value, v.Value, c.Value, h0, hLast, inputs, targets, Batch));
        Assert.Equal(lastState, hLast.ToArray());
        FiniteDifferences.AssertFloatGradients(parameters, Loss, $" after {steps} steps");
    }

    /// <summary>
    /// The sample's own network (float, <c>hLast.CopyFrom(h)</c> included) has a pushforward and a Hessian-vector product:
    /// they match those of its double twin (<c>TensorModels.RnnHandingOn</c>, checked there against finite differences)
    /// to float rounding, and leave the last hidden state as the method does.
    /// </summary>
    [Fact]
    public void ItsPushforwardAndHessianVectorProductMatchTheDoubleTwin()
    {
        const int steps = 3, vocabulary = 7, embed = 3, hidden = 4;
        var random = new Random(21);
        int[][] shapes = [[vocabulary, embed], [embed, hidden], [hidden, hidden], [hidden], [hidden, vocabulary], [vocabulary]];
        var p = shapes.Select(s => DTensor.RandomUniform(random, -0.8, 0.8, s)).ToArray();
        var d = shapes.Select(s => DTensor.RandomUniform(random, -1.0, 1.0, s)).ToArray();
        var h0 = DTensor.RandomUniform(random, -0.5, 0.5, Batch, hidden);
        var inputs = Enumerable.Range(0, steps * Batch).Select(_ => random.Next(vocabulary)).ToArray();
        var targets = Enumerable.Range(0, steps * Batch).Select(_ => random.Next(vocabulary)).ToArray();
        var pf = p.Select(ToFloat).ToArray();
        var df = d.Select(ToFloat).ToArray();
        var h0f = ToFloat(h0);

        var hLast = DTensor.Zeros<double>(Batch, hidden);
        var hv = p.Select(x => DTensor.Zeros<double>(x.Shape.ToArray())).ToArray();
        var value = TensorGradients.TensorModels.RnnHandingOnHessianVectorProduct(p[0], p[1], p[2], p[3], p[4], p[5], h0, hLast, inputs, targets, Batch, d[0], d[1], d[2], d[3], d[4], d[5], hv[0], hv[1], hv[2], hv[3], hv[4], hv[5]);
        TensorGradients.TensorModels.RnnHandingOnPushforward(p[0], p[1], p[2], p[3], p[4], p[5], h0, hLast, inputs, targets, Batch, d[0], d[1], d[2], d[3], d[4], d[5], out var tangent);

        var hLastf = DTensor.Zeros<float>(Batch, hidden);
        var hvf = pf.Select(x => DTensor.Zeros<float>(x.Shape.ToArray())).ToArray();
        var valuef = ElmanNetwork.LossHessianVectorProduct(pf[0], pf[1], pf[2], pf[3], pf[4], pf[5], h0f, hLastf, inputs, targets, Batch, df[0], df[1], df[2], df[3], df[4], df[5], hvf[0], hvf[1], hvf[2], hvf[3], hvf[4], hvf[5]);
        Assert.Equal(value, valuef, 4);
        Assert.Equal(hLast.ToArray().Select(x => (float)x), hLastf.ToArray(), (x, y) => Math.Abs(x - y) <= 1e-5f);
        for (var i = 0; i < hv.Length; i++)
        {
            var (expected, actual) = (hv[i].ToArray(), hvf[i].ToArray());
            for (var j = 0; j < expected.Length; j++)
            {
                Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-4 * Math.Max(1.0, Math.Abs(expected[j])), $"H·v of parameter {i}, element {j}: {actual[j]} in float, {expected[j]} in double");
            }
        }

        ElmanNetwork.LossPushforward(pf[0], pf[1], pf[2], pf[3], pf[4], pf[5], h0f, hLastf, inputs, targets, Batch, df[0], df[1], df[2], df[3], df[4], df[5], out var tangentf);
        Assert.True(Math.Abs(tangent - tangentf) <= 1e-4 * Math.Max(1.0, Math.Abs(tangent)), $"pushforward {tangentf} in float, {tangent} in double");
    }

    private static DTensor<float> ToFloat(DTensor<double> x) => DTensor<float>.FromArray(x.ToArray().Select(e => (float)e).ToArray(), x.Shape.ToArray());

    [Fact]
    public void RecomputingStepsGivesTheSameGradientAsKeepingThem()
    {
        var shape = new NetworkShape(Vocabulary: 13, Embed: 5, Hidden: 6);
        var kept = ElmanNetwork.CreateParameters(shape, new Rng(8));
        var recomputed = ElmanNetwork.CreateParameters(shape, new Rng(8));
        var random = new Random(1);
        var inputs = Enumerable.Range(0, 30 * Batch).Select(_ => random.Next(13)).ToArray();
        var targets = Enumerable.Range(0, 30 * Batch).Select(_ => random.Next(13)).ToArray();
        var h0 = DTensor.Zeros<float>(Batch, 6);
        var hLast = DTensor.Zeros<float>(Batch, 6);
        float Run(ParameterSet<float> p, bool recompute)
        {
            // One network; the caller chooses, per call, whether the reverse sweep keeps or recomputes each step.
            var (e, w, u, b, v, c) = (p["embed"], p["W"], p["U"], p["b"], p["V"], p["c"]);
            return ElmanNetwork.LossGradient(e.Value, w.Value, u.Value, b.Value, v.Value, c.Value, h0, hLast, inputs, targets, Batch, e.Gradient, w.Gradient, u.Gradient, b.Gradient, v.Gradient, c.Gradient, recomputeLoops: recompute);
        }

        Assert.Equal(Run(kept, recompute: false), Run(recomputed, recompute: true));
        for (var i = 0; i < kept.Count; i++)
        {
            Assert.Equal(kept[i].Gradient.ToArray(), recomputed[i].Gradient.ToArray());
        }
    }

    [Fact]
    public void StreamsCutTheSequenceIntoTimeMajorChunks()
    {
        var ids = Enumerable.Range(100, 23).ToArray(); // 2 streams of 11 (one token left out)
        var streams = new Streams(ids, batch: 2, steps: 4);
        Assert.Equal(11, streams.Length);
        Assert.Equal(3, streams.Chunks); // 10 predictions per stream: 4 + 4 + 2
        Assert.Equal(20, streams.Predictions);
        var (inputs, targets) = streams.Chunk(0);
        Assert.Equal(new[] { 100, 111, 101, 112, 102, 113, 103, 114 }, inputs.ToArray());
        Assert.Equal(new[] { 101, 112, 102, 113, 103, 114, 104, 115 }, targets.ToArray());
        (inputs, targets) = streams.Chunk(2);
        Assert.Equal(new[] { 108, 119, 109, 120 }, inputs.ToArray());
        Assert.Equal(new[] { 109, 120, 110, 121 }, targets.ToArray());
        Assert.Equal(new[] { 100, 109, 100, 110 }, streams.Preceding(2)); // stream 0 has nothing before it
    }

    [Fact]
    public void RunnerFollowsTheDifferentiableForward()
    {
        // Perplexity from the runner equals exp(mean loss) of the [Differentiable] loop over the same single stream.
        var shape = new NetworkShape(Vocabulary: 9, Embed: 3, Hidden: 5);
        var parameters = ElmanNetwork.CreateParameters(shape, new Rng(2));
        var ids = new[] { 1, 4, 2, 8, 5, 7, 3, 0, 6, 2, 2, 1 };
        var (e, w, u, b, v, c) = (parameters["embed"], parameters["W"], parameters["U"], parameters["b"], parameters["V"], parameters["c"]);
        var loss = ElmanNetwork.Loss(e.Value, w.Value, u.Value, b.Value, v.Value, c.Value, DTensor.Zeros<float>(1, 5), DTensor.Zeros<float>(1, 5), ids[..^1], ids[1..], 1);
        Assert.Equal(Math.Exp(loss), new Runner(parameters).Perplexity(new Streams(ids, 1, 5)), 4);
    }

    [Fact]
    public void ShortRunOnTheEmbeddedCorpusBeatsTheUnigramModel()
    {
        var data = Dataset.Build(BrownCorpus.LoadEmbeddedSlice().Tokens);
        var shape = new NetworkShape(data.VocabularySize, 16, 32);
        var parameters = ElmanNetwork.CreateParameters(shape, new Rng(1));
        var train = new Streams(data.Train, 16, 10);
        var trainer = new Trainer<float>(parameters, new Adam<float>(parameters, 3e-3), new ConstantSchedule(3e-3), new TrainingOptions { Epochs = 1, BatchSize = 1, Shuffle = false, ClipGradientNorm = 1 });
        var runner = new Runner(parameters);
        var h0 = DTensor.Zeros<float>(16, 32);
        var hLast = DTensor.Zeros<float>(16, 32);
        var (e, w, u, b, v, c) = (parameters["embed"], parameters["W"], parameters["U"], parameters["b"], parameters["V"], parameters["c"]);
        trainer.Train(train.Chunks, batch =>
        {
            var (inputs, targets) = train.Chunk(batch[0]);
            var loss = ElmanNetwork.LossGradient(e.Value, w.Value, u.Value, b.Value, v.Value, c.Value, h0, hLast, inputs.Span, targets.Span, 16, e.Gradient, w.Gradient, u.Gradient, b.Gradient, v.Gradient, c.Gradient);
            (h0, hLast) = (hLast, h0);
            return loss;
        });

        var model = runner.Perplexity(new Streams(data.Valid, 16, 10));
        var unigram = data.UnigramPerplexity(data.Valid);
        Assert.True(model < unigram, $"model {model:F1} vs unigram {unigram:F1}");
    }

    [Fact]
    public void AResumeMidEpochCarriesTheHiddenStateAndContinuesExactly()
    {
        var data = Dataset.Build(BrownCorpus.LoadEmbeddedSlice().Tokens);
        var shape = new NetworkShape(data.VocabularySize, 8, 12);
        var train = new Streams(data.Train[..4000], batch: 4, steps: 10); // 100 chunks an epoch
        var path = Path.Combine(Path.GetTempPath(), "symdiff-tbptt-" + Guid.NewGuid().ToString("N") + ".ckpt");
        var options = new TrainingOptions { Epochs = 2, BatchSize = 1, Shuffle = false, ClipGradientNorm = 1, AverageDecay = 0.9 };

        // The sample's own step (TruncatedBptt); stopAfter requests a stop, as SIGTERM would, after that many steps.
        List<double> Run(TrainingOptions trainingOptions, Checkpoint<float>? resume, long stopAfter = -1, bool forgetState = false)
        {
            var parameters = ElmanNetwork.CreateParameters(shape, new Rng(3));
            var trainer = new Trainer<float>(parameters, new Adam<float>(parameters, 3e-3), new ConstantSchedule(3e-3), trainingOptions);
            var chunks = new TruncatedBptt(trainer, train, recompute: false);
            if (resume is not null)
            {
                trainer.Restore(resume);
                if (forgetState)
                {
                    chunks.State.Clear();
                }
            }

            trainer.Train(train.Chunks, batch =>
            {
                if (trainer.Optimizer.StepCount == stopAfter - 1)
                {
                    trainer.RequestStop("test");
                }

                return chunks.Step(batch);
            });
            return trainer.Losses;
        }

        try
        {
            var uninterrupted = Run(options, null);
            Run(options with { CheckpointPath = path }, null, stopAfter: 37);
            var checkpoint = CheckpointFile.Load<float>(path);
            Assert.Equal((37L, 0, 37), (checkpoint.Step, checkpoint.Epoch, checkpoint.NextBatch));
            Assert.Contains(checkpoint.Get("carried/hidden").ToArray(), h => h != 0);
            Assert.Equal(uninterrupted, Run(options, checkpoint));

            // Without the carried state the streams would restart from zero in mid-text: not the same run.
            Assert.NotEqual(uninterrupted, Run(options, checkpoint, forgetState: true));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ACheckpointedRunResumesToTheSameResult()
    {
        var path = Path.Combine(Path.GetTempPath(), "symdiff-rnn-" + Guid.NewGuid().ToString("N") + ".ckpt");
        var plot = $"--plot {path}.png";
        const string model = "--embed 8 --hidden 16 --batch 8 --threads 1 --average 0.97";
        try
        {
            var (code, uninterrupted, _) = Samples.Run("RecurrentLM", $"{model} --epochs 2 {plot}");
            Assert.Equal(0, code);
            Assert.Equal(0, Samples.Run("RecurrentLM", $"{model} --epochs 1 --checkpoint {path} {plot}").Code);
            var (resumedCode, resumed, _) = Samples.Run("RecurrentLM", $"{model} --epochs 2 --checkpoint {path} --resume {plot}");
            Assert.Equal(0, resumedCode);
            Assert.Contains("resumed from", resumed, StringComparison.Ordinal);
            foreach (var field in new[] { "valid_ppl", "test_ppl", "epochs" })
            {
                Assert.Equal(Samples.ResultField(uninterrupted, field), Samples.ResultField(resumed, field));
            }

            // --epochs 0 scores the best model the checkpoint kept, as the end of the finished run did.
            var (scoredCode, scored, _) = Samples.Run("RecurrentLM", $"{model} --epochs 0 --checkpoint {path} --resume {plot}");
            Assert.Equal(0, scoredCode);
            Assert.Contains("loaded the best model", scored, StringComparison.Ordinal);
            Assert.Equal(Samples.ResultField(uninterrupted, "test_ppl"), Samples.ResultField(scored, "test_ppl"));

            var (otherCode, _, error) = Samples.Run("RecurrentLM", $"--embed 8 --hidden 17 --batch 8 --epochs 2 --checkpoint {path} --resume {plot}");
            Assert.Equal(1, otherCode);
            Assert.Contains("is for \"Elman RNN |V|=3561 embed=8 hidden=16", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".png");
        }
    }
}
