using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = a − b, elementwise; the shapes must match.</summary>
    public static Tensor<T> Subtract<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Subtract(a, b, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Subtract{T}(Tensor{T}, Tensor{T})"/>.</summary>
    public static Tensor<T> Subtract<T>(Tensor<T> a, Tensor<T> b, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Check.SameShape(nameof(Subtract), a, b);
        var y = Ensure(ref destination, a.Shape);
        TensorPrimitives.Subtract<T>(a.Span, b.Span, y.Span);
        return y;
    }

    /// <summary>y = a − b: ∂y/∂a = 1, ∂y/∂b = −1.</summary>
    [DerivativeOf(nameof(Subtract))]
    public static void SubtractBackward<T>(Tensor<T> a, Tensor<T> b, Tensor<T> result, Tensor<T> dResult, [PassThrough] Tensor<T>? da, Tensor<T>? db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Accumulate(nameof(SubtractBackward), da, dResult);
        if (db is not null)
        {
            Check.SameShape(nameof(SubtractBackward), db, dResult);
            TensorPrimitives.Subtract<T>(db.Span, dResult.Span, db.Span);
        }
    }
}
