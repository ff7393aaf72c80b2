using System.Numerics;

namespace SymDiff;

/// <summary>The elementwise binary ops that broadcast their second operand.</summary>
internal enum Elementwise
{
    Add,
    Subtract,
    Multiply,
    Divide,
}

/// <summary>
/// Broadcasting of the second operand b of an elementwise op onto the first, a, as NumPy does it but one way only:
/// b's dimensions, aligned with a's from the right, each equal a's or are 1 (missing leading ones count as 1). So a
/// per-row tensor ([n, 1], what the reductions give with <c>keepAxis: true</c>) or a per-column one ([m] or [1, m])
/// combines with an [n, m] tensor. a is seen as rows of its last axis; each row meets either a row of b (b's last
/// dimension is a's) or one element of b (it is 1), so every kernel is a TensorPrimitives call per row.
/// </summary>
internal static class Broadcast
{
    /// <summary>
    /// Checks that b broadcasts onto a (naming the op and both shapes otherwise); true when the shapes are the same,
    /// the plain elementwise case.
    /// </summary>
    public static bool Check<T>(string op, DTensor<T> a, DTensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.HasSameShape(b))
        {
            return true;
        }

        var fits = b.Rank <= a.Rank;
        for (var k = 1; fits && k <= b.Rank; k++)
        {
            fits = b.Dimension(-k) == a.Dimension(-k) || b.Dimension(-k) == 1;
        }

        if (!fits)
        {
            throw new ArgumentException(
                $"{op}: shapes {a.ShapeText} and {b.ShapeText} do not broadcast (the second's dimensions, aligned from the right, must each be the first's or 1).");
        }

        return false;
    }

    /// <summary>y = x (op) broadcast(b), with x shaped like <paramref name="like"/>.</summary>
    public static void Apply<T>(Elementwise op, DTensor<T> like, ReadOnlySpan<T> x, DTensor<T> b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var columns = Columns(like);
        var perColumn = LastDimension(b) == columns;
        var values = b.Span;
        for (var row = 0; row * columns < x.Length; row++)
        {
            var input = x.Slice(row * columns, columns);
            var output = y.Slice(row * columns, columns);
            var offset = Offset(like, b, row);
            if (perColumn)
            {
                var other = values.Slice(offset, columns);
                switch (op)
                {
                    case Elementwise.Add: TensorPrimitives.Add<T>(input, other, output); break;
                    case Elementwise.Subtract: TensorPrimitives.Subtract<T>(input, other, output); break;
                    case Elementwise.Multiply: TensorPrimitives.Multiply<T>(input, other, output); break;
                    default: TensorPrimitives.Divide<T>(input, other, output); break;
                }
            }
            else
            {
                var other = values[offset];
                switch (op)
                {
                    case Elementwise.Add: TensorPrimitives.Add<T>(input, other, output); break;
                    case Elementwise.Subtract: TensorPrimitives.Subtract<T>(input, other, output); break;
                    case Elementwise.Multiply: TensorPrimitives.Multiply<T>(input, other, output); break;
                    default: TensorPrimitives.Divide<T>(input, other, output); break;
                }
            }
        }
    }

    /// <summary>db += scale · (the sum of <paramref name="x"/>, shaped like <paramref name="like"/>, over b's broadcast axes).</summary>
    public static void Reduce<T>(DTensor<T> like, ReadOnlySpan<T> x, DTensor<T> db, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var columns = Columns(like);
        var perColumn = LastDimension(db) == columns;
        var sums = db.Span;
        for (var row = 0; row * columns < x.Length; row++)
        {
            var input = x.Slice(row * columns, columns);
            var offset = Offset(like, db, row);
            if (perColumn)
            {
                var output = sums.Slice(offset, columns);
                TensorPrimitives.MultiplyAdd<T>(input, scale, output, output);
            }
            else
            {
                sums[offset] += scale * TensorPrimitives.Sum<T>(input);
            }
        }
    }

    private static int Columns<T>(DTensor<T> like)
        where T : unmanaged, IFloatingPointIeee754<T> => like.Rank == 0 ? 1 : like.Dimension(-1);

    private static int LastDimension<T>(DTensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => b.Rank == 0 ? 1 : b.Dimension(-1);

    /// <summary>Where row <paramref name="row"/> of a (an index over a's leading axes) starts in b.</summary>
    private static int Offset<T>(DTensor<T> a, DTensor<T> b, int row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var offset = 0;
        var stride = LastDimension(b);
        for (int axis = a.Rank - 2, bAxis = b.Rank - 2; axis >= 0 && bAxis >= 0; axis--, bAxis--)
        {
            var dimension = a.Shape[axis];
            var index = row % dimension;
            row /= dimension;
            if (b.Shape[bAxis] != 1)
            {
                offset += index * stride;
            }

            stride *= b.Shape[bAxis];
        }

        return offset;
    }
}
