using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = log softmax(x) along the last axis: y[i, j] = x[i, j] − mᵢ − ln Σₖ e^(x[i, k] − mᵢ), with mᵢ the row maximum.
        /// </summary>
        public static DTensor<T> LogSoftmax<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return LogSoftmax(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="LogSoftmax{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> LogSoftmax<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Check.AtLeastRank(nameof(LogSoftmax), x, 1, "x");
            var y = Buffers.Ensure(ref destination, x.Shape);
            var columns = x.Dimension(-1);
            for (var row = 0; row < x.Length; row += columns)
            {
                var input = x.Span.Slice(row, columns);
                var output = y.Span.Slice(row, columns);
                TensorPrimitives.Subtract<T>(input, LogSumExp(input, output), output);
            }

            return y;
        }

        /// <summary>m + ln Σ e^(x − m) with m = max x; <paramref name="scratch"/> (same length) is overwritten.</summary>
        internal static T LogSumExp<T>(ReadOnlySpan<T> x, Span<T> scratch)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (x.Length == 0)
            {
                return T.NegativeInfinity;
            }

            var max = TensorPrimitives.Max<T>(x);
            return max + T.Log(Kernels.ExpKernel.ShiftedExpSum(x, max, scratch));
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = log softmax(x): ∂L/∂x = dy − softmax(x) · Σ dy per row, with softmax(x) = e^y (reuses y).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.LogSoftmax))]
        public static void LogSoftmaxPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(LogSoftmaxPullback), dx, dResult);
            Check.SameShape(nameof(LogSoftmaxPullback), result, dResult);
            if (dx is null || result.Length == 0)
            {
                return;
            }

            var columns = result.Dimension(-1);
            var probabilities = Scratch<T>.Get(columns);
            for (var row = 0; row < result.Length; row += columns)
            {
                var dy = dResult.Span.Slice(row, columns);
                var output = dx.Span.Slice(row, columns);
                TensorPrimitives.Exp<T>(result.Span.Slice(row, columns), probabilities);
                TensorPrimitives.Add<T>(output, dy, output);
                TensorPrimitives.FusedMultiplyAdd<T>(probabilities, -TensorPrimitives.Sum<T>(dy), output, output);
            }
        }

        /// <summary>y = log softmax(x): ẏ = ẋ − ⟨softmax(x), ẋ⟩ per row, with softmax(x) = e^y (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.LogSoftmax))]
        public static void LogSoftmaxPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwiseTangent(nameof(LogSoftmaxPushforward), result, dx, dResult) || result.Length == 0)
            {
                return;
            }

            var columns = result.Dimension(-1);
            var probabilities = Scratch<T>.Get(columns);
            for (var row = 0; row < result.Length; row += columns)
            {
                var tangent = dx.Span.Slice(row, columns);
                TensorPrimitives.Exp<T>(result.Span.Slice(row, columns), probabilities);
                TensorPrimitives.Subtract<T>(tangent, TensorPrimitives.Dot<T>(probabilities, tangent), dResult.Span.Slice(row, columns));
            }
        }

        /// <summary>
        /// dx += g − p·Σg per row, p = e^y: its tangent is ġ − p·Σġ − (p ⊙ ẏ)·Σg, with g = dResult and ġ = vdResult.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.LogSoftmax))]
        public static void LogSoftmaxPullbackTangent<T>(DTensor<T> result, DTensor<T> dResult, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(LogSoftmaxPullbackTangent), result, dResult, vresult, vdResult, vdx) || result.Length == 0)
            {
                return;
            }

            LogSoftmaxPullback(result, vdResult, vdx);
            if (vresult is null)
            {
                return;
            }

            var columns = result.Dimension(-1);
            var probabilities = Scratch<T>.Get(columns);
            for (var row = 0; row < result.Length; row += columns)
            {
                var output = vdx.Span.Slice(row, columns);
                TensorPrimitives.Exp<T>(result.Span.Slice(row, columns), probabilities);
                TensorPrimitives.Multiply<T>(probabilities, vresult.Span.Slice(row, columns), probabilities);
                TensorPrimitives.FusedMultiplyAdd<T>(probabilities, -TensorPrimitives.Sum<T>(dResult.Span.Slice(row, columns)), output, output);
            }
        }
    }
}
