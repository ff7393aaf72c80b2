using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = [a, b] along the last axis: y[.., :p] = a, y[.., p:] = b; the leading dimensions must match.</summary>
    public static Tensor<T> Concat<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Concat(a, b, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Concat{T}(Tensor{T}, Tensor{T})"/>.</summary>
    public static Tensor<T> Concat<T>(Tensor<T> a, Tensor<T> b, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (p, q) = ConcatWidths(nameof(Concat), a, b);
        Span<int> shape = stackalloc int[a.Rank];
        a.Shape.CopyTo(shape);
        shape[^1] = p + q;
        var y = Ensure(ref destination, shape);
        var output = y.Span;
        for (var row = 0; row * (p + q) < output.Length; row++)
        {
            a.Span.Slice(row * p, p).CopyTo(output.Slice(row * (p + q), p));
            b.Span.Slice(row * q, q).CopyTo(output.Slice((row * (p + q)) + p, q));
        }

        return y;
    }

    /// <summary>y = [a, b]: ∂L/∂a = dy[.., :p], ∂L/∂b = dy[.., p:].</summary>
    [DerivativeOf(nameof(Concat))]
    public static void ConcatBackward<T>(Tensor<T> a, Tensor<T> b, Tensor<T> result, Tensor<T> dResult, Tensor<T>? da, Tensor<T>? db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (p, q) = ConcatWidths(nameof(ConcatBackward), a, b);
        var gradient = dResult.Span;
        if (da is not null)
        {
            Check.SameShape(nameof(ConcatBackward), da, a);
        }

        if (db is not null)
        {
            Check.SameShape(nameof(ConcatBackward), db, b);
        }

        for (var row = 0; row * (p + q) < gradient.Length; row++)
        {
            if (da is not null)
            {
                var slice = da.Span.Slice(row * p, p);
                TensorPrimitives.Add<T>(slice, gradient.Slice(row * (p + q), p), slice);
            }

            if (db is not null)
            {
                var slice = db.Span.Slice(row * q, q);
                TensorPrimitives.Add<T>(slice, gradient.Slice((row * (p + q)) + p, q), slice);
            }
        }
    }

    private static (int P, int Q) ConcatWidths<T>(string op, Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || a.Rank != b.Rank || !a.Shape[..^1].SequenceEqual(b.Shape[..^1]))
        {
            throw new ArgumentException($"{op}: shapes {a.ShapeText} and {b.ShapeText} differ in more than the last dimension.");
        }

        return (a.Dimension(-1), b.Dimension(-1));
    }
}
