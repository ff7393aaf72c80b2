using System.Numerics;

namespace SymDiff.Kernels;

/// <summary>
/// Memory-bound passes over a tensor split between the threads with <see cref="Parallelism.For"/>: each part is
/// independent, so the result is the same bits on any thread count. The work objects are per thread and reused.
/// </summary>
internal static class Split
{
    /// <summary>Fills <paramref name="tensor"/> with zeros.</summary>
    public static void Clear<T>(DTensor<T> tensor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var work = PerThread<ClearWork<T>>.Current;
        work.Tensor = tensor;
        Parallelism.For(tensor.Length, work);
        work.Tensor = null;
    }

    /// <summary>y[r, :] = x[r, :] + b for every row r of a [rows, columns] view.</summary>
    public static void AddRowBias<T>(DTensor<T> x, DTensor<T> b, DTensor<T> y, int columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var work = PerThread<RowBiasWork<T>>.Current;
        (work.X, work.B, work.Y, work.Columns) = (x, b, y, columns);
        Parallelism.For(x.Length / Math.Max(1, columns), work, Math.Max(1, (1 << 16) / Math.Max(1, columns)));
        (work.X, work.B, work.Y) = (null, null, null);
    }

    /// <summary>db[c] += Σ_r g[r, c], each part a range of columns summed over the rows in order.</summary>
    public static void AddColumnSums<T>(DTensor<T> g, DTensor<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var work = PerThread<ColumnSumWork<T>>.Current;
        (work.G, work.Db) = (g, db);
        var rows = g.Length / Math.Max(1, db.Length);
        Parallelism.For(db.Length, work, Math.Max(1, (1 << 16) / Math.Max(1, rows)));
        (work.G, work.Db) = (null, null);
    }

    private sealed class ClearWork<T> : RangeWork
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public DTensor<T>? Tensor;

        public override void Execute(int start, int end) => Tensor!.Span[start..end].Clear();
    }

    private sealed class RowBiasWork<T> : RangeWork
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public DTensor<T>? X;
        public DTensor<T>? B;
        public DTensor<T>? Y;
        public int Columns;

        public override void Execute(int start, int end)
        {
            var input = X!.Span;
            var output = Y!.Span;
            for (var row = start; row < end; row++)
            {
                TensorPrimitives.Add<T>(input.Slice(row * Columns, Columns), B!.Span, output.Slice(row * Columns, Columns));
            }
        }
    }

    private sealed class ColumnSumWork<T> : RangeWork
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public DTensor<T>? G;
        public DTensor<T>? Db;

        public override void Execute(int start, int end)
        {
            var columns = Db!.Length;
            var sums = Db.Span[start..end];
            var gradient = G!.Span;
            for (var row = 0; row < gradient.Length; row += columns)
            {
                TensorPrimitives.Add<T>(sums, gradient.Slice(row + start, end - start), sums);
            }
        }
    }
}

/// <summary>One instance of <typeparamref name="TWork"/> per thread, reused from call to call (nothing allocated per step).</summary>
internal static class PerThread<TWork>
    where TWork : class, new()
{
    [ThreadStatic]
    private static TWork? s_current;

    public static TWork Current => s_current ??= new TWork();
}
