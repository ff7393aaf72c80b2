using Brown;
using global::NeuralLM;

namespace SymDiff.Tests.NeuralLM;

/// <summary>The Kneser-Ney trigram baseline and its mixture with the network (the paper's MLP10).</summary>
public sealed class TrigramMixtureTests
{
    [Fact]
    public void EveryHistoryGivesADistribution()
    {
        // A Zipf-like random text, so every kind of history occurs: seen trigram histories, histories seen only
        // as bigrams, words never seen before, words never seen at all (ids 40..49).
        var rng = new Rng(11);
        var train = Enumerable.Range(0, 3000).Select(_ => (int)(40 * Math.Pow(rng.NextDouble(), 3))).ToArray();
        var model = new KneserNeyTrigram(train, 50);
        Assert.InRange(model.Discounts.Trigram, 0.01, 0.99);
        Assert.InRange(model.Discounts.Bigram, 0.01, 0.99);
        Assert.InRange(model.Discounts.Unigram, 0.01, 0.99);
        foreach (var (u, v) in new[] { (train[0], train[1]), (train[10], train[11]), (train[11], train[0]), (0, 45), (45, 0), (47, 48), (39, 38) })
        {
            var probabilities = Enumerable.Range(0, 50).Select(w => model.Probability(u, v, w)).ToArray();
            Assert.All(probabilities, p => Assert.True(p > 0, $"P(· | {u} {v}) has a zero"));
            Assert.Equal(1.0, probabilities.Sum(), 12);
        }
    }

    [Fact]
    public void MatchesKneserNeyByHandOnATinyText()
    {
        // "a b a b c": trigrams aba, bab, abc; D₃ = 3 / (3 + 0) clamps to 0.99.
        var model = new KneserNeyTrigram(new[] { 0, 1, 0, 1, 2 }, 4);
        var (d1, d2, d3) = model.Discounts;
        Assert.Equal(0.99, d3, 12);

        // Bigram continuations: N(·ba) = 1, N(·ab) = 1, N(·bc) = 1, so histories a and b each have one type.
        // Unigram continuations (bigram types ending in w): a 1 (b·a), b 1 (a·b), c 1 (b·c), d 0; total 3, 3 types.
        double P1(int w) => (Math.Max(new[] { 1, 1, 1, 0 }[w] - d1, 0) + (d1 * 3 / 4.0)) / 3;
        double P2(int v, int w) => v switch
        {
            0 => (Math.Max(w == 1 ? 1 - d2 : 0, 0) + (d2 * 1 * P1(w))) / 1,             // after a: only b
            1 => (Math.Max((w is 0 or 2 ? 1 : 0) - d2, 0) + (d2 * 2 * P1(w))) / 2,      // after b: a and c
            _ => P1(w),
        };

        // History (a b) was followed by a and c once each: c(ab·) = 2, two types.
        Assert.Equal((Math.Max(1 - d3, 0) + (d3 * 2 * P2(1, 2))) / 2, model.Probability(0, 1, 2), 12);
        Assert.Equal(d3 * 2 * P2(1, 3) / 2, model.Probability(0, 1, 3), 12);
        Assert.Equal(P2(1, 0), model.Probability(2, 1, 0), 12); // history (c b) never seen: the bigram
        Assert.Equal(P1(3), model.Probability(3, 3, 3), 12);    // nothing after d: the unigram
    }

    [Fact]
    public void RejectsIdsOutsideTheVocabulary()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KneserNeyTrigram(new[] { 0, 1, 5 }, 4));
    }

    [Fact]
    public void MixtureWeightIsTunedAndNeverWorseThanEitherModel()
    {
        var rng = new Rng(2);
        var p = Enumerable.Range(0, 500).Select(_ => 0.01 + rng.NextDouble() * 0.5).ToArray();
        var q = Enumerable.Range(0, 500).Select(_ => 0.01 + rng.NextDouble() * 0.5).ToArray();
        var (lambda, perplexity) = Mixture.Tune(p, q);
        Assert.InRange(lambda, 0.01, 0.99); // two independent models: the mixture beats both
        Assert.True(perplexity < Math.Min(Mixture.Perplexity(p, q, 1), Mixture.Perplexity(p, q, 0)));
        Assert.Equal(Math.Exp(-p.Average(Math.Log)), Mixture.Perplexity(p, q, 1), 10);
        Assert.Equal(1.0, Mixture.Tune(p, p.Select(x => x / 2).ToArray()).Lambda); // a uniformly worse model gets no weight
        Assert.Throws<ArgumentException>(() => Mixture.Perplexity(p, q[1..], 0.5));
    }

    [Fact]
    public void NetworkTargetProbabilitiesGiveItsPerplexity()
    {
        var shape = new ModelShape(3, 4, 5, true, 11);
        var evaluator = new Evaluator(shape, LanguageModel.CreateParameters(shape, new Rng(4)));
        var tokens = new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2 };
        var probabilities = evaluator.TargetProbabilities(tokens, batchSize: 4); // batches of 4, 4 and 3 examples
        Assert.Equal(tokens.Length - shape.Context, probabilities.Length);
        Assert.Equal(evaluator.Perplexity(tokens), Math.Exp(-probabilities.Average(Math.Log)), 4);
        var logits = evaluator.Logits(new[] { tokens[3], tokens[4] }, 1).Span.ToArray();
        Assert.Equal(Math.Exp(logits[tokens[5]]) / logits.Sum(l => Math.Exp(l)), probabilities[3], 5);
    }
}
