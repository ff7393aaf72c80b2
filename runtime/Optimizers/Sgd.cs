using System.Numerics;

namespace SymDiff;

/// <summary>
/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight decay, as in
/// <c>torch.optim.SGD</c> (dampening 0): g ← ∇ + λθ; b ← μb + g; g ← g + μb (Nesterov) or b; θ ← θ − ηg.
/// </summary>
public sealed class Sgd<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DTensor<T>?[] _momentum;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="momentum">μ (0: plain SGD).</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    /// <param name="weightDecay">λ, added to the gradient as λθ.</param>
    public Sgd(ParameterSet<T> parameters, double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        if (nesterov && momentum <= 0)
        {
            throw new ArgumentException("Nesterov momentum needs a momentum above 0.", nameof(nesterov));
        }

        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _momentum = parameters.Select(p => momentum > 0 ? AddState(p, "momentum", p.Value.Shape.ToArray()) : null).ToArray();
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>Whether momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

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
        if (WeightDecay != 0 && parameter.Decays)
        {
            var decayed = Work.AsSpan(0, theta.Length);
            TensorPrimitives.FusedMultiplyAdd<T>(theta, T.CreateChecked(WeightDecay), gradient, decayed);
            gradient = decayed;
        }

        if (_momentum[index] is { } buffer)
        {
            var b = buffer.Span.Slice(start, count);
            var mu = T.CreateChecked(Momentum);
            TensorPrimitives.FusedMultiplyAdd<T>(b, mu, gradient, b);
            if (Nesterov)
            {
                var step = Work.AsSpan(0, theta.Length);
                TensorPrimitives.FusedMultiplyAdd<T>(b, mu, gradient, step);
                gradient = step;
            }
            else
            {
                gradient = b;
            }
        }

        TensorPrimitives.FusedMultiplyAdd<T>(gradient, -Rate, theta, theta);
    }
}
