using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = −x, elementwise.</summary>
    public static Tensor<T> Negate<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Negate(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Negate{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Negate<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Ensure(ref destination, x.Shape);
        TensorPrimitives.Negate<T>(x.Span, y.Span);
        return y;
    }

    /// <summary>y = −x: ∂y/∂x = −1.</summary>
    [DerivativeOf(nameof(Negate))]
    public static void NegateBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is not null)
        {
            Check.SameShape(nameof(NegateBackward), dx, dResult);
            TensorPrimitives.Subtract<T>(dx.Span, dResult.Span, dx.Span);
        }
    }
}
