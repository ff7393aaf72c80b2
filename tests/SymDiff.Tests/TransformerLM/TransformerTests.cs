using Brown;
using global::TransformerLM;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.TransformerLM;

/// <summary>The Transformer language model: its generated gradient, a short run against the unigram model, and the program.</summary>
public sealed class TransformerTests
{
    private static readonly TransformerShape Tiny = new(Layers: 2, Width: 4, Heads: 2, Hidden: 6, Context: 3, Tied: true, Vocabulary: 7);

    private static float Loss(ParameterSet<float> parameters, TransformerShape shape, int[] inputs, int[] targets, int[] positions, int batch, float dropout)
    {
        var p = Transformer.Names.Select(name => parameters[name].Value).ToArray();
        return Transformer.Loss(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17], p[18],
            inputs, targets, positions, batch, shape.Heads, shape.Tied, dropout, 9UL);
    }

    [Theory]
    [InlineData(true, 0f)]
    [InlineData(false, 0f)]
    [InlineData(true, 0.25f)]
    public void GeneratedGradientMatchesFiniteDifferences(bool tied, float dropout)
    {
        // A tiny configuration; the model is float, so central differences use a larger step and tolerance.
        var shape = Tiny with { Tied = tied };
        var parameters = Transformer.CreateParameters(shape, new Rng(4));
        foreach (var parameter in parameters)
        {
            // Larger than GPT-2's initialization, so that every path (attention included) carries a visible gradient.
            var random = new Rng(5);
            for (var i = 0; i < parameter.Value.Length; i++)
            {
                parameter.Value[i] += 0.3f * ((float)random.NextDouble() - 0.5f);
            }
        }

        int[] inputs = [1, 2, 3, 4, 6, 0];
        int[] targets = [2, 3, 5, 6, 0, 1];
        int[] positions = [0, 1, 2, 0, 1, 2];
        var p = Transformer.Names.Select(name => parameters[name]).ToArray();
        var loss = Transformer.LossGradient(
            p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value, p[6].Value, p[7].Value, p[8].Value, p[9].Value,
            p[10].Value, p[11].Value, p[12].Value, p[13].Value, p[14].Value, p[15].Value, p[16].Value, p[17].Value, p[18].Value,
            inputs, targets, positions, 2, shape.Heads, shape.Tied, dropout, 9UL,
            p[0].Gradient, p[1].Gradient, p[2].Gradient, p[3].Gradient, p[4].Gradient, p[5].Gradient, p[6].Gradient, p[7].Gradient, p[8].Gradient, p[9].Gradient,
            p[10].Gradient, p[11].Gradient, p[12].Gradient, p[13].Gradient, p[14].Gradient, p[15].Gradient, p[16].Gradient, p[17].Gradient, p[18].Gradient);
        Assert.Equal(Loss(parameters, shape, inputs, targets, positions, 2, dropout), loss, 5);

        var checkedElements = FiniteDifferences.AssertFloatGradients(parameters, () => Loss(parameters, shape, inputs, targets, positions, 2, dropout));
        Assert.Equal(parameters.ElementCount, checkedElements);
        Assert.Contains(parameters["wk"].Gradient.ToArray(), g => Math.Abs(g) > 1e-4); // the attention scores are differentiated
        // Token 5 is never read: untied, its embedding row gets nothing; tied, it is also an output row, so it does.
        var row5 = parameters["tokens"].Gradient.ToArray().Skip(5 * 4).Take(4).ToArray();
        Assert.Equal(tied, row5.Any(g => g != 0f));
    }

    [Fact]
    public void ATrainingStepAllocatesNothingOnceWarm()
    {
        var shape = new TransformerShape(2, 16, 4, 32, 8, true, 50);
        var parameters = Transformer.CreateParameters(shape, new Rng(7));
        var optimizer = new AdamW<float>(parameters, 1e-3);
        var rng = new Rng(8);
        var inputs = Enumerable.Range(0, 4 * 8).Select(_ => rng.NextInt(50)).ToArray();
        var targets = Enumerable.Range(0, 4 * 8).Select(_ => rng.NextInt(50)).ToArray();
        var positions = Enumerable.Range(0, 4 * 8).Select(i => i % 8).ToArray();
        var p = Transformer.Names.Select(name => parameters[name]).ToArray();
        void Step()
        {
            parameters.ZeroGradients();
            Transformer.LossGradient(
                p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value, p[6].Value, p[7].Value, p[8].Value, p[9].Value,
                p[10].Value, p[11].Value, p[12].Value, p[13].Value, p[14].Value, p[15].Value, p[16].Value, p[17].Value, p[18].Value,
                inputs, targets, positions, 4, shape.Heads, shape.Tied, 0.1f, (ulong)optimizer.StepCount,
                p[0].Gradient, p[1].Gradient, p[2].Gradient, p[3].Gradient, p[4].Gradient, p[5].Gradient, p[6].Gradient, p[7].Gradient, p[8].Gradient, p[9].Gradient,
                p[10].Gradient, p[11].Gradient, p[12].Gradient, p[13].Gradient, p[14].Gradient, p[15].Gradient, p[16].Gradient, p[17].Gradient, p[18].Gradient);
            optimizer.Step();
        }

        Assert.Equal(0, Allocations.OnceWarm(Step));
    }

    [Fact]
    public void ShortRunOnTheEmbeddedCorpusBeatsTheUnigramModel()
    {
        var data = Dataset.Build(BrownCorpus.LoadEmbeddedSlice().Tokens);
        var shape = new TransformerShape(1, 32, 2, 64, 16, true, data.VocabularySize);
        var parameters = Transformer.CreateParameters(shape, new Rng(1));
        const int batch = 16;
        var train = new Windows(data.Train, shape.Context, batch);
        var steps = 2 * ((train.Count + batch - 1) / batch);
        var trainer = new Trainer<float>(parameters, new AdamW<float>(parameters, 3e-3, weightDecay: 0.01), new WarmupCosineSchedule(3e-3, 50, steps),
            new TrainingOptions { Epochs = 2, BatchSize = batch, ClipGradientNorm = 1 });
        var p = Transformer.Names.Select(name => parameters[name]).ToArray();
        trainer.Train(train.Count, windows =>
        {
            var (inputs, targets, positions) = train.Gather(windows);
            return Transformer.LossGradient(
                p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value, p[6].Value, p[7].Value, p[8].Value, p[9].Value,
                p[10].Value, p[11].Value, p[12].Value, p[13].Value, p[14].Value, p[15].Value, p[16].Value, p[17].Value, p[18].Value,
                inputs.Span, targets.Span, positions.Span, windows.Length, shape.Heads, shape.Tied, 0f, 0UL,
                p[0].Gradient, p[1].Gradient, p[2].Gradient, p[3].Gradient, p[4].Gradient, p[5].Gradient, p[6].Gradient, p[7].Gradient, p[8].Gradient, p[9].Gradient,
                p[10].Gradient, p[11].Gradient, p[12].Gradient, p[13].Gradient, p[14].Gradient, p[15].Gradient, p[16].Gradient, p[17].Gradient, p[18].Gradient);
        });

        var model = new Evaluator(shape, parameters).Perplexity(data.Valid);
        var unigram = data.UnigramPerplexity(data.Valid);
        Assert.True(model < unigram, $"model {model:F1} vs unigram {unigram:F1}");
    }

    [Fact]
    public void TheEvaluatorScoresEveryTokenOnceWithTheTrainingLoss()
    {
        // With windows as long as the text, the strided evaluation is one forward pass: the training loss's perplexity.
        var shape = Tiny with { Context = 8 };
        var parameters = Transformer.CreateParameters(shape, new Rng(6));
        int[] tokens = [1, 4, 2, 6, 3, 3, 0, 5, 2];
        var expected = Math.Exp(Loss(parameters, shape, tokens[..8], tokens[1..], Enumerable.Range(0, 8).ToArray(), 1, 0f));
        Assert.Equal(expected, new Evaluator(shape, parameters).Perplexity(tokens), 4);
    }

    [Fact]
    public void TheProgramTrainsGeneratesResumesAndEndsWithTheResultLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"transformer-{Guid.NewGuid():N}");
        try
        {
            const string model = "--layers 1 --width 16 --heads 2 --context 8 --batch 32 --threads 1";
            var (code, output, error) = Samples.Run("TransformerLM", $"{model} --epochs 1 --checkpoint {path} --plot {path}.png --generate \"The jury said\" --words 6");
            Assert.True(code == 0, error);
            Assert.Contains("generated: The jury said ", output, StringComparison.Ordinal);
            Assert.True(File.Exists(path + ".png"));
            var valid = double.Parse(Samples.ResultField(output, "valid_ppl"), System.Globalization.CultureInfo.InvariantCulture);

            var (resumedCode, resumed, resumedError) = Samples.Run("TransformerLM", $"{model} --epochs 0 --resume --checkpoint {path} --plot {path}.png");
            Assert.True(resumedCode == 0, resumedError);
            Assert.Contains("loaded the best model", resumed, StringComparison.Ordinal);
            Assert.Equal(valid, double.Parse(Samples.ResultField(resumed, "valid_ppl"), System.Globalization.CultureInfo.InvariantCulture), 2);

            var (badCode, _, badError) = Samples.Run("TransformerLM", "--width 10 --heads 4");
            Assert.Equal(2, badCode);
            Assert.Equal("error: --width 10 is not a multiple of --heads 4", badError);
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*"))
            {
                File.Delete(file);
            }
        }
    }
}
