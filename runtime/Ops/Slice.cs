using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = x[start .. start + count] along the first axis, which keeps its place with length count: a view (no copy)
        /// that shares x's elements. count may be 0.
        /// </summary>
        public static DTensor<T> Slice<T>(DTensor<T> x, int start, int count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Slice(x, start, count, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Slice{T}(DTensor{T}, int, int)"/>: re-targets the view object.</summary>
        public static DTensor<T> Slice<T>(DTensor<T> x, int start, int count, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var size = FirstAxisRange(nameof(Slice), x, start, count);
            Span<int> shape = stackalloc int[x.Rank];
            x.Shape.CopyTo(shape);
            shape[0] = count;
            return DTensor<T>.ViewAt(x, start * size, shape, ref destination);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = x[start .. start + count]: ∂L/∂x[start + i] = dy[i]; the entries outside the slice get nothing.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Slice))]
        public static void SlicePullback<T>(int start, int count, DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            if (dx is null)
            {
                return;
            }

            var size = FirstAxisRange(nameof(SlicePullback), dx, start, count);
            if (dResult.Rank != dx.Rank || dResult.Dimension(0) != count || !dx.Shape[1..].SequenceEqual(dResult.Shape[1..]))
            {
                throw new ArgumentException($"{nameof(SlicePullback)}: dResult {dResult.ShapeText} is not {count} entries of the gradient {dx.ShapeText}.");
            }

            var entries = dx.Span.Slice(start * size, count * size);
            TensorPrimitives.Add<T>(entries, dResult.Span, entries);
        }

        /// <summary>y = x[start .. start + count]: ẏ = ẋ[start .. start + count].</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Slice))]
        public static void SlicePushforward<T>(DTensor<T> x, int start, int count, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var size = FirstAxisRange(nameof(SlicePushforward), x, start, count);
            Span<int> shape = stackalloc int[x.Rank];
            x.Shape.CopyTo(shape);
            shape[0] = count;
            EntriesTangent(nameof(SlicePushforward), x, shape, start * size, dx, dResult);
        }
    }
}
