using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = eˣ, elementwise.</summary>
    public static Tensor<T> Exp<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Exp(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Exp{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Exp<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Ensure(ref destination, x.Shape);
        TensorPrimitives.Exp<T>(x.Span, y.Span);
        return y;
    }

    /// <summary>y = eˣ: ∂y/∂x = y (reuses y).</summary>
    [DerivativeOf(nameof(Exp))]
    public static void ExpBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is not null)
        {
            Check.SameShape(nameof(ExpBackward), dx, dResult);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, result.Span, dx.Span, dx.Span);
        }
    }
}
