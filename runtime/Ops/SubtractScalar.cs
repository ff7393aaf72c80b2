using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = a − s, the scalar s subtracted from every element.</summary>
    public static Tensor<T> Subtract<T>(Tensor<T> a, T s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Subtract(a, s, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Subtract{T}(Tensor{T}, T)"/>.</summary>
    public static Tensor<T> Subtract<T>(Tensor<T> a, T s, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = Ensure(ref destination, a.Shape);
        TensorPrimitives.Subtract<T>(a.Span, s, y.Span);
        return y;
    }

    /// <summary>y = a − s: ∂y/∂a = 1, ∂y/∂s = −Σ dy.</summary>
    [DerivativeOf(nameof(Subtract))]
    public static void SubtractBackward<T>(Tensor<T> a, T s, Tensor<T> result, Tensor<T> dResult, [PassThrough] Tensor<T>? da, ref T ds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Accumulate(nameof(SubtractBackward), da, dResult);
        ds -= TensorPrimitives.Sum<T>(dResult.Span);
    }
}
