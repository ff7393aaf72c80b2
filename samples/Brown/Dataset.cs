namespace Brown;

/// <summary>
/// Token ids split into train, validation and test, with the vocabulary: words seen at most
/// <see cref="RareThreshold"/> times (counted over <see cref="VocabularyScope"/>) become <c>&lt;unk&gt;</c>.
/// </summary>
public sealed class Dataset
{
    /// <summary>The id of the unknown-word symbol.</summary>
    public const int Unknown = 0;

    /// <summary>The paper's rule: words seen at most 3 times are merged.</summary>
    public const int RareThreshold = 3;

    private readonly Dictionary<string, int> _ids;

    private Dataset(string[] words, Dictionary<string, int> ids, int[] train, int[] valid, int[] test, string scope)
    {
        Words = words;
        _ids = ids;
        Train = train;
        Valid = valid;
        Test = test;
        VocabularyScope = scope;
    }

    /// <summary>The vocabulary: id → word, <c>&lt;unk&gt;</c> first.</summary>
    public IReadOnlyList<string> Words { get; }

    public int VocabularySize => Words.Count;

    public int[] Train { get; }

    public int[] Valid { get; }

    public int[] Test { get; }

    /// <summary>Which tokens the word counts come from ("all", "train", "train+valid").</summary>
    public string VocabularyScope { get; }

    /// <summary>The id of a word (<see cref="Unknown"/> for words outside the vocabulary).</summary>
    public int Id(string word) => _ids.TryGetValue(word, out var id) ? id : Unknown;

    /// <summary>
    /// Splits <paramref name="tokens"/>: the paper's 800,000 / 200,000 / rest for the full corpus, or the same
    /// 80% / 20%-of-the-rest proportions scaled to a smaller corpus (for the embedded slice).
    /// </summary>
    public static Dataset Build(IReadOnlyList<string> tokens, string vocabularyScope = "all", int trainTokens = 800_000, int validTokens = 200_000)
    {
        if (tokens.Count < trainTokens + validTokens + 1)
        {
            // A slice: keep the paper's proportions (800k : 200k : 161k of 1,161,192).
            trainTokens = (int)Math.Round(tokens.Count * (800_000 / 1_161_192.0));
            validTokens = (int)Math.Round(tokens.Count * (200_000 / 1_161_192.0));
        }

        var counted = vocabularyScope switch
        {
            "all" => tokens.Count,
            "train" => trainTokens,
            "train+valid" => trainTokens + validTokens,
            _ => throw new ArgumentException($"unknown vocabulary scope '{vocabularyScope}' (all, train, train+valid)"),
        };

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < counted; i++)
        {
            counts[tokens[i]] = counts.GetValueOrDefault(tokens[i]) + 1;
        }

        // Ids by decreasing frequency, ties in order of first appearance: deterministic, and frequent words first.
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < counted; i++)
        {
            firstSeen.TryAdd(tokens[i], i);
        }

        var words = new List<string> { "<unk>" };
        words.AddRange(counts.Where(p => p.Value > RareThreshold).OrderByDescending(p => p.Value).ThenBy(p => firstSeen[p.Key]).Select(p => p.Key));
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i < words.Count; i++)
        {
            ids[words[i]] = i;
        }

        int[] Encode(int start, int count)
        {
            var result = new int[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = ids.TryGetValue(tokens[start + i], out var id) ? id : Unknown;
            }

            return result;
        }

        return new Dataset(
            words.ToArray(),
            ids,
            Encode(0, trainTokens),
            Encode(trainTokens, validTokens),
            Encode(trainTokens + validTokens, tokens.Count - trainTokens - validTokens),
            vocabularyScope);
    }

    /// <summary>The share of <paramref name="ids"/> that are <c>&lt;unk&gt;</c>.</summary>
    public static double UnknownRate(int[] ids) => ids.Length == 0 ? 0 : ids.Count(i => i == Unknown) / (double)ids.Length;

    /// <summary>The perplexity of a unigram model fit on the training split (add-one smoothed), on <paramref name="ids"/>.</summary>
    public double UnigramPerplexity(int[] ids)
    {
        var counts = new double[VocabularySize];
        foreach (var id in Train)
        {
            counts[id]++;
        }

        var total = Train.Length + VocabularySize;
        var logLikelihood = ids.Sum(id => Math.Log((counts[id] + 1) / total));
        return Math.Exp(-logLikelihood / ids.Length);
    }
}
