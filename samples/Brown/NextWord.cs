using SymDiff;

namespace Brown;

/// <summary>How the samples' <c>--generate</c> picks the next word: temperature 0.8 over the top 20 logits, never &lt;unk&gt;.</summary>
public static class NextWord
{
    /// <summary>Draws a word id from <paramref name="logits"/> (one per vocabulary word).</summary>
    public static int Sample(ReadOnlySpan<float> logits, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var values = logits.ToArray();
        var candidates = Enumerable.Range(0, values.Length)
            .Where(i => i != Dataset.Unknown)
            .OrderByDescending(i => values[i])
            .Take(20)
            .ToArray();
        var max = values[candidates[0]];
        var weights = candidates.Select(i => Math.Exp((values[i] - max) / 0.8)).ToArray();
        var draw = rng.NextDouble() * weights.Sum();
        for (var k = 0; k < candidates.Length; k++)
        {
            draw -= weights[k];
            if (draw <= 0)
            {
                return candidates[k];
            }
        }

        return candidates[^1];
    }
}
