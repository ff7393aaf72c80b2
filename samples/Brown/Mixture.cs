namespace Brown;

/// <summary>Linear interpolation of two models' next-word probabilities, its weight tuned on held-out data.</summary>
public static class Mixture
{
    /// <summary>exp of the mean negative log of λ·p + (1 − λ)·q.</summary>
    public static double Perplexity(ReadOnlySpan<double> p, ReadOnlySpan<double> q, double lambda)
    {
        if (p.Length != q.Length)
        {
            throw new ArgumentException($"Mixture: the models scored {p.Length} and {q.Length} tokens; they must score the same ones.", nameof(q));
        }

        double negativeLog = 0;
        for (var i = 0; i < p.Length; i++)
        {
            negativeLog -= Math.Log((lambda * p[i]) + ((1 - lambda) * q[i]));
        }

        return Math.Exp(negativeLog / Math.Max(1, p.Length));
    }

    /// <summary>The λ in {0, 0.01, …, 1} with the lowest <see cref="Perplexity"/> on (p, q), and that perplexity.</summary>
    public static (double Lambda, double Perplexity) Tune(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        var best = (Lambda: 0.0, Perplexity: double.PositiveInfinity);
        for (var k = 0; k <= 100; k++)
        {
            var lambda = k / 100.0;
            var perplexity = Perplexity(p, q, lambda);
            if (perplexity < best.Perplexity)
            {
                best = (lambda, perplexity);
            }
        }

        return best;
    }
}
