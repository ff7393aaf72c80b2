using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = Σᵢ xᵢ over all elements.</summary>
    public static T Sum<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return TensorPrimitives.Sum<T>(x.Span);
    }

    /// <summary>y = Σᵢ xᵢ: ∂y/∂xᵢ = 1.</summary>
    [DerivativeOf(nameof(Sum))]
    public static void SumBackward<T>(Tensor<T> x, T result, T dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is not null)
        {
            Check.SameShape(nameof(SumBackward), dx, x);
            TensorPrimitives.Add<T>(dx.Span, dResult, dx.Span);
        }
    }

    /// <summary>y = (1/n) Σᵢ xᵢ over all n elements.</summary>
    public static T Mean<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return TensorPrimitives.Sum<T>(x.Span) / T.CreateChecked(x.Length);
    }

    /// <summary>y = (1/n) Σᵢ xᵢ: ∂y/∂xᵢ = 1/n.</summary>
    [DerivativeOf(nameof(Mean))]
    public static void MeanBackward<T>(Tensor<T> x, T result, T dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is not null)
        {
            Check.SameShape(nameof(MeanBackward), dx, x);
            TensorPrimitives.Add<T>(dx.Span, dResult / T.CreateChecked(x.Length), dx.Span);
        }
    }
}
