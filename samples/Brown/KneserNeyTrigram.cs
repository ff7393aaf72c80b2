namespace Brown;

/// <summary>
/// An interpolated Kneser-Ney trigram model (Chen and Goodman 1998, one discount per order D = n₁ / (n₁ + 2n₂)),
/// the n-gram baseline of Bengio et al. (2003) and the model their MLP10 mixes with the network:
/// <code>
/// P₃(w | u v) = max(c(u v w) − D₃, 0) / c(u v ·) + D₃ · N₁₊(u v ·) / c(u v ·) · P₂(w | v)
/// P₂(w | v)   = max(N₁₊(· v w) − D₂, 0) / N₁₊(· v ·) + D₂ · N₁₊(v ·) / N₁₊(· v ·) · P₁(w)
/// P₁(w)       = max(N₁₊(· w) − D₁, 0) / N₁₊(· ·) + D₁ · N₁₊(·) / N₁₊(· ·) · 1 / |V|
/// </code>
/// Lower orders count distinct left contexts (continuation counts) instead of occurrences; a history never seen
/// falls back to the next order. Every distribution sums to 1 over the vocabulary.
/// </summary>
public sealed class KneserNeyTrigram
{
    private readonly int _vocabulary;
    private readonly Dictionary<long, int> _trigrams = new();
    private readonly Dictionary<long, (int Total, int Types)> _trigramHistories = new();
    private readonly Dictionary<long, int> _bigramContinuations = new();
    private readonly int[] _bigramHistoryTotal;
    private readonly int[] _bigramHistoryTypes;
    private readonly int[] _unigramContinuations;
    private readonly int _unigramTotal;
    private readonly int _unigramTypes;

    /// <summary>Counts the trigrams of <paramref name="train"/> (ids in [0, <paramref name="vocabulary"/>)).</summary>
    public KneserNeyTrigram(ReadOnlySpan<int> train, int vocabulary)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabulary);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vocabulary, 1 << 21); // three ids share one long key
        _vocabulary = vocabulary;
        for (var i = 2; i < train.Length; i++)
        {
            var (u, v, w) = (Checked(train[i - 2]), Checked(train[i - 1]), Checked(train[i]));
            var key = Key(u, v, w);
            var seen = _trigrams.TryGetValue(key, out var count);
            _trigrams[key] = count + 1;
            var history = _trigramHistories.GetValueOrDefault(Key(u, v));
            _trigramHistories[Key(u, v)] = (history.Total + 1, history.Types + (seen ? 0 : 1));
        }

        // N₁₊(· v w): one per trigram type ending in (v, w).
        foreach (var key in _trigrams.Keys)
        {
            var suffix = key & ((1L << 42) - 1);
            _bigramContinuations[suffix] = _bigramContinuations.GetValueOrDefault(suffix) + 1;
        }

        _bigramHistoryTotal = new int[vocabulary];
        _bigramHistoryTypes = new int[vocabulary];
        _unigramContinuations = new int[vocabulary];
        foreach (var (key, continuations) in _bigramContinuations)
        {
            var (v, w) = ((int)(key >> 21), (int)(key & Mask));
            _bigramHistoryTotal[v] += continuations;
            _bigramHistoryTypes[v]++;
            _unigramContinuations[w]++; // N₁₊(· w): one per bigram type ending in w
        }

        foreach (var continuations in _unigramContinuations)
        {
            _unigramTotal += continuations;
            _unigramTypes += continuations > 0 ? 1 : 0;
        }

        Discounts = (
            Discount(_unigramContinuations),
            Discount(_bigramContinuations.Values),
            Discount(_trigrams.Values));
    }

    /// <summary>D₁, D₂, D₃ (each in (0, 1); 0.5 when the counts of counts give nothing better).</summary>
    public (double Unigram, double Bigram, double Trigram) Discounts { get; }

    /// <summary>P(w | u v).</summary>
    public double Probability(int u, int v, int w)
    {
        var lower = Bigram(v, w);
        if (!_trigramHistories.TryGetValue(Key(u, v), out var history))
        {
            return lower;
        }

        var d = Discounts.Trigram;
        var count = _trigrams.GetValueOrDefault(Key(u, v, w));
        return (Math.Max(count - d, 0) + (d * history.Types * lower)) / history.Total;
    }

    /// <summary>P(tokens[j] | tokens[j − 2], tokens[j − 1]) for j = <paramref name="first"/> … end (first ≥ 2).</summary>
    public double[] Probabilities(ReadOnlySpan<int> tokens, int first)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 2);
        var probabilities = new double[Math.Max(0, tokens.Length - first)];
        for (var j = first; j < tokens.Length; j++)
        {
            probabilities[j - first] = Probability(tokens[j - 2], tokens[j - 1], tokens[j]);
        }

        return probabilities;
    }

    private double Bigram(int v, int w)
    {
        var lower = Unigram(w);
        var total = _bigramHistoryTotal[Checked(v)];
        if (total == 0)
        {
            return lower;
        }

        var d = Discounts.Bigram;
        var continuations = _bigramContinuations.GetValueOrDefault(Key(v, w));
        return (Math.Max(continuations - d, 0) + (d * _bigramHistoryTypes[v] * lower)) / total;
    }

    private double Unigram(int w)
    {
        var uniform = 1.0 / _vocabulary;
        if (_unigramTotal == 0)
        {
            return uniform;
        }

        var d = Discounts.Unigram;
        return (Math.Max(_unigramContinuations[Checked(w)] - d, 0) + (d * _unigramTypes * uniform)) / _unigramTotal;
    }

    /// <summary>D = n₁ / (n₁ + 2n₂) from the counts of counts, kept inside (0, 1).</summary>
    private static double Discount(IEnumerable<int> counts)
    {
        var (ones, twos) = (0, 0);
        foreach (var count in counts)
        {
            ones += count == 1 ? 1 : 0;
            twos += count == 2 ? 1 : 0;
        }

        return ones == 0 ? 0.5 : Math.Clamp(ones / (ones + (2.0 * twos)), 0.01, 0.99);
    }

    private const long Mask = (1L << 21) - 1;

    private int Checked(int id) => (uint)id < (uint)_vocabulary ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"word ids must be in [0, {_vocabulary})");

    private static long Key(int v, int w) => ((long)v << 21) | (uint)w;

    private static long Key(int u, int v, int w) => ((long)u << 42) | ((long)v << 21) | (uint)w;
}
