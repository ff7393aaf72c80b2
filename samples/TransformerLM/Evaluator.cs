using System.Numerics.Tensors;
using SymDiff;

namespace TransformerLM;

/// <summary>
/// Perplexity and next-token logits without gradients, through the model's generated <c>Transformer.LogitsBuffered</c>
/// (the forward pass into reused buffers), so nothing of the network is written twice.
/// </summary>
public sealed class Evaluator
{
    private readonly TransformerShape _shape;
    private readonly ParameterSet<float> _parameters;
    private readonly int[] _positions;

    public Evaluator(TransformerShape shape, ParameterSet<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _shape = shape;
        _parameters = parameters;
        _positions = Enumerable.Range(0, shape.Context).ToArray();
    }

    /// <summary>
    /// exp of the mean cross-entropy of every token of <paramref name="tokens"/> after the first, read in windows of
    /// T tokens that advance by T/2: every token but those of the first window is scored with at least T/2 tokens of
    /// context (a window that merely restarted at each multiple of T would score its first tokens almost blind).
    /// </summary>
    public double Perplexity(int[] tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var context = _shape.Context;
        var stride = Math.Max(1, context / 2);
        var exponentials = new float[_shape.Vocabulary];
        double total = 0;
        long scored = 0;
        var next = 1; // the first target not scored yet
        for (var start = 0; next < tokens.Length; start += stride)
        {
            var length = Math.Min(context, tokens.Length - 1 - start);
            var logits = Logits(tokens.AsSpan(start, length)).Span;
            for (var j = 0; j < length; j++)
            {
                var target = start + j + 1;
                if (target < next)
                {
                    continue;
                }

                var row = logits.Slice(j * _shape.Vocabulary, _shape.Vocabulary);
                var max = TensorPrimitives.Max(row);
                TensorPrimitives.Subtract(row, max, exponentials);
                TensorPrimitives.Exp(exponentials, exponentials);
                total += Math.Log(TensorPrimitives.Sum(exponentials)) - (row[tokens[target]] - max);
                scored++;
            }

            next = start + length + 1;
        }

        return Math.Exp(total / Math.Max(1, scored));
    }

    /// <summary>
    /// The next-token logits at each position of one sequence of at most T tokens ([length, |V|]), from the generated
    /// <c>Transformer.LogitsBuffered</c>: a buffer the next call overwrites.
    /// </summary>
    public DTensor<float> Logits(ReadOnlySpan<int> sequence)
    {
        var p = Transformer.Names.Select(name => _parameters[name].Value).ToArray();
        return Transformer.LogitsBuffered(
            p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17], p[18],
            sequence, _positions.AsSpan(0, sequence.Length), 1, _shape.Heads, _shape.Tied, 0f, 0UL);
    }
}
