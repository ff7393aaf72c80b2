using System.Numerics.Tensors;
using SymDiff;
using SymDiff.Distributed;

namespace NeuralLM;

/// <summary>The size of a model: the paper's n (context words + 1), m, h and whether it has direct connections.</summary>
/// <param name="Order">n: the model reads the previous n − 1 words.</param>
/// <param name="Embed">m: the size of a word vector (a row of C).</param>
/// <param name="Hidden">h: the number of hidden units.</param>
/// <param name="Direct">Whether the output also gets W·x (the paper's direct connections).</param>
/// <param name="Vocabulary">|V|.</param>
public sealed record ModelShape(int Order, int Embed, int Hidden, bool Direct, int Vocabulary)
{
    /// <summary>n − 1.</summary>
    public int Context => Order - 1;

    /// <summary>The length of x, the concatenated context vectors: (n − 1)·m.</summary>
    public int Input => Context * Embed;

    public override string ToString() => $"n={Order} m={Embed} h={Hidden}{(Direct ? " direct" : string.Empty)} |V|={Vocabulary}";
}

/// <summary>
/// The fixed-window "concatenation" neural language model of Bengio et al. (2003): the previous n − 1 word ids
/// index the embedding matrix C, the rows are concatenated into x, h = tanh(H·x + d), and the next word's logits are
/// y = U·h + b (+ W·x with direct connections). Its forward pass over a minibatch is one [Differentiable] method;
/// SymDiff generates every gradient, the sparse embedding update included.
/// </summary>
public static partial class LanguageModel
{
    /// <summary>
    /// The next word's logits for <paramref name="count"/> contexts of n − 1 ids each. With a dropout rate above 0,
    /// units of x and of the hidden layer are dropped (training only; masks are a function of the seed). Evaluation
    /// and generation call the generated <c>LogitsBuffered</c>, the same computation into reused buffers.
    /// </summary>
    [Differentiable]
    public static DTensor<float> Logits(
        DTensor<float> c, DTensor<float> h, DTensor<float> d, DTensor<float> u, DTensor<float> b, DTensor<float> w,
        [NoDiff] ReadOnlySpan<int> context, int count, bool direct, [NoDiff] float dropout, ulong seed)
    {
        var x = DTensor.Reshape(DTensor.Embedding(c, context), count, -1); // the context vectors, concatenated
        if (dropout > 0)
        {
            x = DTensor.Dropout(x, dropout, seed);
        }

        var hidden = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, h), d));
        if (dropout > 0)
        {
            hidden = DTensor.Dropout(hidden, dropout, seed + 1);
        }

        var logits = DTensor.AddRowBias(DTensor.MatMul(hidden, u), b);
        if (direct)
        {
            logits = DTensor.Add(logits, DTensor.MatMul(x, w));
        }

        return logits;
    }

    /// <summary>
    /// The mean cross-entropy of the next words given their contexts (batch × (n − 1) ids): the training objective.
    /// <see cref="Logits"/> is inlined into its generated gradient, so the composition costs nothing.
    /// </summary>
    [Differentiable]
    public static float Loss(
        DTensor<float> c, DTensor<float> h, DTensor<float> d, DTensor<float> u, DTensor<float> b, DTensor<float> w,
        [NoDiff] ReadOnlySpan<int> context, [NoDiff] ReadOnlySpan<int> next, bool direct, [NoDiff] float dropout, ulong seed) =>
        DTensor.CrossEntropy(Logits(c, h, d, u, b, w, context, next.Length, direct, dropout, seed), next);

    /// <summary>The parameters, initialized from <paramref name="rng"/>: C ~ N(0, 0.1²), matrices ~ U(±1/√fan-in), biases 0.</summary>
    public static ParameterSet<float> CreateParameters(ModelShape shape, Rng rng)
    {
        var parameters = new ParameterSet<float>();
        parameters.Add("C", DTensor.RandomNormal(rng, 0.1f, shape.Vocabulary, shape.Embed));
        parameters.Add("H", Uniform(rng, shape.Input, shape.Hidden));
        parameters.Add("d", DTensor.Zeros<float>(shape.Hidden), decays: false); // the paper decays weights and C, not biases
        parameters.Add("U", Uniform(rng, shape.Hidden, shape.Vocabulary));
        parameters.Add("b", DTensor.Zeros<float>(shape.Vocabulary), decays: false);
        parameters.Add("W", shape.Direct ? Uniform(rng, shape.Input, shape.Vocabulary) : DTensor.Zeros<float>(0, shape.Vocabulary));
        return parameters;
    }

    private static DTensor<float> Uniform(Rng rng, int fanIn, int fanOut)
    {
        var limit = 1f / MathF.Sqrt(fanIn);
        return DTensor.RandomUniform(rng, -limit, limit, fanIn, fanOut);
    }
}

/// <summary>
/// Gathers minibatches of (context, next word) examples from a token stream into reused buffers: example i
/// predicts token i + n − 1 from the n − 1 tokens before it.
/// </summary>
public sealed class Batches
{
    private readonly int[] _tokens;
    private readonly int _context;
    private readonly int[] _contextIds;
    private readonly int[] _nextIds;

    public Batches(int[] tokens, int context, int maxBatch)
    {
        _tokens = tokens;
        _context = context;
        _contextIds = new int[maxBatch * context];
        _nextIds = new int[maxBatch];
    }

    /// <summary>How many examples the stream holds.</summary>
    public int Count => Math.Max(0, _tokens.Length - _context);

    /// <summary>Fills the buffers for the given examples; returns (contexts, next words).</summary>
    public (ReadOnlyMemory<int> Context, ReadOnlyMemory<int> Next) Gather(ReadOnlySpan<int> examples)
    {
        for (var k = 0; k < examples.Length; k++)
        {
            var start = examples[k];
            _tokens.AsSpan(start, _context).CopyTo(_contextIds.AsSpan(k * _context, _context));
            _nextIds[k] = _tokens[start + _context];
        }

        return (_contextIds.AsMemory(0, examples.Length * _context), _nextIds.AsMemory(0, examples.Length));
    }

    /// <summary>Fills the buffers with examples [<paramref name="start"/>, start + count) in order.</summary>
    public (ReadOnlyMemory<int> Context, ReadOnlyMemory<int> Next) Range(int start, int count)
    {
        for (var k = 0; k < count; k++)
        {
            _tokens.AsSpan(start + k, _context).CopyTo(_contextIds.AsSpan(k * _context, _context));
            _nextIds[k] = _tokens[start + k + _context];
        }

        return (_contextIds.AsMemory(0, count * _context), _nextIds.AsMemory(0, count));
    }
}

/// <summary>
/// Perplexity and next-word probabilities without gradients: the model's own [Differentiable] methods, through their
/// generated buffered forms (<c>LossBuffered</c>, <c>LogitsBuffered</c>), so evaluating a split reuses the same
/// buffers for every batch and no forward pass is written twice.
/// </summary>
public sealed class Evaluator
{
    private readonly ModelShape _shape;
    private readonly ParameterSet<float> _parameters;

    public Evaluator(ModelShape shape, ParameterSet<float> parameters)
    {
        _shape = shape;
        _parameters = parameters;
    }

    /// <summary>exp of the mean cross-entropy of every example of <paramref name="tokens"/>.</summary>
    public double Perplexity(int[] tokens, int batchSize = 512) => Perplexity(tokens, world: null, batchSize);

    /// <summary>
    /// The same, in distributed training: each rank scores its part of the examples and the sums are added up, so
    /// every rank returns the perplexity of the whole split (null <paramref name="world"/>: all of it here).
    /// </summary>
    public double Perplexity(int[] tokens, Communicator? world, int batchSize = 512)
    {
        var batches = new Batches(tokens, _shape.Context, batchSize);
        var (first, examples) = world?.Shard(batches.Count) ?? (0, batches.Count);
        var (c, h, d, u, b, w) = Values();
        double total = 0;
        for (var start = first; start < first + examples; start += batchSize)
        {
            var count = Math.Min(batchSize, first + examples - start);
            var (context, next) = batches.Range(start, count);
            total += LanguageModel.LossBuffered(c, h, d, u, b, w, context.Span, next.Span, _shape.Direct, 0f, 0UL) * (double)count;
        }

        total = world?.AllreduceSum(total) ?? total;
        return Math.Exp(total / Math.Max(1, batches.Count));
    }

    /// <summary>
    /// P(next word | context) of every example of <paramref name="tokens"/>, in order: element j scores
    /// tokens[j + n − 1], the same words <see cref="Perplexity"/> averages over.
    /// </summary>
    public double[] TargetProbabilities(int[] tokens, int batchSize = 512)
    {
        var batches = new Batches(tokens, _shape.Context, batchSize);
        var probabilities = new double[batches.Count];
        var exponentials = new float[_shape.Vocabulary];
        for (var start = 0; start < batches.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, batches.Count - start);
            var (context, next) = batches.Range(start, count);
            var logits = Logits(context.Span, count).Span;
            for (var k = 0; k < count; k++)
            {
                // softmax(row)[target], shifted by the row's maximum so that exp cannot overflow
                var row = logits.Slice(k * _shape.Vocabulary, _shape.Vocabulary);
                var max = TensorPrimitives.Max(row);
                TensorPrimitives.Subtract(row, max, exponentials);
                TensorPrimitives.Exp(exponentials, exponentials);
                probabilities[start + k] = exponentials[next.Span[k]] / (double)TensorPrimitives.Sum(exponentials);
            }
        }

        return probabilities;
    }

    /// <summary>
    /// The logits of the next word for <paramref name="count"/> contexts (count × (n − 1) ids), from the generated
    /// <c>LanguageModel.LogitsBuffered</c>: a buffer the next call overwrites.
    /// </summary>
    public DTensor<float> Logits(ReadOnlySpan<int> context, int count)
    {
        var (c, h, d, u, b, w) = Values();
        return LanguageModel.LogitsBuffered(c, h, d, u, b, w, context, count, _shape.Direct, 0f, 0UL);
    }

    private (DTensor<float> C, DTensor<float> H, DTensor<float> D, DTensor<float> U, DTensor<float> B, DTensor<float> W) Values() =>
        (_parameters["C"].Value, _parameters["H"].Value, _parameters["d"].Value, _parameters["U"].Value, _parameters["b"].Value, _parameters["W"].Value);
}
