using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = a ⊘ b, the elementwise quotient; the shapes must match.</summary>
    public static Tensor<T> Divide<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Divide(a, b, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Divide{T}(Tensor{T}, Tensor{T})"/>.</summary>
    public static Tensor<T> Divide<T>(Tensor<T> a, Tensor<T> b, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Check.SameShape(nameof(Divide), a, b);
        var y = Ensure(ref destination, a.Shape);
        TensorPrimitives.Divide<T>(a.Span, b.Span, y.Span);
        return y;
    }

    /// <summary>y = a ⊘ b: ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b (reuses y).</summary>
    [DerivativeOf(nameof(Divide))]
    public static void DivideBackward<T>(Tensor<T> a, Tensor<T> b, Tensor<T> result, Tensor<T> dResult, Tensor<T>? da, Tensor<T>? db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scratch = Scratch<T>.Get(dResult.Length);
        if (da is not null)
        {
            Check.SameShape(nameof(DivideBackward), da, dResult);
            TensorPrimitives.Divide<T>(dResult.Span, b.Span, scratch);
            TensorPrimitives.Add<T>(da.Span, scratch, da.Span);
        }

        if (db is not null)
        {
            Check.SameShape(nameof(DivideBackward), db, dResult);
            TensorPrimitives.Divide<T>(result.Span, b.Span, scratch);
            TensorPrimitives.Multiply<T>(scratch, dResult.Span, scratch);
            TensorPrimitives.Subtract<T>(db.Span, scratch, db.Span);
        }
    }

    /// <summary>y = a / s, every element divided by the scalar s.</summary>
    public static Tensor<T> Divide<T>(Tensor<T> a, T s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Divide(a, s, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Divide{T}(Tensor{T}, T)"/>.</summary>
    public static Tensor<T> Divide<T>(Tensor<T> a, T s, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = Ensure(ref destination, a.Shape);
        TensorPrimitives.Divide<T>(a.Span, s, y.Span);
        return y;
    }

    /// <summary>y = a / s: ∂y/∂a = 1/s, ∂y/∂s = −Σ y ⊙ dy / s.</summary>
    [DerivativeOf(nameof(Divide))]
    public static void DivideBackward<T>(Tensor<T> a, T s, Tensor<T> result, Tensor<T> dResult, Tensor<T>? da, ref T ds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (da is not null)
        {
            Check.SameShape(nameof(DivideBackward), da, dResult);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, T.One / s, da.Span, da.Span);
        }

        ds -= TensorPrimitives.Dot<T>(result.Span, dResult.Span) / s;
    }
}
