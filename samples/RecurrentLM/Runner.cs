using SymDiff;

namespace RecurrentLM;

/// <summary>
/// The network's forward pass without gradients, on reused buffers: carrying the hidden state to the next chunk
/// during training, and perplexity over a whole split.
/// </summary>
public sealed class Runner
{
    private readonly ParameterSet<float> _parameters;
    private DTensor<float>? _x;
    private DTensor<float>? _input;
    private DTensor<float>? _recurrent;
    private DTensor<float>? _sum;
    private DTensor<float>? _preactivation;
    private DTensor<float>? _next;
    private DTensor<float>? _projection;
    private DTensor<float>? _logits;

    public Runner(ParameterSet<float> parameters) => _parameters = parameters;

    /// <summary>Runs the recurrence over time-major <paramref name="inputs"/> from <paramref name="state"/>, in place.</summary>
    public void Advance(DTensor<float> state, ReadOnlySpan<int> inputs, int batch)
    {
        for (var t = 0; t < inputs.Length / batch; t++)
        {
            Step(state, inputs.Slice(t * batch, batch));
        }
    }

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
        Advance(state, streams.Preceding(BurnIn), streams.Batch);
        state.Span[..hidden].Clear(); // stream 0 starts at the beginning of the split
        double total = 0;
        long count = 0;
        for (var j = 0; j < streams.Chunks; j++)
        {
            var (inputs, targets) = streams.Chunk(j);
            for (var t = 0; t < inputs.Length / streams.Batch; t++)
            {
                Step(state, inputs.Span.Slice(t * streams.Batch, streams.Batch));
                var projection = DTensor.MatMul(state, _parameters["V"].Value, false, false, ref _projection);
                var logits = DTensor.AddRowBias(projection, _parameters["c"].Value, ref _logits);
                total += DTensor.CrossEntropy(logits, targets.Span.Slice(t * streams.Batch, streams.Batch)) * (double)streams.Batch;
                count += streams.Batch;
            }
        }

        return Math.Exp(total / Math.Max(1, count));
    }

    /// <summary>h ← tanh(e(w)·W + h·U + b).</summary>
    private void Step(DTensor<float> state, ReadOnlySpan<int> words)
    {
        var x = DTensor.Embedding(_parameters["embed"].Value, words, ref _x);
        var input = DTensor.MatMul(x, _parameters["W"].Value, false, false, ref _input);
        var recurrent = DTensor.MatMul(state, _parameters["U"].Value, false, false, ref _recurrent);
        var sum = DTensor.Add(input, recurrent, ref _sum);
        var preactivation = DTensor.AddRowBias(sum, _parameters["b"].Value, ref _preactivation);
        var next = DTensor.Tanh(preactivation, ref _next);
        state.CopyFrom(next);
    }
}
