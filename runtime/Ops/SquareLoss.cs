using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>
    /// The square (L2) loss, mean over the batch: y = (1/n) Σᵢ ½‖pᵢ − tᵢ‖² for n rows (the first dimension) of
    /// predictions p and targets t of the same shape.
    /// </summary>
    public static T SquareLoss<T>(Tensor<T> prediction, Tensor<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = SquareLossRows(nameof(SquareLoss), prediction, target);
        if (prediction.Length == 0)
        {
            return T.Zero;
        }

        var difference = Scratch<T>.Get(prediction.Length);
        TensorPrimitives.Subtract<T>(prediction.Span, target.Span, difference);
        return TensorPrimitives.Dot<T>(difference, difference) / T.CreateChecked(2 * rows);
    }

    /// <summary>y = (1/n) Σ ½‖p − t‖²: ∂y/∂p = (p − t)/n, ∂y/∂t = −(p − t)/n.</summary>
    [DerivativeOf(nameof(SquareLoss))]
    public static void SquareLossBackward<T>(Tensor<T> prediction, Tensor<T> target, T result, T dResult, Tensor<T>? dprediction, Tensor<T>? dtarget)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = SquareLossRows(nameof(SquareLossBackward), prediction, target);
        if (prediction.Length == 0)
        {
            return;
        }

        var scale = dResult / T.CreateChecked(rows);
        var difference = Scratch<T>.Get(prediction.Length);
        TensorPrimitives.Subtract<T>(prediction.Span, target.Span, difference);
        if (dprediction is not null)
        {
            Check.SameShape(nameof(SquareLossBackward), dprediction, prediction);
            TensorPrimitives.FusedMultiplyAdd<T>(difference, scale, dprediction.Span, dprediction.Span);
        }

        if (dtarget is not null)
        {
            Check.SameShape(nameof(SquareLossBackward), dtarget, target);
            TensorPrimitives.FusedMultiplyAdd<T>(difference, -scale, dtarget.Span, dtarget.Span);
        }
    }

    private static int SquareLossRows<T>(string op, Tensor<T> prediction, Tensor<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        Check.SameShape(op, prediction, target);
        return prediction.Rank == 0 ? 1 : Math.Max(1, prediction.Dimension(0));
    }
}
