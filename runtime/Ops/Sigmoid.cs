using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = σ(x) = 1 / (1 + e^−x), elementwise.</summary>
    public static Tensor<T> Sigmoid<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Sigmoid(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Sigmoid{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Sigmoid<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Ensure(ref destination, x.Shape);
        if (x.Length > 0)
        {
            TensorPrimitives.Sigmoid<T>(x.Span, y.Span); // rejects empty spans
        }

        return y;
    }

    /// <summary>y = σ(x): ∂y/∂x = y(1 − y) (reuses y).</summary>
    [DerivativeOf(nameof(Sigmoid))]
    public static void SigmoidBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null)
        {
            return;
        }

        Check.SameShape(nameof(SigmoidBackward), dx, dResult);
        var slope = Scratch<T>.Get(result.Length);
        TensorPrimitives.Subtract<T>(T.One, result.Span, slope);
        TensorPrimitives.Multiply<T>(slope, result.Span, slope);
        TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, slope, dx.Span, dx.Span);
    }
}
