using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y[i] = Σⱼ x[i, j]: sums along the last axis, which is removed from the shape.</summary>
    public static Tensor<T> SumLastAxis<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return SumLastAxis(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="SumLastAxis{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> SumLastAxis<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Ensure(ref destination, LeadingShape(nameof(SumLastAxis), x));
        ReduceRows(x, y, T.One);
        return y;
    }

    /// <summary>y[i] = Σⱼ x[i, j]: ∂y[i]/∂x[i, j] = 1.</summary>
    [DerivativeOf(nameof(SumLastAxis))]
    public static void SumLastAxisBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is not null)
        {
            Check.SameShape(nameof(SumLastAxisBackward), dx, x);
            BroadcastRows(dResult, dx, T.One);
        }
    }

    /// <summary>y[i] = (1/m) Σⱼ x[i, j]: averages along the last axis (of length m), which is removed.</summary>
    public static Tensor<T> MeanLastAxis<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return MeanLastAxis(x, ref y);
    }

    /// <summary>Destination-passing form of <see cref="MeanLastAxis{T}(Tensor{T})"/>.</summary>
    public static Tensor<T> MeanLastAxis<T>(Tensor<T> x, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Ensure(ref destination, LeadingShape(nameof(MeanLastAxis), x));
        ReduceRows(x, y, T.One / T.CreateChecked(x.Dimension(-1)));
        return y;
    }

    /// <summary>y[i] = (1/m) Σⱼ x[i, j]: ∂y[i]/∂x[i, j] = 1/m.</summary>
    [DerivativeOf(nameof(MeanLastAxis))]
    public static void MeanLastAxisBackward<T>(Tensor<T> x, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is not null)
        {
            Check.SameShape(nameof(MeanLastAxisBackward), dx, x);
            BroadcastRows(dResult, dx, T.One / T.CreateChecked(x.Dimension(-1)));
        }
    }

    private static ReadOnlySpan<int> LeadingShape<T>(string op, Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        Check.AtLeastRank(op, x, 1, "x");
        return x.Shape[..^1];
    }

    /// <summary>y[i] = scale · Σⱼ x[i, j].</summary>
    private static void ReduceRows<T>(Tensor<T> x, Tensor<T> y, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var columns = x.Dimension(-1);
        var input = x.Span;
        var output = y.Span;
        for (var row = 0; row < output.Length; row++)
        {
            output[row] = scale * TensorPrimitives.Sum<T>(input.Slice(row * columns, columns));
        }
    }

    /// <summary>dx[i, j] += scale · dy[i].</summary>
    private static void BroadcastRows<T>(Tensor<T> dy, Tensor<T> dx, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var columns = dx.Dimension(-1);
        var gradient = dy.Span;
        var output = dx.Span;
        for (var row = 0; row < gradient.Length; row++)
        {
            var slice = output.Slice(row * columns, columns);
            TensorPrimitives.Add<T>(slice, scale * gradient[row], slice);
        }
    }
}
