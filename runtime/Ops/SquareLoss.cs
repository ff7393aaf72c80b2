using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// The square (L2) loss, mean over the batch: y = (1/n) Σᵢ ½‖pᵢ − tᵢ‖² for n rows (the first dimension) of
        /// predictions p and targets t of the same shape.
        /// </summary>
        public static T SquareLoss<T>(DTensor<T> prediction, DTensor<T> target)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rows = SquareLossRows(nameof(SquareLoss), prediction, target);
            if (prediction.Length == 0)
            {
                return T.Zero;
            }

            var difference = Scratch<T>.Get(prediction.Length);
            TensorPrimitives.Subtract<T>(prediction.Span, target.Span, difference);
            return TensorPrimitives.Dot<T>(difference, difference) / T.CreateChecked(2 * rows);
        }

        internal static int SquareLossRows<T>(string op, DTensor<T> prediction, DTensor<T> target)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(prediction);
            ArgumentNullException.ThrowIfNull(target);
            Check.SameShape(op, prediction, target);
            return prediction.Rank == 0 ? 1 : Math.Max(1, prediction.Dimension(0));
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = (1/n) Σ ½‖p − t‖²: ∂y/∂p = (p − t)/n, ∂y/∂t = −(p − t)/n.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.SquareLoss))]
        public static void SquareLossPullback<T>(DTensor<T> prediction, DTensor<T> target, T dResult, DTensor<T>? dprediction, DTensor<T>? dtarget)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rows = SquareLossRows(nameof(SquareLossPullback), prediction, target);
            Check.Gradient(nameof(SquareLossPullback), dprediction, prediction);
            Check.Gradient(nameof(SquareLossPullback), dtarget, target);
            if (prediction.Length == 0)
            {
                return;
            }

            var scale = dResult / T.CreateChecked(rows);
            var difference = Scratch<T>.Get(prediction.Length);
            TensorPrimitives.Subtract<T>(prediction.Span, target.Span, difference);
            if (dprediction is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(difference, scale, dprediction.Span, dprediction.Span);
            }

            if (dtarget is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(difference, -scale, dtarget.Span, dtarget.Span);
            }
        }

        /// <summary>y = (1/n) Σ ½‖p − t‖²: ẏ = ⟨p − t, ṗ − ṫ⟩ / n.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.SquareLoss))]
        public static T SquareLossPushforward<T>(DTensor<T> prediction, DTensor<T> target, DTensor<T>? dprediction, DTensor<T>? dtarget)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rows = SquareLossRows(nameof(SquareLossPushforward), prediction, target);
            Check.Tangent(nameof(SquareLossPushforward), dprediction, prediction);
            Check.Tangent(nameof(SquareLossPushforward), dtarget, target);
            if (prediction.Length == 0 || (dprediction is null && dtarget is null))
            {
                return T.Zero;
            }

            var difference = Scratch<T>.Get(prediction.Length);
            TensorPrimitives.Subtract<T>(prediction.Span, target.Span, difference);
            var slope = dprediction is null ? T.Zero : TensorPrimitives.Dot<T>(difference, dprediction.Span);
            if (dtarget is not null)
            {
                slope -= TensorPrimitives.Dot<T>(difference, dtarget.Span);
            }

            return slope / T.CreateChecked(rows);
        }

        /// <summary>
        /// dprediction += dResult·(p − t)/n and dtarget −= the same: their tangents are vdResult·(p − t)/n + dResult·(ṗ − ṫ)/n
        /// and its negation.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.SquareLoss))]
        public static void SquareLossPullbackTangent<T>(
            DTensor<T> prediction, DTensor<T> target, T dResult, DTensor<T>? vprediction, DTensor<T>? vtarget, T vdResult, DTensor<T>? vdprediction, DTensor<T>? vdtarget)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rows = SquareLossRows(nameof(SquareLossPullbackTangent), prediction, target);
            Check.Tangent(nameof(SquareLossPullbackTangent), vprediction, prediction);
            Check.Tangent(nameof(SquareLossPullbackTangent), vtarget, target);
            Check.Gradient(nameof(SquareLossPullbackTangent), vdprediction, prediction);
            Check.Gradient(nameof(SquareLossPullbackTangent), vdtarget, target);
            SquareLossPullback(prediction, target, vdResult, vdprediction, vdtarget);
            if (prediction.Length == 0 || (vprediction is null && vtarget is null))
            {
                return;
            }

            var scale = dResult / T.CreateChecked(rows);
            var moved = Scratch<T>.Get(prediction.Length);
            if (vprediction is null)
            {
                TensorPrimitives.Negate<T>(vtarget!.Span, moved);
            }
            else if (vtarget is null)
            {
                vprediction.Span.CopyTo(moved);
            }
            else
            {
                TensorPrimitives.Subtract<T>(vprediction.Span, vtarget.Span, moved);
            }

            if (vdprediction is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(moved, scale, vdprediction.Span, vdprediction.Span);
            }

            if (vdtarget is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(moved, -scale, vdtarget.Span, vdtarget.Span);
            }
        }
    }
}
