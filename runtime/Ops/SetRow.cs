using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = x with its index-th entry along the first axis replaced by <paramref name="row"/> (of shape x.Shape[1..]);
        /// x is not changed. The differentiable way to collect per-step states in a loop, where storing into a tensor
        /// (<c>hs[t] = h</c>) is not: <c>hs = DTensor.SetRow(hs, t, h)</c>. Each call copies x, so a loop of T steps
        /// costs T copies of hs; for long loops collect fewer, larger blocks.
        /// </summary>
        public static DTensor<T> SetRow<T>(DTensor<T> x, int index, DTensor<T> row)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return SetRow(x, index, row, ref y);
        }

        /// <summary>Destination-passing form of <see cref="SetRow{T}(DTensor{T}, int, DTensor{T})"/>.</summary>
        public static DTensor<T> SetRow<T>(DTensor<T> x, int index, DTensor<T> row, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var size = RowOf(nameof(SetRow), x, index, row);
            var y = Buffers.Ensure(ref destination, x.Shape);
            if (!ReferenceEquals(y, x))
            {
                x.Span.CopyTo(y.Span);
            }

            row.Span.CopyTo(y.Span.Slice(index * size, size));
            return y;
        }

        /// <summary>The size of an entry of x's first axis, after checking the index and that row has an entry's shape.</summary>
        internal static int RowOf<T>(string op, DTensor<T> x, int index, DTensor<T> row)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var size = FirstAxisRange(op, x, index, 1);
            ArgumentNullException.ThrowIfNull(row);
            if (!row.HasShape(x.Shape[1..]))
            {
                throw new ArgumentException($"{op}: the row {row.ShapeText} is not an entry of {x.ShapeText}.");
            }

            return size;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = x with y[index] = row: ∂L/∂x = dy except at entry index (overwritten, so 0 there), ∂L/∂row = dy[index].
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.SetRow))]
        public static void SetRowPullback<T>(int index, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx, DTensor<T>? drow)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            var size = FirstAxisRange(nameof(SetRowPullback), dResult, index, 1);
            Check.Gradient(nameof(SetRowPullback), dx, dResult);
            if (drow is not null && !drow.HasShape(dResult.Shape[1..]))
            {
                throw new ArgumentException($"{nameof(SetRowPullback)}: the gradient {drow.ShapeText} is not an entry of dResult {dResult.ShapeText}.");
            }

            var gradient = dResult.Span;
            if (dx is not null)
            {
                var before = dx.Span[..(index * size)];
                var after = dx.Span[((index + 1) * size)..];
                TensorPrimitives.Add<T>(before, gradient[..(index * size)], before);
                TensorPrimitives.Add<T>(after, gradient[((index + 1) * size)..], after);
            }

            if (drow is not null)
            {
                TensorPrimitives.Add<T>(drow.Span, gradient.Slice(index * size, size), drow.Span);
            }
        }

        /// <summary>y = x with y[index] = row: ẏ = ẋ with ẏ[index] = ṙow.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.SetRow))]
        public static void SetRowPushforward<T>(DTensor<T> x, int index, DTensor<T> row, DTensor<T>? dx, DTensor<T>? drow, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var size = RowOf(nameof(SetRowPushforward), x, index, row);
            Check.ResultTangent(nameof(SetRowPushforward), dResult, x.Shape);
            Check.Tangent(nameof(SetRowPushforward), dx, x);
            Check.Tangent(nameof(SetRowPushforward), drow, row);
            if (dx is null)
            {
                dResult.Clear();
            }
            else
            {
                dx.Span.CopyTo(dResult.Span);
            }

            var entry = dResult.Span.Slice(index * size, size);
            if (drow is null)
            {
                entry.Clear();
            }
            else
            {
                drow.Span.CopyTo(entry);
            }
        }
    }
}
