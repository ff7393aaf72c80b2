using SymDiff;

namespace RecurrentLM;

/// <summary>
/// Perplexity of a split with the network's own loss, through its generated <c>ElmanNetwork.LossBuffered</c> (the
/// forward pass into reused buffers): the hidden state carried from chunk to chunk is the one the loss leaves.
/// </summary>
public sealed class Runner
{
    private readonly ParameterSet<float> _parameters;

    public Runner(ParameterSet<float> parameters) => _parameters = parameters;

    /// <summary>Tokens read (not scored) before each evaluation stream, so that no stream starts from a zero state mid-text.</summary>
    public const int BurnIn = 64;

    /// <summary>
    /// Perplexity of <paramref name="streams"/>. Every stream but the first first reads the <see cref="BurnIn"/> tokens
    /// before it: a tanh network started from h = 0 in the middle of a text can fall into a saturated state that it
    /// would never reach reading the text from its beginning, and the score would measure that instead.
    /// </summary>
    public double Perplexity(Streams streams)
    {
        var hidden = _parameters["U"].Value.Shape[0];
        var state = DTensor.Zeros<float>(streams.Batch, hidden);
        var next = DTensor.Zeros<float>(streams.Batch, hidden);
        var burnIn = streams.Preceding(BurnIn);
        Loss(burnIn, burnIn, streams.Batch, ref state, ref next); // reads the preceding text; its score is not counted
        state.Span[..hidden].Clear(); // stream 0 starts at the beginning of the split
        double total = 0;
        long count = 0;
        for (var j = 0; j < streams.Chunks; j++)
        {
            var (inputs, targets) = streams.Chunk(j);
            total += Loss(inputs.Span, targets.Span, streams.Batch, ref state, ref next) * (double)inputs.Length;
            count += inputs.Length;
        }

        return Math.Exp(total / Math.Max(1, count));
    }

    /// <summary>The mean loss of one chunk from <paramref name="state"/>, which then holds the chunk's last state.</summary>
    private double Loss(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch, ref DTensor<float> state, ref DTensor<float> next)
    {
        if (inputs.Length < batch)
        {
            return 0;
        }

        var loss = ElmanNetwork.LossBuffered(
            _parameters["embed"].Value, _parameters["W"].Value, _parameters["U"].Value, _parameters["b"].Value, _parameters["V"].Value, _parameters["c"].Value,
            state, next, inputs, targets, batch);
        (state, next) = (next, state);
        return loss;
    }
}
