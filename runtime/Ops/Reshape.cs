using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = x viewed as a [d0, d1] matrix (no copy: y shares x's elements); one dimension may be −1.</summary>
    public static Tensor<T> Reshape<T>(Tensor<T> x, int d0, int d1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.View([d0, d1]);
    }

    /// <summary>Destination-passing form of <see cref="Reshape{T}(Tensor{T}, int, int)"/>: re-targets the view object.</summary>
    public static Tensor<T> Reshape<T>(Tensor<T> x, int d0, int d1, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return ViewInto(x, [d0, d1], ref destination);
    }

    /// <summary>y = reshape(x): the adjoint is the same elements, so ∂L/∂x = dy, element for element.</summary>
    [DerivativeOf(nameof(Reshape))]
    public static void ReshapeBackward<T>(Tensor<T> x, int d0, int d1, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        AccumulateFlat(dx, dResult);
    }

    /// <summary>y = x viewed as a [d0, d1, d2] tensor (no copy); one dimension may be −1.</summary>
    public static Tensor<T> Reshape<T>(Tensor<T> x, int d0, int d1, int d2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.View([d0, d1, d2]);
    }

    /// <summary>Destination-passing form of <see cref="Reshape{T}(Tensor{T}, int, int, int)"/>.</summary>
    public static Tensor<T> Reshape<T>(Tensor<T> x, int d0, int d1, int d2, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return ViewInto(x, [d0, d1, d2], ref destination);
    }

    /// <summary>y = reshape(x): ∂L/∂x = dy, element for element.</summary>
    [DerivativeOf(nameof(Reshape))]
    public static void ReshapeBackward<T>(Tensor<T> x, int d0, int d1, int d2, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        AccumulateFlat(dx, dResult);
    }

    private static Tensor<T> ViewInto<T>(Tensor<T> x, ReadOnlySpan<int> shape, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Resolved on the stack: a workspace view that already shows x this way is reused without allocating.
        Span<int> target = stackalloc int[shape.Length];
        Check.ReshapeTarget(nameof(Reshape), x, shape, target);
        if (destination is null)
        {
            return destination = x.View(target);
        }

        if (!destination.Views(x, target))
        {
            destination.Rebind(x, target.ToArray());
        }

        return destination;
    }

    private static void AccumulateFlat<T>(Tensor<T>? dx, Tensor<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null)
        {
            return;
        }

        if (dx.Length != dResult.Length)
        {
            throw new ArgumentException($"{nameof(ReshapeBackward)}: shapes {dx.ShapeText} and {dResult.ShapeText} hold different numbers of elements.");
        }

        TensorPrimitives.Add<T>(dx.Span, dResult.Span, dx.Span);
    }
}
