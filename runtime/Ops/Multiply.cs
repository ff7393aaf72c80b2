using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = a ⊙ b, the elementwise product; the shapes must match.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Multiply(a, b, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Multiply{T}(Tensor{T}, Tensor{T})"/>.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> a, Tensor<T> b, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Check.SameShape(nameof(Multiply), a, b);
        var y = Ensure(ref destination, a.Shape);
        TensorPrimitives.Multiply<T>(a.Span, b.Span, y.Span);
        return y;
    }

    /// <summary>y = a ⊙ b: ∂y/∂a = b, ∂y/∂b = a.</summary>
    [DerivativeOf(nameof(Multiply))]
    public static void MultiplyBackward<T>(Tensor<T> a, Tensor<T> b, Tensor<T> result, Tensor<T> dResult, Tensor<T>? da, Tensor<T>? db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (da is not null)
        {
            Check.SameShape(nameof(MultiplyBackward), da, dResult);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, b.Span, da.Span, da.Span);
        }

        if (db is not null)
        {
            Check.SameShape(nameof(MultiplyBackward), db, dResult);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, a.Span, db.Span, db.Span);
        }
    }

    /// <summary>y = s · a, every element scaled by s.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> a, T s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Multiply(a, s, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Multiply{T}(Tensor{T}, T)"/>.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> a, T s, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = Ensure(ref destination, a.Shape);
        TensorPrimitives.Multiply<T>(a.Span, s, y.Span);
        return y;
    }

    /// <summary>y = s · a: ∂y/∂a = s, ∂y/∂s = Σ a ⊙ dy.</summary>
    [DerivativeOf(nameof(Multiply))]
    public static void MultiplyBackward<T>(Tensor<T> a, T s, Tensor<T> result, Tensor<T> dResult, Tensor<T>? da, ref T ds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (da is not null)
        {
            Check.SameShape(nameof(MultiplyBackward), da, dResult);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, s, da.Span, da.Span);
        }

        ds += TensorPrimitives.Dot<T>(a.Span, dResult.Span);
    }
}
