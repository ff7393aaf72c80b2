using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = √x, elementwise.</summary>
    public static Tensor<T> Sqrt<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Sqrt(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Sqrt{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Sqrt<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Ensure(ref destination, x.Shape);
        TensorPrimitives.Sqrt<T>(x.Span, y.Span);
        return y;
    }

    /// <summary>y = √x: ∂y/∂x = 1/(2y) (reuses y).</summary>
    [DerivativeOf(nameof(Sqrt))]
    public static void SqrtBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null)
        {
            return;
        }

        Check.SameShape(nameof(SqrtBackward), dx, dResult);
        var quotient = Scratch<T>.Get(x.Length);
        TensorPrimitives.Divide<T>(dResult.Span, result.Span, quotient);
        TensorPrimitives.FusedMultiplyAdd<T>(quotient, T.CreateTruncating(0.5), dx.Span, dx.Span);
    }
}
