using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y[i, :] = table[ids[i], :]: gathers one row of the embedding table per id (y is [ids.Length, m] for a [V, m] table).
        /// </summary>
        public static DTensor<T> Embedding<T>(DTensor<T> table, ReadOnlySpan<int> ids)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Embedding(table, ids, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Embedding{T}(DTensor{T}, ReadOnlySpan{int})"/>.</summary>
        public static DTensor<T> Embedding<T>(DTensor<T> table, ReadOnlySpan<int> ids, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var width = EmbeddingWidth(nameof(Embedding), table, ids);
            var y = Buffers.Ensure(ref destination, [ids.Length, width]);
            Gather(table, ids, width, y);
            return y;
        }

        /// <summary>y[i, :] = table[ids[i], :] for checked ids and a table <paramref name="width"/> wide.</summary>
        internal static void Gather<T>(DTensor<T> table, ReadOnlySpan<int> ids, int width, DTensor<T> y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rows = table.Span;
            var output = y.Span;
            for (var i = 0; i < ids.Length; i++)
            {
                rows.Slice(ids[i] * width, width).CopyTo(output.Slice(i * width, width));
            }
        }

        internal static int EmbeddingWidth<T>(string op, DTensor<T> table, ReadOnlySpan<int> ids)
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
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y[i, :] = table[ids[i], :]: ∂L/∂table[v, :] = Σ over i with ids[i] = v of dy[i, :]. Only the rows that were
        /// looked up are touched (a scatter-add), so the cost is independent of the vocabulary size.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Embedding))]
        public static void EmbeddingPullback<T>(ReadOnlySpan<int> ids, DTensor<T> dResult, DTensor<T>? dtable)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            if (dtable is null)
            {
                return;
            }

            var width = EmbeddingWidth(nameof(EmbeddingPullback), dtable, ids);
            if (!dResult.HasShape([ids.Length, width]))
            {
                throw new ArgumentException($"{nameof(EmbeddingPullback)}: dResult {dResult.ShapeText} is not [{ids.Length}, {width}] for {ids.Length} ids into a table {dtable.ShapeText}.");
            }

            var gradient = dResult.Span;
            var rows = dtable.Span;
            for (var i = 0; i < ids.Length; i++)
            {
                var row = rows.Slice(ids[i] * width, width);
                TensorPrimitives.Add<T>(row, gradient.Slice(i * width, width), row);
            }
        }

        /// <summary>y[i, :] = table[ids[i], :]: ẏ[i, :] = ṫable[ids[i], :], the same gather of the table's tangent.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Embedding))]
        public static void EmbeddingPushforward<T>(DTensor<T> table, ReadOnlySpan<int> ids, DTensor<T>? dtable, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var width = EmbeddingWidth(nameof(EmbeddingPushforward), table, ids);
            Check.ResultTangent(nameof(EmbeddingPushforward), dResult, [ids.Length, width]);
            Check.Tangent(nameof(EmbeddingPushforward), dtable, table);
            if (dtable is null)
            {
                dResult.Clear();
            }
            else
            {
                Gather(dtable, ids, width, dResult);
            }
        }
    }
}
