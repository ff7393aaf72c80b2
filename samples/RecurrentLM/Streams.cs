namespace RecurrentLM;

/// <summary>
/// A token sequence cut into <see cref="Batch"/> parallel streams (stream s is the s-th contiguous slice), read in
/// chunks of <see cref="Steps"/> time steps: chunk j holds, time-major, the inputs and next-word targets of steps
/// j·Steps ... of every stream. Truncated BPTT carries the hidden state from one chunk to the next.
/// </summary>
public sealed class Streams
{
    private readonly int[] _ids;
    private readonly int[] _inputs;
    private readonly int[] _targets;

    public Streams(int[] ids, int batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        _ids = ids;
        Batch = batch;
        Steps = steps;
        Length = ids.Length / batch;
        Chunks = Length < 2 ? 0 : ((Length - 1) + steps - 1) / steps;
        _inputs = new int[steps * batch];
        _targets = new int[steps * batch];
    }

    public int Batch { get; }

    public int Steps { get; }

    /// <summary>Tokens per stream (the last ids.Length mod Batch tokens are left out).</summary>
    public int Length { get; }

    public int Chunks { get; }

    /// <summary>Predicted tokens in all chunks: (Length − 1) per stream.</summary>
    public long Predictions => (long)Math.Max(0, Length - 1) * Batch;

    /// <summary>
    /// The <paramref name="count"/> tokens before each stream's start, time-major (stream 0, which has none, repeats its
    /// first token; its state is reset afterwards): running them first puts every stream in the state a continuous
    /// reading would have, instead of an all-zero one.
    /// </summary>
    public int[] Preceding(int count)
    {
        var words = new int[count * Batch];
        for (var t = 0; t < count; t++)
        {
            for (var s = 0; s < Batch; s++)
            {
                var position = (s * Length) - count + t;
                words[(t * Batch) + s] = _ids[Math.Max(0, position)];
            }
        }

        return words;
    }

    /// <summary>Chunk <paramref name="j"/>: time-major inputs and targets (the last chunk may be shorter). The buffers are reused.</summary>
    public (ReadOnlyMemory<int> Inputs, ReadOnlyMemory<int> Targets) Chunk(int j)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(j);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(j, Chunks);
        var start = j * Steps;
        var steps = Math.Min(Steps, Length - 1 - start);
        for (var t = 0; t < steps; t++)
        {
            for (var s = 0; s < Batch; s++)
            {
                var position = (s * Length) + start + t;
                _inputs[(t * Batch) + s] = _ids[position];
                _targets[(t * Batch) + s] = _ids[position + 1];
            }
        }

        return (_inputs.AsMemory(0, steps * Batch), _targets.AsMemory(0, steps * Batch));
    }
}
