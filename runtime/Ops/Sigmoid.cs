using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = σ(x) = 1 / (1 + e^−x), elementwise.</summary>
        public static DTensor<T> Sigmoid<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Sigmoid(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Sigmoid{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Sigmoid<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            if (x.Length > 0)
            {
                TensorPrimitives.Sigmoid<T>(x.Span, y.Span); // rejects empty spans
            }

            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = σ(x): ∂y/∂x = y(1 − y) (reuses y).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Sigmoid))]
        public static void SigmoidPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(SigmoidPullback), dx, dResult);
            Check.SameShape(nameof(SigmoidPullback), result, dResult);
            if (dx is null)
            {
                return;
            }

            var slope = Scratch<T>.Get(result.Length);
            TensorPrimitives.Subtract<T>(T.One, result.Span, slope);
            TensorPrimitives.Multiply<T>(slope, result.Span, slope);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, slope, dx.Span, dx.Span);
        }

        /// <summary>y = σ(x): ẏ = y(1 − y)·ẋ (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Sigmoid))]
        public static void SigmoidPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            SlopeTimesTangent(nameof(SigmoidPushforward), result, dx, dResult, static (y, slope) =>
            {
                TensorPrimitives.Subtract<T>(T.One, y, slope);
                TensorPrimitives.Multiply<T>(slope, y, slope);
            });
        }

        /// <summary>dx += dResult ⊙ y(1 − y): its tangent is vdResult ⊙ y(1 − y) + dResult ⊙ (1 − 2y) ⊙ ẏ.</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Sigmoid))]
        public static void SigmoidPullbackTangent<T>(DTensor<T> result, DTensor<T> dResult, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(SigmoidPullbackTangent), result, dResult, vresult, vdResult, vdx))
            {
                return;
            }

            SigmoidPullback(result, vdResult, vdx);
            if (vresult is not null)
            {
                var scale = Scratch<T>.Get(result.Length);
                TensorPrimitives.Multiply<T>(result.Span, -(T.One + T.One), scale);
                TensorPrimitives.Add<T>(scale, T.One, scale);
                TensorPrimitives.Multiply<T>(scale, vresult.Span, scale);
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, scale, vdx.Span, vdx.Span);
            }
        }
    }
}
