using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// The causal-masked softmax of attention scores: for x of shape [.., T, S], row i of each T×S matrix is the
        /// softmax of its first i + 1 entries, y[.., i, j] = e^(x[.., i, j]) / Σ_{k≤i} e^(x[.., i, k]) for j ≤ i, and 0 for
        /// j &gt; i (position i attends to positions 0..i only; masked entries are never read).
        /// </summary>
        public static DTensor<T> CausalSoftmax<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return CausalSoftmax(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="CausalSoftmax{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> CausalSoftmax<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Check.AtLeastRank(nameof(CausalSoftmax), x, 2, "x");
            var y = Buffers.Ensure(ref destination, x.Shape);
            var (rows, columns) = (x.Dimension(-2), x.Dimension(-1));
            for (var start = 0; start < x.Length; start += columns)
            {
                var kept = Math.Min(columns, ((start / columns) % rows) + 1);
                SoftmaxRow(x.Span.Slice(start, kept), y.Span.Slice(start, kept));
                y.Span.Slice(start + kept, columns - kept).Clear();
            }

            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = causal softmax(x): per row, ∂L/∂x = y ⊙ (dy − ⟨dy, y⟩) over the kept entries; the masked entries
        /// (y = 0) get no gradient (reuses y).
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.CausalSoftmax))]
        public static void CausalSoftmaxPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(CausalSoftmaxPullback), dx, dResult);
            Check.SameShape(nameof(CausalSoftmaxPullback), result, dResult);
            Check.AtLeastRank(nameof(CausalSoftmaxPullback), result, 2, "result");
            if (dx is null || result.Length == 0)
            {
                return;
            }

            var (rows, columns) = (result.Dimension(-2), result.Dimension(-1));
            for (var start = 0; start < result.Length; start += columns)
            {
                var kept = Math.Min(columns, ((start / columns) % rows) + 1);
                SoftmaxRowPullback(result.Span.Slice(start, kept), dResult.Span.Slice(start, kept), dx.Span.Slice(start, kept));
            }
        }

        /// <summary>y = causal softmax(x): per row, ẏ = y ⊙ (ẋ − ⟨y, ẋ⟩) over the kept entries, 0 at the masked ones (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.CausalSoftmax))]
        public static void CausalSoftmaxPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(result);
            Check.AtLeastRank(nameof(CausalSoftmaxPushforward), result, 2, "result");
            if (!ElementwiseTangent(nameof(CausalSoftmaxPushforward), result, dx, dResult) || result.Length == 0)
            {
                return;
            }

            var (rows, columns) = (result.Dimension(-2), result.Dimension(-1));
            dResult.Clear();
            for (var start = 0; start < result.Length; start += columns)
            {
                var kept = Math.Min(columns, ((start / columns) % rows) + 1);
                SoftmaxRowPushforward(result.Span.Slice(start, kept), dx.Span.Slice(start, kept), dResult.Span.Slice(start, kept));
            }
        }

        /// <summary>
        /// dx += y ⊙ (g − ⟨g, y⟩) over each row's kept entries: as for the softmax, its tangent is y ⊙ (ġ − ⟨ġ, y⟩) +
        /// ẏ ⊙ (g − ⟨g, y⟩) − y·⟨g, ẏ⟩ there, with g = dResult and ġ = vdResult; the masked entries get nothing.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.CausalSoftmax))]
        public static void CausalSoftmaxPullbackTangent<T>(DTensor<T> result, DTensor<T> dResult, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(result);
            Check.AtLeastRank(nameof(CausalSoftmaxPullbackTangent), result, 2, "result");
            if (!ElementwisePullbackTangent(nameof(CausalSoftmaxPullbackTangent), result, dResult, vresult, vdResult, vdx) || result.Length == 0)
            {
                return;
            }

            CausalSoftmaxPullback(result, vdResult, vdx);
            if (vresult is null)
            {
                return;
            }

            var (rows, columns) = (result.Dimension(-2), result.Dimension(-1));
            for (var start = 0; start < result.Length; start += columns)
            {
                var kept = Math.Min(columns, ((start / columns) % rows) + 1);
                SoftmaxRowPullbackTangent(result.Span.Slice(start, kept), dResult.Span.Slice(start, kept), vresult.Span.Slice(start, kept), vdx.Span.Slice(start, kept));
            }
        }
    }
}
