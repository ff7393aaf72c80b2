using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = max(x, 0), elementwise.</summary>
    public static Tensor<T> Relu<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Relu(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Relu{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Relu<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Ensure(ref destination, x.Shape);
        TensorPrimitives.Max<T>(x.Span, T.Zero, y.Span);
        return y;
    }

    /// <summary>y = max(x, 0): ∂y/∂x = 1 where x &gt; 0, else 0 (0 at x = 0, as PyTorch).</summary>
    [DerivativeOf(nameof(Relu))]
    public static void ReluBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null)
        {
            return;
        }

        Check.SameShape(nameof(ReluBackward), dx, dResult);
        var input = x.Span;
        var gradient = dResult.Span;
        var output = dx.Span;
        for (var i = 0; i < output.Length; i++)
        {
            if (input[i] > T.Zero)
            {
                output[i] += gradient[i];
            }
        }
    }
}
