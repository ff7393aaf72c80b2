using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>
    /// y = softmax(x) along the last axis: y[i, j] = e^(x[i, j] − mᵢ) / Σₖ e^(x[i, k] − mᵢ), with mᵢ the row maximum, so
    /// large logits do not overflow (TensorPrimitives.SoftMax does not subtract it).
    /// </summary>
    public static Tensor<T> Softmax<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Softmax(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Softmax{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> Softmax<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        Check.AtLeastRank(nameof(Softmax), x, 1, "x");
        var y = Ensure(ref destination, x.Shape);
        var columns = x.Dimension(-1);
        for (var row = 0; row < x.Length; row += columns)
        {
            SoftmaxRow(x.Span.Slice(row, columns), y.Span.Slice(row, columns));
        }

        return y;
    }

    /// <summary>y = softmax(x): ∂L/∂x = y ⊙ (dy − ⟨dy, y⟩) per row (reuses y).</summary>
    [DerivativeOf(nameof(Softmax))]
    public static void SoftmaxBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is null)
        {
            return;
        }

        Check.SameShape(nameof(SoftmaxBackward), dx, dResult);
        var columns = x.Dimension(-1);
        for (var row = 0; row < x.Length; row += columns)
        {
            var y = result.Span.Slice(row, columns);
            var dy = dResult.Span.Slice(row, columns);
            var output = dx.Span.Slice(row, columns);
            var dot = TensorPrimitives.Dot<T>(dy, y);
            TensorPrimitives.FusedMultiplyAdd<T>(y, dy, output, output);
            TensorPrimitives.FusedMultiplyAdd<T>(y, -dot, output, output);
        }
    }

    /// <summary>Numerically stable softmax of one row.</summary>
    internal static void SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0)
        {
            return;
        }

        var max = TensorPrimitives.Max<T>(x);
        TensorPrimitives.Multiply<T>(y, T.One / Kernels.ExpKernel.ShiftedExpSum(x, max, y), y);
    }
}
