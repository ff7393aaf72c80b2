using SymDiff;

namespace TransformerLM;

/// <summary>The size of a Transformer language model.</summary>
/// <param name="Layers">Blocks (attention + MLP) stacked.</param>
/// <param name="Width">d: the width of the residual stream (token and position vectors).</param>
/// <param name="Heads">Attention heads; d must be a multiple of it.</param>
/// <param name="Hidden">The MLP's hidden width (usually 4d).</param>
/// <param name="Context">T: the longest sequence the model reads (the position table's length).</param>
/// <param name="Tied">Whether the output layer is the token embedding, transposed (weight tying).</param>
/// <param name="Vocabulary">|V|.</param>
public sealed record TransformerShape(int Layers, int Width, int Heads, int Hidden, int Context, bool Tied, int Vocabulary)
{
    public override string ToString() =>
        $"layers={Layers} d={Width} heads={Heads} mlp={Hidden} context={Context}{(Tied ? " tied" : string.Empty)} |V|={Vocabulary}";
}

/// <summary>
/// A decoder-only Transformer language model (GPT-2's shape): token and learned position embeddings, then blocks of
/// pre-LayerNorm multi-head causal self-attention and a GELU MLP, each added to the residual stream, a final
/// LayerNorm and the output layer (the token embedding itself with weight tying). The weights of all blocks are
/// stacked along a first axis (wq is [layers, d, d]) and each block picks its own with <see cref="DTensor.Select{T}(DTensor{T}, int)"/>,
/// so the network is one loop over the blocks; SymDiff generates its gradient, as it does for every model here.
/// </summary>
public static partial class Transformer
{
    /// <summary>
    /// The next token's logits at every position of <paramref name="batch"/> sequences ([batch·time, |V|]); the inputs
    /// and their positions are batch-major (sequence by sequence). With a dropout rate above 0, the embeddings and
    /// each block's two outputs are dropped (training only; masks are a function of the seed).
    /// </summary>
    [Differentiable]
    public static DTensor<float> Logits(
        DTensor<float> tokens, DTensor<float> positions,
        DTensor<float> ln1Gain, DTensor<float> ln1Bias, DTensor<float> wq, DTensor<float> wk, DTensor<float> wv, DTensor<float> wo, DTensor<float> bo,
        DTensor<float> ln2Gain, DTensor<float> ln2Bias, DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2,
        DTensor<float> lnGain, DTensor<float> lnBias, DTensor<float> output, DTensor<float> bias,
        [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> positionIds, int batch, int heads, bool tied, [NoDiff] float dropout, ulong seed)
    {
        var time = inputs.Length / batch;
        var width = tokens.Shape[1];
        var headWidth = width / heads;
        var scale = 1f / MathF.Sqrt(headWidth);
        var layers = wq.Shape[0];
        var h = DTensor.Add(DTensor.Embedding(tokens, inputs), DTensor.Embedding(positions, positionIds));
        if (dropout > 0)
        {
            h = DTensor.Dropout(h, dropout, seed);
        }

        for (int l = 0; l < layers; l++)
        {
            // causal self-attention: heads split as [batch, heads, time, headWidth]
            var a = DTensor.LayerNorm(h, DTensor.Select(ln1Gain, l), DTensor.Select(ln1Bias, l));
            var q = DTensor.SwapAxes(DTensor.Reshape(DTensor.MatMul(a, DTensor.Select(wq, l)), batch, time, heads, headWidth), 1, 2);
            var k = DTensor.SwapAxes(DTensor.Reshape(DTensor.MatMul(a, DTensor.Select(wk, l)), batch, time, heads, headWidth), 1, 2);
            var v = DTensor.SwapAxes(DTensor.Reshape(DTensor.MatMul(a, DTensor.Select(wv, l)), batch, time, heads, headWidth), 1, 2);
            var p = DTensor.CausalSoftmax(DTensor.Multiply(DTensor.BatchMatMul(q, k, false, true), scale));
            var o = DTensor.Reshape(DTensor.SwapAxes(DTensor.BatchMatMul(p, v), 1, 2), batch * time, width);
            var attention = DTensor.AddRowBias(DTensor.MatMul(o, DTensor.Select(wo, l)), DTensor.Select(bo, l));
            if (dropout > 0)
            {
                attention = DTensor.Dropout(attention, dropout, seed + 1 + (ulong)(2 * l));
            }

            h = DTensor.Add(h, attention);

            // the MLP
            var m = DTensor.LayerNorm(h, DTensor.Select(ln2Gain, l), DTensor.Select(ln2Bias, l));
            m = DTensor.Gelu(DTensor.AddRowBias(DTensor.MatMul(m, DTensor.Select(w1, l)), DTensor.Select(b1, l)));
            var mlp = DTensor.AddRowBias(DTensor.MatMul(m, DTensor.Select(w2, l)), DTensor.Select(b2, l));
            if (dropout > 0)
            {
                mlp = DTensor.Dropout(mlp, dropout, seed + 2 + (ulong)(2 * l));
            }

            h = DTensor.Add(h, mlp);
        }

        var last = DTensor.LayerNorm(h, lnGain, lnBias);
        var logits = tied ? DTensor.MatMul(last, tokens, false, true) : DTensor.MatMul(last, output);
        return DTensor.AddRowBias(logits, bias);
    }

    /// <summary>
    /// The mean cross-entropy of the next tokens (<paramref name="targets"/>, aligned with the inputs): the training
    /// objective. <see cref="Logits"/> is inlined into its generated gradient.
    /// </summary>
    [Differentiable]
    public static float Loss(
        DTensor<float> tokens, DTensor<float> positions,
        DTensor<float> ln1Gain, DTensor<float> ln1Bias, DTensor<float> wq, DTensor<float> wk, DTensor<float> wv, DTensor<float> wo, DTensor<float> bo,
        DTensor<float> ln2Gain, DTensor<float> ln2Bias, DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2,
        DTensor<float> lnGain, DTensor<float> lnBias, DTensor<float> output, DTensor<float> bias,
        [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, [NoDiff] ReadOnlySpan<int> positionIds, int batch, int heads, bool tied, [NoDiff] float dropout, ulong seed) =>
        DTensor.CrossEntropy(
            Logits(tokens, positions, ln1Gain, ln1Bias, wq, wk, wv, wo, bo, ln2Gain, ln2Bias, w1, b1, w2, b2, lnGain, lnBias, output, bias, inputs, positionIds, batch, heads, tied, dropout, seed),
            targets);

    /// <summary>The parameter names, in the order <see cref="Logits"/> and <see cref="Loss"/> take them.</summary>
    public static readonly string[] Names =
        ["tokens", "positions", "ln1.gain", "ln1.bias", "wq", "wk", "wv", "wo", "bo", "ln2.gain", "ln2.bias", "w1", "b1", "w2", "b2", "ln.gain", "ln.bias", "output", "bias"];

    /// <summary>
    /// The parameters, as GPT-2 initializes them: weights and embeddings N(0, 0.02²), the projections into the residual
    /// stream (wo, w2) N(0, (0.02/√(2·layers))²), LayerNorm gains 1, biases 0. Biases, gains and position vectors are
    /// not decayed.
    /// </summary>
    public static ParameterSet<float> CreateParameters(TransformerShape shape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Width % shape.Heads != 0)
        {
            throw new ArgumentException($"the width {shape.Width} is not a multiple of the {shape.Heads} heads");
        }

        var (l, d, f) = (shape.Layers, shape.Width, shape.Hidden);
        var residual = 0.02f / MathF.Sqrt(2 * l);
        var parameters = new ParameterSet<float>();
        parameters.Add("tokens", DTensor.RandomNormal(rng, 0.02f, shape.Vocabulary, d));
        parameters.Add("positions", DTensor.RandomNormal(rng, 0.01f, shape.Context, d), decays: false);
        parameters.Add("ln1.gain", DTensor.Full(1f, l, d), decays: false);
        parameters.Add("ln1.bias", DTensor.Zeros<float>(l, d), decays: false);
        parameters.Add("wq", DTensor.RandomNormal(rng, 0.02f, l, d, d));
        parameters.Add("wk", DTensor.RandomNormal(rng, 0.02f, l, d, d));
        parameters.Add("wv", DTensor.RandomNormal(rng, 0.02f, l, d, d));
        parameters.Add("wo", DTensor.RandomNormal(rng, residual, l, d, d));
        parameters.Add("bo", DTensor.Zeros<float>(l, d), decays: false);
        parameters.Add("ln2.gain", DTensor.Full(1f, l, d), decays: false);
        parameters.Add("ln2.bias", DTensor.Zeros<float>(l, d), decays: false);
        parameters.Add("w1", DTensor.RandomNormal(rng, 0.02f, l, d, f));
        parameters.Add("b1", DTensor.Zeros<float>(l, f), decays: false);
        parameters.Add("w2", DTensor.RandomNormal(rng, residual, l, f, d));
        parameters.Add("b2", DTensor.Zeros<float>(l, d), decays: false);
        parameters.Add("ln.gain", DTensor.Full(1f, d), decays: false);
        parameters.Add("ln.bias", DTensor.Zeros<float>(d), decays: false);
        parameters.Add("output", shape.Tied ? DTensor.Zeros<float>(d, 0) : DTensor.RandomNormal(rng, 0.02f, d, shape.Vocabulary));
        parameters.Add("bias", DTensor.Zeros<float>(shape.Vocabulary), decays: false);
        return parameters;
    }
}
