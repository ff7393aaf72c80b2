using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y[i, j] = x[i, j] + b[j]: a bias vector added to every row (x's last dimension is b's length).</summary>
    public static Tensor<T> AddRowBias<T>(Tensor<T> x, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return AddRowBias(x, b, ref y);
    }

    /// <summary>Destination-passing form of <see cref="AddRowBias{T}(Tensor{T}, Tensor{T})"/>.</summary>
    public static Tensor<T> AddRowBias<T>(Tensor<T> x, Tensor<T> b, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var columns = RowBiasColumns(x, b);
        var y = Ensure(ref destination, x.Shape);
        var input = x.Span;
        var output = y.Span;
        for (var row = 0; row < input.Length; row += columns)
        {
            TensorPrimitives.Add<T>(input.Slice(row, columns), b.Span, output.Slice(row, columns));
        }

        return y;
    }

    /// <summary>y = x + b per row: ∂L/∂x = dy, ∂L/∂b = Σ over rows of dy.</summary>
    [DerivativeOf(nameof(AddRowBias))]
    public static void AddRowBiasBackward<T>(Tensor<T> x, Tensor<T> b, Tensor<T> result, Tensor<T> dResult, [PassThrough] Tensor<T>? dx, Tensor<T>? db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var columns = RowBiasColumns(x, b);
        Accumulate(nameof(AddRowBiasBackward), dx, dResult);
        if (db is not null)
        {
            Check.SameShape(nameof(AddRowBiasBackward), db, b);
            var gradient = dResult.Span;
            for (var row = 0; row < gradient.Length; row += columns)
            {
                TensorPrimitives.Add<T>(db.Span, gradient.Slice(row, columns), db.Span);
            }
        }
    }

    private static int RowBiasColumns<T>(Tensor<T> x, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(b);
        Check.AtLeastRank(nameof(AddRowBias), x, 1, "x");
        if (b.Rank != 1 || b.Length != x.Dimension(-1))
        {
            throw new ArgumentException($"{nameof(AddRowBias)}: the bias {b.ShapeText} must be a vector as long as the last dimension of {x.ShapeText}.");
        }

        return b.Length;
    }
}
