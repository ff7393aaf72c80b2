using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = tanh(x), elementwise.</summary>
        public static DTensor<T> Tanh<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Tanh(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Tanh{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Tanh<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Tanh<T>(x.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = tanh(x): ∂y/∂x = 1 − y² (reuses y, so x is not kept).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Tanh))]
        public static void TanhPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(TanhPullback), dx, dResult);
            Check.SameShape(nameof(TanhPullback), result, dResult);
            if (dx is null)
            {
                return;
            }

            var slope = Scratch<T>.Get(result.Length);
            TensorPrimitives.Multiply<T>(result.Span, result.Span, slope);
            TensorPrimitives.Subtract<T>(T.One, slope, slope);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, slope, dx.Span, dx.Span);
        }

        /// <summary>y = tanh(x): ẏ = (1 − y²)·ẋ (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Tanh))]
        public static void TanhPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            SlopeTimesTangent(nameof(TanhPushforward), result, dx, dResult, static (y, slope) =>
            {
                TensorPrimitives.Multiply<T>(y, y, slope);
                TensorPrimitives.Subtract<T>(T.One, slope, slope);
            });
        }

        /// <summary>dx += dResult ⊙ (1 − y²): its tangent is vdResult ⊙ (1 − y²) − 2·dResult ⊙ y ⊙ ẏ.</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Tanh))]
        public static void TanhPullbackTangent<T>(DTensor<T> result, DTensor<T> dResult, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(TanhPullbackTangent), result, dResult, vresult, vdResult, vdx))
            {
                return;
            }

            TanhPullback(result, vdResult, vdx);
            if (vresult is not null)
            {
                var scale = Scratch<T>.Get(result.Length);
                TensorPrimitives.Multiply<T>(result.Span, vresult.Span, scale);
                TensorPrimitives.Multiply<T>(scale, -(T.One + T.One), scale);
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, scale, vdx.Span, vdx.Span);
            }
        }
    }
}
