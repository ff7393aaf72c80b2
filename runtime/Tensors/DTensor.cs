using System.Numerics;

namespace SymDiff;

/// <summary>
/// Tensor creation and the differentiable ops. Each op has an allocating form for plain code and a destination-passing
/// form (a trailing <c>ref DTensor&lt;T&gt;? destination</c>, reused when it has the right shape) for code that must
/// not allocate; generated gradients call the latter. Each op's pullback rule sits beside it in its file under
/// <c>runtime/Ops</c>, in <c>SymDiff.CompilerServices.DTensorRules</c>, out of the users' namespace.
/// </summary>
[DerivativeRules(typeof(CompilerServices.DTensorRules))]
public static partial class DTensor
{
    /// <summary>A zero-filled tensor.</summary>
    /// <param name="shape">The length of each dimension.</param>
    public static DTensor<T> Zeros<T>(params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> => new(shape);

    /// <summary>A tensor whose elements are all <paramref name="value"/>.</summary>
    public static DTensor<T> Full<T>(T value, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = new DTensor<T>(shape);
        tensor.Fill(value);
        return tensor;
    }

    /// <summary>A tensor of normally distributed values with mean 0 and the given standard deviation.</summary>
    public static DTensor<T> RandomNormal<T>(Random random, T standardDeviation, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var tensor = new DTensor<T>(shape);
        var span = tensor.Span;
        for (var i = 0; i < span.Length; i++)
        {
            // Box-Muller.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            span[i] = T.CreateChecked(normal) * standardDeviation;
        }

        return tensor;
    }

    /// <summary>A tensor of normally distributed values from a reproducible <see cref="Rng"/>.</summary>
    public static DTensor<T> RandomNormal<T>(Rng random, T standardDeviation, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var tensor = new DTensor<T>(shape);
        var span = tensor.Span;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = T.CreateChecked(random.NextNormal()) * standardDeviation;
        }

        return tensor;
    }

    /// <summary>A tensor of values drawn uniformly from [low, high) with a reproducible <see cref="Rng"/>.</summary>
    public static DTensor<T> RandomUniform<T>(Rng random, T low, T high, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var tensor = new DTensor<T>(shape);
        var span = tensor.Span;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = low + ((high - low) * T.CreateChecked(random.NextDouble()));
        }

        return tensor;
    }

    /// <summary>A tensor of values drawn uniformly from [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static DTensor<T> RandomUniform<T>(Random random, T low, T high, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var tensor = new DTensor<T>(shape);
        var span = tensor.Span;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = low + ((high - low) * T.CreateChecked(random.NextDouble()));
        }

        return tensor;
    }
}
