using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = x², elementwise.</summary>
    public static Tensor<T> Square<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Square(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Square{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Square<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Ensure(ref destination, x.Shape);
        TensorPrimitives.Multiply<T>(x.Span, x.Span, y.Span);
        return y;
    }

    /// <summary>y = x²: ∂y/∂x = 2x.</summary>
    [DerivativeOf(nameof(Square))]
    public static void SquareBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null)
        {
            return;
        }

        Check.SameShape(nameof(SquareBackward), dx, dResult);
        var twice = Scratch<T>.Get(x.Length);
        TensorPrimitives.Add<T>(x.Span, x.Span, twice);
        TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, twice, dx.Span, dx.Span);
    }
}
