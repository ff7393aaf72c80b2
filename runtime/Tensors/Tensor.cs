using System.Numerics;

namespace SymDiff;

/// <summary>
/// Tensor creation, and the ops: each op has an allocating form for plain code, a destination-passing form (trailing
/// <c>ref Tensor&lt;T&gt;? destination</c>) that generated gradients call to reuse buffers, and its derivative rule,
/// marked <see cref="DerivativeOfAttribute"/>, in the same file (one file per op under <c>runtime/Ops</c>).
/// </summary>
public static partial class Tensor
{
    /// <summary>A zero-filled tensor.</summary>
    /// <param name="shape">The length of each dimension.</param>
    public static Tensor<T> Zeros<T>(params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> => new(shape);

    /// <summary>A tensor whose elements are all <paramref name="value"/>.</summary>
    public static Tensor<T> Full<T>(T value, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = new Tensor<T>(shape);
        tensor.Fill(value);
        return tensor;
    }

    /// <summary>A tensor of normally distributed values with mean 0 and the given standard deviation.</summary>
    public static Tensor<T> RandomNormal<T>(Random random, T standardDeviation, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var tensor = new Tensor<T>(shape);
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
    public static Tensor<T> RandomNormal<T>(Rng random, T standardDeviation, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var tensor = new Tensor<T>(shape);
        var span = tensor.Span;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = T.CreateChecked(random.NextNormal()) * standardDeviation;
        }

        return tensor;
    }

    /// <summary>A tensor of values drawn uniformly from [low, high) with a reproducible <see cref="Rng"/>.</summary>
    public static Tensor<T> RandomUniform<T>(Rng random, T low, T high, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var tensor = new Tensor<T>(shape);
        var span = tensor.Span;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = low + ((high - low) * T.CreateChecked(random.NextDouble()));
        }

        return tensor;
    }

    /// <summary>A tensor of values drawn uniformly from [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor<T> RandomUniform<T>(Random random, T low, T high, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var tensor = new Tensor<T>(shape);
        var span = tensor.Span;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = low + ((high - low) * T.CreateChecked(random.NextDouble()));
        }

        return tensor;
    }

    /// <summary>
    /// Returns <paramref name="destination"/> shaped <paramref name="shape"/>, allocating it only when it is null or
    /// holds a different number of elements. Destination-passing ops start with this, so a reused buffer costs nothing.
    /// The contents are unspecified; ops overwrite them.
    /// </summary>
    public static Tensor<T> Ensure<T>(ref Tensor<T>? destination, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (destination is not null && destination.Length == Tensor<T>.ElementCount(shape))
        {
            destination.SetShape(shape);
            return destination;
        }

        return destination = new Tensor<T>(shape.ToArray());
    }

    /// <summary><see cref="Ensure{T}"/> with <paramref name="like"/>'s shape, then zero-filled: an adjoint buffer.</summary>
    public static Tensor<T> EnsureZeroed<T>(ref Tensor<T>? destination, Tensor<T> like)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(like);
        var tensor = Ensure(ref destination, like.Shape);
        tensor.Clear();
        return tensor;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (reused when it has room): loops that
    /// recompute their iterations keep each iteration's carried tensors this way.
    /// </summary>
    public static Tensor<T> Copy<T>(Tensor<T> source, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        var tensor = Ensure(ref destination, source.Shape);
        tensor.CopyFrom(source);
        return tensor;
    }
}
