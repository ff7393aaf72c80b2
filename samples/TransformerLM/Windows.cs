namespace TransformerLM;

/// <summary>
/// A token stream cut into training sequences: window i reads tokens [i·T, i·T + T) and predicts the next token at
/// each of them. Minibatches of windows are gathered, batch-major, into reused buffers, with the position id of each
/// token (0 .. T − 1, for every window).
/// </summary>
public sealed class Windows
{
    private readonly int[] _tokens;
    private readonly int[] _inputs;
    private readonly int[] _targets;
    private readonly int[] _positions;

    public Windows(int[] tokens, int context, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        _tokens = tokens;
        Context = context;
        _inputs = new int[maxBatch * context];
        _targets = new int[maxBatch * context];
        _positions = new int[maxBatch * context];
        for (var i = 0; i < _positions.Length; i++)
        {
            _positions[i] = i % context;
        }
    }

    /// <summary>T: tokens per window.</summary>
    public int Context { get; }

    /// <summary>How many whole windows the stream holds (each needs the token after it as its last target).</summary>
    public int Count => Math.Max(0, (_tokens.Length - 1) / Context);

    /// <summary>Fills the buffers for the given windows; returns (inputs, targets, position ids), window after window.</summary>
    public (ReadOnlyMemory<int> Inputs, ReadOnlyMemory<int> Targets, ReadOnlyMemory<int> Positions) Gather(ReadOnlySpan<int> windows)
    {
        for (var k = 0; k < windows.Length; k++)
        {
            var start = windows[k] * Context;
            _tokens.AsSpan(start, Context).CopyTo(_inputs.AsSpan(k * Context, Context));
            _tokens.AsSpan(start + 1, Context).CopyTo(_targets.AsSpan(k * Context, Context));
        }

        var length = windows.Length * Context;
        return (_inputs.AsMemory(0, length), _targets.AsMemory(0, length), _positions.AsMemory(0, length));
    }
}
