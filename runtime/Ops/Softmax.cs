using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = softmax(x) along the last axis: y[i, j] = e^(x[i, j] − mᵢ) / Σₖ e^(x[i, k] − mᵢ), with mᵢ the row maximum, so
        /// large logits do not overflow (TensorPrimitives.SoftMax does not subtract it).
        /// </summary>
        public static DTensor<T> Softmax<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Softmax(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Softmax{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Softmax<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Check.AtLeastRank(nameof(Softmax), x, 1, "x");
            var y = Buffers.Ensure(ref destination, x.Shape);
            var columns = x.Dimension(-1);
            for (var row = 0; row < x.Length; row += columns)
            {
                SoftmaxRow(x.Span.Slice(row, columns), y.Span.Slice(row, columns));
            }

            return y;
        }

        /// <summary>Numerically stable softmax of one row.</summary>
        internal static void SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (x.Length == 0)
            {
                return;
            }

            var max = TensorPrimitives.Max<T>(x);
            TensorPrimitives.Multiply<T>(y, T.One / Kernels.ExpKernel.ShiftedExpSum(x, max, y), y);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = softmax(x): ∂L/∂x = y ⊙ (dy − ⟨dy, y⟩) per row (reuses y).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Softmax))]
        public static void SoftmaxPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(SoftmaxPullback), dx, dResult);
            Check.SameShape(nameof(SoftmaxPullback), result, dResult);
            if (dx is null || result.Length == 0)
            {
                return;
            }

            var columns = result.Dimension(-1);
            for (var row = 0; row < result.Length; row += columns)
            {
                SoftmaxRowPullback(result.Span.Slice(row, columns), dResult.Span.Slice(row, columns), dx.Span.Slice(row, columns));
            }
        }

        /// <summary>y = softmax(x): ẏ = y ⊙ (ẋ − ⟨y, ẋ⟩) per row (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Softmax))]
        public static void SoftmaxPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwiseTangent(nameof(SoftmaxPushforward), result, dx, dResult) || result.Length == 0)
            {
                return;
            }

            var columns = result.Dimension(-1);
            for (var row = 0; row < result.Length; row += columns)
            {
                SoftmaxRowPushforward(result.Span.Slice(row, columns), dx.Span.Slice(row, columns), dResult.Span.Slice(row, columns));
            }
        }

        /// <summary>ẏ = y ⊙ (ẋ − ⟨y, ẋ⟩) for one row of a softmax.</summary>
        internal static void SoftmaxRowPushforward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dx, Span<T> dy)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Subtract<T>(dx, TensorPrimitives.Dot<T>(y, dx), dy);
            TensorPrimitives.Multiply<T>(dy, y, dy);
        }

        /// <summary>dx += y ⊙ (dy − ⟨dy, y⟩) for one row of a softmax.</summary>
        internal static void SoftmaxRowPullback<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var dot = TensorPrimitives.Dot<T>(dy, y);
            TensorPrimitives.FusedMultiplyAdd<T>(y, dy, dx, dx);
            TensorPrimitives.FusedMultiplyAdd<T>(y, -dot, dx, dx);
        }

        /// <summary>
        /// dx += y ⊙ (g − ⟨g, y⟩) per row: its tangent is y ⊙ (ġ − ⟨ġ, y⟩) + ẏ ⊙ (g − ⟨g, y⟩) − y·⟨g, ẏ⟩, with g = dResult
        /// and ġ = vdResult.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Softmax))]
        public static void SoftmaxPullbackTangent<T>(DTensor<T> result, DTensor<T> dResult, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(SoftmaxPullbackTangent), result, dResult, vresult, vdResult, vdx) || result.Length == 0)
            {
                return;
            }

            SoftmaxPullback(result, vdResult, vdx);
            if (vresult is null)
            {
                return;
            }

            var columns = result.Dimension(-1);
            for (var row = 0; row < result.Length; row += columns)
            {
                SoftmaxRowPullbackTangent(result.Span.Slice(row, columns), dResult.Span.Slice(row, columns), vresult.Span.Slice(row, columns), vdx.Span.Slice(row, columns));
            }
        }

        /// <summary>dx += ẏ ⊙ (g − ⟨g, y⟩) − y·⟨g, ẏ⟩ for one row of a softmax: what moving y adds to its pullback's tangent.</summary>
        internal static void SoftmaxRowPullbackTangent<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, ReadOnlySpan<T> dy, Span<T> output)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var gy = TensorPrimitives.Dot<T>(g, y);
            var gdy = TensorPrimitives.Dot<T>(g, dy);
            for (var i = 0; i < y.Length; i++)
            {
                output[i] += (dy[i] * (g[i] - gy)) - (y[i] * gdy);
            }
        }
    }
}
