using Brown;
using SymDiff;

namespace RecurrentLM;

/// <summary>
/// The training step of truncated backpropagation through time: the trainer's batch i is chunk i of the streams (read
/// in order: batch size 1, no shuffling), started from the hidden state the previous chunk left. That state is the
/// trainer's <see cref="Trainer{T}.CarriedState"/>, so a checkpoint written mid-epoch holds it and a resumed run
/// continues exactly; each epoch starts the streams over from zero.
/// </summary>
public sealed class TruncatedBptt
{
    private readonly Streams _train;
    private readonly bool _recompute;
    private readonly Throughput? _throughput;
    private readonly Parameter<float> _embed, _w, _u, _b, _v, _c;
    private readonly DTensor<float> _state;
    private readonly DTensor<float> _last;

    /// <summary>Adds the hidden state to <paramref name="trainer"/>'s carried state (do it before restoring a checkpoint).</summary>
    public TruncatedBptt(Trainer<float> trainer, Streams train, bool recompute, Throughput? throughput = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(train);
        var parameters = trainer.Parameters;
        (_embed, _w, _u, _b, _v, _c) = (parameters["embed"], parameters["W"], parameters["U"], parameters["b"], parameters["V"], parameters["c"]);
        _train = train;
        _recompute = recompute;
        _throughput = throughput;
        var hidden = _u.Value.Shape[0];
        _state = DTensor.Zeros<float>(train.Batch, hidden);
        _last = DTensor.Zeros<float>(train.Batch, hidden);
        trainer.CarriedState.Add(("hidden", _state));
    }

    /// <summary>The hidden state the next chunk starts from.</summary>
    public DTensor<float> State => _state;

    /// <summary>The trainer's batch step: <paramref name="batch"/> holds one chunk index.</summary>
    public float Step(ReadOnlySpan<int> batch)
    {
        _throughput?.Start();
        var chunk = batch[0];
        if (chunk == 0)
        {
            _state.Clear(); // a new epoch starts the streams over
        }

        var (inputs, targets) = _train.Chunk(chunk);
        var loss = ElmanNetwork.LossGradient(
            _embed.Value, _w.Value, _u.Value, _b.Value, _v.Value, _c.Value, _state, _last, inputs.Span, targets.Span, _train.Batch,
            _embed.Gradient, _w.Gradient, _u.Gradient, _b.Gradient, _v.Gradient, _c.Gradient, recomputeLoops: _recompute);

        // The next chunk starts where this one ended. Copied rather than swapped, so the carried tensor stays the one
        // the trainer checkpoints (a batch × hidden copy, next to a chunk's forward and backward pass).
        _state.CopyFrom(_last);
        _throughput?.Stop(inputs.Length);
        return loss;
    }
}
