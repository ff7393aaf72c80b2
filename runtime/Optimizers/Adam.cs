using System.Numerics;
using SymDiff.Kernels;

namespace SymDiff;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
/// θ ← θ − η m̂/(√v̂ + ε), with ε outside the square root as in the paper. Weight decay is either L2 (added to the
/// gradient, <c>torch.optim.Adam</c>) or decoupled (θ ← θ − ηλθ first, AdamW of Loshchilov &amp; Hutter, 2019).
/// </summary>
/// <remarks>
/// As in <c>torch.optim.Adam</c>, the constants (1 − β₁, 1 − β₂, 1 − ηλ, the bias corrections) are computed in double
/// and rounded to T once, and m moves as m + (1−β₁)(g − m), so a float run follows the double one to float rounding.
/// </remarks>
public class Adam<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DTensor<T>[] _m;
    private readonly DTensor<T>[] _v;
    private readonly AdamUpdate _update = new();
    private readonly bool _decoupled;

    /// <summary>Creates Adam with L2 weight decay.</summary>
    public Adam(ParameterSet<T> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
        : this(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: false)
    {
    }

    /// <summary>Creates Adam; <paramref name="decoupled"/> selects AdamW's weight decay.</summary>
    protected Adam(ParameterSet<T> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled)
        : base(parameters, learningRate)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), "β₁ and β₂ must be in [0, 1).");
        }

        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _decoupled = decoupled;
        _m = parameters.Select(p => AddState(p, "m", p.Value.Shape.ToArray())).ToArray();
        _v = parameters.Select(p => AddState(p, "v", p.Value.Shape.ToArray())).ToArray();
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public override bool UpdatesElementwise => true;

    /// <inheritdoc/>
    protected override void Update(int index, Parameter<T> parameter) => UpdateRange(index, parameter, 0, parameter.Value.Length);

    /// <inheritdoc/>
    protected override void UpdateRange(int index, Parameter<T> parameter, int start, int count)
    {
        var theta = parameter.Value.Span.Slice(start, count);
        ReadOnlySpan<T> gradient = parameter.Gradient.Span.Slice(start, count);
        var decayed = false;
        if (WeightDecay != 0 && parameter.Decays)
        {
            if (_decoupled)
            {
                TensorPrimitives.Multiply<T>(theta, T.CreateChecked(1 - (LearningRate * WeightDecay)), theta);
            }
            else
            {
                var scratch = Scratch<T>.Get(count);
                TensorPrimitives.FusedMultiplyAdd<T>(theta, T.CreateChecked(WeightDecay), gradient, scratch);
                gradient = scratch;
                decayed = true;
            }
        }

        // m ← m + (1−β₁)(g − m) ; v ← β₂v + (1−β₂)g² ; θ ← θ − (η/(1−β₁ᵗ)) m / (√v/√(1−β₂ᵗ) + ε), in one pass.
        // Every constant is computed in double and rounded to T once, as PyTorch does.
        var t = StepCount;
        var update = _update;
        update.Theta = parameter.Value;
        update.Gradient = parameter.Gradient;
        update.M = _m[index];
        update.V = _v[index];
        update.Offset = start;
        update.OneMinusBeta1 = T.CreateChecked(1 - Beta1);
        update.Beta2 = T.CreateChecked(Beta2);
        update.OneMinusBeta2 = T.CreateChecked(1 - Beta2);
        update.InverseCorrection2 = T.CreateChecked(1 / Math.Sqrt(1 - Math.Pow(Beta2, t)));
        update.Epsilon = T.CreateChecked(Epsilon);
        update.StepSize = T.CreateChecked(LearningRate / (1 - Math.Pow(Beta1, t)));
        if (!decayed)
        {
            // Elementwise, so the parts are independent and the result is the same on any number of threads.
            Parallelism.For(count, update);
        }
        else
        {
            update.Run(theta, gradient, 0, count); // L2 decay: the decayed gradient lives in a per-thread scratch
        }

        update.Theta = update.Gradient = update.M = update.V = null;
    }

    /// <summary>One Adam update over a range of a parameter's elements (reused: nothing allocated per step).</summary>
    private sealed class AdamUpdate : RangeWork
    {
        public DTensor<T>? Theta;
        public DTensor<T>? Gradient;
        public DTensor<T>? M;
        public DTensor<T>? V;
        public int Offset; // where the part being updated starts in the parameter
        public T OneMinusBeta1;
        public T Beta2;
        public T OneMinusBeta2;
        public T InverseCorrection2;
        public T Epsilon;
        public T StepSize;

        public override void Execute(int start, int end) =>
            Run(Theta!.Span.Slice(Offset, end), Gradient!.Span.Slice(Offset, end), start, end);

        /// <summary>Elements [start, end) of the part, whose value and gradient are <paramref name="theta"/> and <paramref name="gradient"/>.</summary>
        public void Run(Span<T> theta, ReadOnlySpan<T> gradient, int start, int end) =>
            AdamKernel.Update(
                theta[start..end],
                gradient[start..end],
                M!.Span.Slice(Offset + start, end - start),
                V!.Span.Slice(Offset + start, end - start),
                OneMinusBeta1,
                Beta2,
                OneMinusBeta2,
                InverseCorrection2,
                Epsilon,
                StepSize);
    }
}

/// <summary>AdamW: Adam with decoupled weight decay, θ ← θ − ηλθ before the Adam step (Loshchilov &amp; Hutter, 2019).</summary>
public sealed class AdamW<T> : Adam<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates AdamW.</summary>
    public AdamW(ParameterSet<T> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 1e-2)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: true)
    {
    }
}
