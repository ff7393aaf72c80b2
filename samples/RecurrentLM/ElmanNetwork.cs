using SymDiff;

namespace RecurrentLM;

/// <summary>The sizes of the network.</summary>
/// <param name="Vocabulary">|V|.</param>
/// <param name="Embed">Word vector size.</param>
/// <param name="Hidden">Hidden state size.</param>
public sealed record NetworkShape(int Vocabulary, int Embed, int Hidden)
{
    public override string ToString() => $"Elman RNN |V|={Vocabulary} embed={Embed} hidden={Hidden}";
}

/// <summary>
/// An Elman recurrent language model: h_t = tanh(e(w_t)·W + h_{t−1}·U + b), p(w_{t+1}) = softmax(h_t·V + c). Its loss
/// over a chunk of time steps is one ordinary loop; SymDiff derives backpropagation through time from it.
/// </summary>
public static partial class ElmanNetwork
{
    /// <summary>
    /// The mean cross-entropy of the next words over <c>inputs.Length / batch</c> steps of <paramref name="batch"/>
    /// parallel streams, starting from the hidden state <paramref name="h0"/> (carried over from the previous chunk,
    /// not differentiated: truncated BPTT) and leaving the last hidden state in <paramref name="hLast"/>, where the
    /// next chunk starts. <paramref name="inputs"/> and <paramref name="targets"/> are time-major. Training calls the
    /// generated <c>LossGradient</c> (whose <c>recomputeLoops</c> overload trades memory for a second forward pass of
    /// each step), evaluation the generated <c>LossBuffered</c>: one network, written once.
    /// </summary>
    [Differentiable]
    public static float Loss(
        DTensor<float> embed, DTensor<float> w, DTensor<float> u, DTensor<float> b, DTensor<float> v, DTensor<float> c,
        [NoDiff] DTensor<float> h0, [NoDiff] DTensor<float> hLast, [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, int batch)
    {
        var h = h0;
        float loss = 0;
        var steps = inputs.Length / batch;
        for (int t = 0; t < steps; t++)
        {
            var x = DTensor.Embedding(embed, inputs.Slice(t * batch, batch));
            h = DTensor.Tanh(DTensor.AddRowBias(DTensor.Add(DTensor.MatMul(x, w), DTensor.MatMul(h, u)), b));
            var logits = DTensor.AddRowBias(DTensor.MatMul(h, v), c);
            loss += DTensor.CrossEntropy(logits, targets.Slice(t * batch, batch));
        }

        hLast.CopyFrom(h); // the next chunk's h0 (a copy: hLast must not be h0)
        return loss / steps;
    }

    /// <summary>The parameters: word vectors N(0, 0.1), weights U(±1/√fan-in), biases 0.</summary>
    public static ParameterSet<float> CreateParameters(NetworkShape shape, Rng rng)
    {
        var parameters = new ParameterSet<float>();
        parameters.Add("embed", DTensor.RandomNormal(rng, 0.1f, shape.Vocabulary, shape.Embed));
        parameters.Add("W", Uniform(rng, shape.Embed, shape.Hidden));
        parameters.Add("U", Uniform(rng, shape.Hidden, shape.Hidden));
        parameters.Add("b", DTensor.Zeros<float>(shape.Hidden), decays: false);
        parameters.Add("V", Uniform(rng, shape.Hidden, shape.Vocabulary));
        parameters.Add("c", DTensor.Zeros<float>(shape.Vocabulary), decays: false);
        return parameters;
    }

    private static DTensor<float> Uniform(Rng rng, int fanIn, int fanOut)
    {
        var bound = 1f / MathF.Sqrt(fanIn);
        return DTensor.RandomUniform(rng, -bound, bound, fanIn, fanOut);
    }
}
