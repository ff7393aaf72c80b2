using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = tanh(x), elementwise.</summary>
    public static Tensor<T> Tanh<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Tanh(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Tanh{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Tanh<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Ensure(ref destination, x.Shape);
        TensorPrimitives.Tanh<T>(x.Span, y.Span);
        return y;
    }

    /// <summary>y = tanh(x): ∂y/∂x = 1 − y² (reuses y).</summary>
    [DerivativeOf(nameof(Tanh))]
    public static void TanhBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null)
        {
            return;
        }

        Check.SameShape(nameof(TanhBackward), dx, dResult);
        var slope = Scratch<T>.Get(result.Length);
        TensorPrimitives.Multiply<T>(result.Span, result.Span, slope);
        TensorPrimitives.Subtract<T>(T.One, slope, slope);
        TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, slope, dx.Span, dx.Span);
    }
}
