using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = ln x, elementwise.</summary>
    public static Tensor<T> Log<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Log(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Log{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Log<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Ensure(ref destination, x.Shape);
        TensorPrimitives.Log<T>(x.Span, y.Span);
        return y;
    }

    /// <summary>y = ln x: ∂y/∂x = 1/x.</summary>
    [DerivativeOf(nameof(Log))]
    public static void LogBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null)
        {
            return;
        }

        Check.SameShape(nameof(LogBackward), dx, dResult);
        var quotient = Scratch<T>.Get(x.Length);
        TensorPrimitives.Divide<T>(dResult.Span, x.Span, quotient);
        TensorPrimitives.Add<T>(dx.Span, quotient, dx.Span);
    }
}
