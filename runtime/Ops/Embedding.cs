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

        /// <summary>
        /// y[i, :] = table[ids[i], :] for checked ids and a table <paramref name="width"/> wide. Rows of a large table
        /// are scattered in memory, so each copy waits on its misses: the rows a few ids ahead are prefetched, and large
        /// gathers are split between the threads (each output row is written by one, so any split gives the same bits).
        /// </summary>
        internal static unsafe void Gather<T>(DTensor<T> table, ReadOnlySpan<int> ids, int width, DTensor<T> y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (int* pinned = ids)
            {
                var work = Kernels.PerThread<GatherRows<T>>.Current;
                (work.Table, work.Width, work.Y) = (table, width, y);
                work.Ids = pinned;
                Kernels.Parallelism.For(ids.Length, work, Math.Max(1, (1 << 16) / Math.Max(1, width)));
                (work.Table, work.Y) = (null, null);
                work.Ids = null;
            }
        }

        /// <summary>The rows of an embedding gather, as work for <see cref="Kernels.Parallelism.For"/> (reused per thread).</summary>
        private sealed unsafe class GatherRows<T> : Kernels.RangeWork
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            public DTensor<T>? Table;
            public int* Ids;
            public int Width;
            public DTensor<T>? Y;

            public override void Execute(int start, int end)
            {
                var rows = Table!.Span;
                var output = Y!.Span;
                for (var i = start; i < end; i++)
                {
                    if (i + EmbeddingPrefetchDistance < end)
                    {
                        Kernels.Prefetch.Row(rows, Ids[i + EmbeddingPrefetchDistance] * Width, Width);
                    }

                    rows.Slice(Ids[i] * Width, Width).CopyTo(output.Slice(i * Width, Width));
                }
            }
        }

        /// <summary>How many ids ahead an embedding gather or scatter asks for its rows (enough to cover a miss to memory).</summary>
        internal const int EmbeddingPrefetchDistance = 8;

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
        public static unsafe void EmbeddingPullback<T>(ReadOnlySpan<int> ids, DTensor<T> dResult, DTensor<T>? dtable)
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

            // Split between the threads by rows of the table: each thread scans all ids and adds those in its range,
            // in order, so every row sums its contributions in id order whatever the thread count (same bits).
            fixed (int* pinned = ids)
            {
                var work = Kernels.PerThread<ScatterRows<T>>.Current;
                (work.Gradient, work.Count, work.Width, work.Table) = (dResult, ids.Length, width, dtable);
                work.Ids = pinned;
                var large = (long)ids.Length * width >= 1 << 16;
                Kernels.Parallelism.For(dtable.Dimension(0), work, large ? 1 : int.MaxValue);
                (work.Gradient, work.Table) = (null, null);
                work.Ids = null;
            }
        }

        /// <summary>The table rows [start, end) of an embedding scatter-add, as work for <see cref="Kernels.Parallelism.For"/>.</summary>
        private sealed unsafe class ScatterRows<T> : Kernels.RangeWork
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            public DTensor<T>? Gradient;
            public int* Ids;
            public int Count;
            public int Width;
            public DTensor<T>? Table;

            public override void Execute(int start, int end)
            {
                var gradient = Gradient!.Span;
                var rows = Table!.Span;
                var whole = start == 0 && end == Table.Dimension(0);
                for (var i = 0; i < Count; i++)
                {
                    var id = Ids[i];
                    if (!whole && (id < start || id >= end))
                    {
                        continue;
                    }

                    if (i + DTensor.EmbeddingPrefetchDistance < Count && Ids[i + DTensor.EmbeddingPrefetchDistance] is var ahead && ahead >= start && ahead < end)
                    {
                        Kernels.Prefetch.Row(rows, ahead * Width, Width);
                    }

                    var row = rows.Slice(id * Width, Width);
                    TensorPrimitives.Add<T>(row, gradient.Slice(i * Width, Width), row);
                }
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
