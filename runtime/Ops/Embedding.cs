using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>
    /// y[i, :] = table[ids[i], :]: gathers one row of the embedding table per id (y is [ids.Length, m] for a [V, m] table).
    /// </summary>
    public static Tensor<T> Embedding<T>(Tensor<T> table, ReadOnlySpan<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Embedding(table, ids, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Embedding{T}(Tensor{T}, ReadOnlySpan{int})"/>.</summary>
    public static Tensor<T> Embedding<T>(Tensor<T> table, ReadOnlySpan<int> ids, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var width = EmbeddingWidth(nameof(Embedding), table, ids);
        var y = Ensure(ref destination, [ids.Length, width]);
        var rows = table.Span;
        var output = y.Span;
        for (var i = 0; i < ids.Length; i++)
        {
            rows.Slice(ids[i] * width, width).CopyTo(output.Slice(i * width, width));
        }

        return y;
    }

    /// <summary>
    /// y[i, :] = table[ids[i], :]: ∂L/∂table[v, :] = Σ over i with ids[i] = v of dy[i, :]. Only the rows that were
    /// looked up are touched (a scatter-add), so the cost is independent of the vocabulary size.
    /// </summary>
    [DerivativeOf(nameof(Embedding))]
    public static void EmbeddingBackward<T>(Tensor<T> table, ReadOnlySpan<int> ids, Tensor<T> result, Tensor<T> dResult, Tensor<T>? dtable)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dtable is null)
        {
            return;
        }

        var width = EmbeddingWidth(nameof(EmbeddingBackward), table, ids);
        Check.SameShape(nameof(EmbeddingBackward), dtable, table);
        var gradient = dResult.Span;
        var rows = dtable.Span;
        for (var i = 0; i < ids.Length; i++)
        {
            var row = rows.Slice(ids[i] * width, width);
            TensorPrimitives.Add<T>(row, gradient.Slice(i * width, width), row);
        }
    }

    private static int EmbeddingWidth<T>(string op, Tensor<T> table, ReadOnlySpan<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(table);
        Check.Rank(op, table, 2, "the table");
        var vocabulary = table.Dimension(0);
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)vocabulary)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"{op}: id {id} is outside the table {table.ShapeText}.");
            }
        }

        return table.Dimension(1);
    }
}
