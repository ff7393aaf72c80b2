using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = x[index], the index-th entry along the first axis, which is removed: a view (no copy) of shape
        /// x.Shape[1..] that shares x's elements. For a stack of per-layer weights [L, m, n], Select(w, l) is layer l's
        /// [m, n] matrix.
        /// </summary>
        public static DTensor<T> Select<T>(DTensor<T> x, int index)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Select(x, index, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Select{T}(DTensor{T}, int)"/>: re-targets the view object.</summary>
        public static DTensor<T> Select<T>(DTensor<T> x, int index, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var size = FirstAxisRange(nameof(Select), x, index, 1);
            return DTensor<T>.ViewAt(x, index * size, x.Shape[1..], ref destination);
        }

        /// <summary>
        /// The number of elements per entry of x's first axis, after checking that entries [start, start + count) exist;
        /// the error names the op, the range and x's shape.
        /// </summary>
        internal static int FirstAxisRange<T>(string op, DTensor<T> x, int start, int count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Check.AtLeastRank(op, x, 1, "x");
            if (start < 0 || count < 0 || start > x.Dimension(0) - count)
            {
                throw new ArgumentOutOfRangeException(nameof(start), $"{op}: entries [{start}, {start + count}) are outside the first axis of {x.ShapeText}.");
            }

            return x.Dimension(0) == 0 ? 0 : x.Length / x.Dimension(0);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = x[index]: ∂L/∂x[index] = dy; the other entries of the first axis get nothing.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Select))]
        public static void SelectPullback<T>(int index, DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            if (dx is null)
            {
                return;
            }

            var size = FirstAxisRange(nameof(SelectPullback), dx, index, 1);
            if (!dx.Shape[1..].SequenceEqual(dResult.Shape))
            {
                throw new ArgumentException($"{nameof(SelectPullback)}: the gradient {dx.ShapeText} is not dResult {dResult.ShapeText} with a first axis in front.");
            }

            var entry = dx.Span.Slice(index * size, size);
            TensorPrimitives.Add<T>(entry, dResult.Span, entry);
        }

        /// <summary>y = x[index]: ẏ = ẋ[index].</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Select))]
        public static void SelectPushforward<T>(DTensor<T> x, int index, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var size = FirstAxisRange(nameof(SelectPushforward), x, index, 1);
            EntriesTangent(nameof(SelectPushforward), x, x.Shape[1..], index * size, dx, dResult);
        }

        /// <summary>dResult = the <paramref name="start"/>-th element onward of ẋ (zero for a null ẋ), after checking the shapes.</summary>
        private static void EntriesTangent<T>(string rule, DTensor<T> x, ReadOnlySpan<int> shape, int start, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.ResultTangent(rule, dResult, shape);
            Check.Tangent(rule, dx, x);
            if (dx is null)
            {
                dResult.Clear();
            }
            else
            {
                dx.Span.Slice(start, dResult.Length).CopyTo(dResult.Span);
            }
        }
    }
}
