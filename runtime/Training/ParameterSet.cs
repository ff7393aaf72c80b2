using System.Collections;
using System.Numerics;

namespace SymDiff;

/// <summary>A trainable tensor and the gradient accumulated for it (same shape).</summary>
public sealed class Parameter<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Parameter(string name, DTensor<T> value, bool decays)
    {
        Name = name;
        Value = value;
        Decays = decays;
        Gradient = new DTensor<T>(value.Shape.ToArray());
    }

    /// <summary>The parameter's name (stable across runs: checkpoints match tensors by name).</summary>
    public string Name { get; }

    /// <summary>The current value, updated in place by optimizers.</summary>
    public DTensor<T> Value { get; }

    /// <summary>∂loss/∂value, accumulated by generated gradients and zeroed between steps.</summary>
    public DTensor<T> Gradient { get; }

    /// <summary>Whether optimizers apply their weight decay to this parameter (usually not to biases).</summary>
    public bool Decays { get; }
}

/// <summary>The parameters of a model, in a fixed order, with their gradients.</summary>
public sealed class ParameterSet<T> : IReadOnlyList<Parameter<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Parameter<T>> _parameters = new();

    /// <summary>Adds a parameter (and a zero gradient of its shape); names must be unique.</summary>
    /// <param name="name">A unique, stable name (checkpoints match tensors by name).</param>
    /// <param name="value">The initial value, updated in place by optimizers.</param>
    /// <param name="decays">Whether optimizers' weight decay applies to it; pass false for biases.</param>
    public Parameter<T> Add(string name, DTensor<T> value, bool decays = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (_parameters.Any(p => p.Name == name))
        {
            throw new ArgumentException($"A parameter named '{name}' already exists.", nameof(name));
        }

        var parameter = new Parameter<T>(name, value, decays);
        _parameters.Add(parameter);
        return parameter;
    }

    /// <inheritdoc/>
    public int Count => _parameters.Count;

    /// <inheritdoc/>
    public Parameter<T> this[int index] => _parameters[index];

    /// <summary>The parameter named <paramref name="name"/>.</summary>
    public Parameter<T> this[string name]
    {
        get
        {
            // A loop, not LINQ: models look parameters up by name inside training steps, which must not allocate.
            foreach (var parameter in _parameters)
            {
                if (parameter.Name == name)
                {
                    return parameter;
                }
            }

            throw new KeyNotFoundException($"No parameter named '{name}'.");
        }
    }

    /// <summary>The total number of scalars in all parameters.</summary>
    public long ElementCount => _parameters.Sum(p => (long)p.Value.Length);

    /// <summary>Sets every gradient to zero (generated gradients accumulate).</summary>
    public void ZeroGradients()
    {
        foreach (var parameter in _parameters)
        {
            Kernels.Split.Clear(parameter.Gradient); // large gradients: split between the threads
        }
    }

    /// <summary>The global L2 norm of all gradients, √(Σ g²).</summary>
    public T GradientNorm()
    {
        var sum = T.Zero;
        foreach (var parameter in _parameters)
        {
            var span = parameter.Gradient.Span;
            sum += TensorPrimitives.Dot<T>(span, span);
        }

        return T.Sqrt(sum);
    }

    /// <summary>
    /// Scales all gradients by <c>maxNorm / norm</c> when their global norm exceeds <paramref name="maxNorm"/> (as
    /// <c>torch.nn.utils.clip_grad_norm_</c>); returns the norm before clipping.
    /// </summary>
    public T ClipGradientNorm(T maxNorm)
    {
        var norm = GradientNorm();
        ClipGradientNorm(maxNorm, norm);
        return norm;
    }

    /// <summary>Clips by a global norm already computed (by the trainer, which checks it first).</summary>
    internal void ClipGradientNorm(T maxNorm, T norm)
    {
        if (norm > maxNorm)
        {
            var scale = maxNorm / (norm + T.CreateChecked(1e-6));
            foreach (var parameter in _parameters)
            {
                TensorPrimitives.Multiply<T>(parameter.Gradient.Span, scale, parameter.Gradient.Span);
            }
        }
    }

    /// <summary>The name of the first parameter whose gradient has a NaN or infinite element; null if none.</summary>
    internal string? NonFiniteGradient()
    {
        foreach (var parameter in _parameters)
        {
            // IsFiniteAll is false for an empty span (an unused parameter, say: a model's optional direct weights).
            var gradient = parameter.Gradient.Span;
            if (!gradient.IsEmpty && !TensorPrimitives.IsFiniteAll<T>(gradient))
            {
                return parameter.Name;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public IEnumerator<Parameter<T>> GetEnumerator() => _parameters.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
