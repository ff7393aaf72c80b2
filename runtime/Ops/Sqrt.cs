using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = √x, elementwise.</summary>
        public static DTensor<T> Sqrt<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Sqrt(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Sqrt{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Sqrt<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Sqrt<T>(x.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = √x: ∂y/∂x = 1/(2y) (reuses y).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Sqrt))]
        public static void SqrtPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(SqrtPullback), dx, dResult);
            Check.SameShape(nameof(SqrtPullback), result, dResult);
            if (dx is null)
            {
                return;
            }

            var quotient = Scratch<T>.Get(result.Length);
            TensorPrimitives.Divide<T>(dResult.Span, result.Span, quotient);
            TensorPrimitives.FusedMultiplyAdd<T>(quotient, T.CreateTruncating(0.5), dx.Span, dx.Span);
        }

        /// <summary>y = √x: ẏ = ẋ/(2y) (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Sqrt))]
        public static void SqrtPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ElementwiseTangent(nameof(SqrtPushforward), result, dx, dResult))
            {
                TensorPrimitives.Divide<T>(dx.Span, result.Span, dResult.Span);
                TensorPrimitives.Multiply<T>(dResult.Span, T.CreateTruncating(0.5), dResult.Span);
            }
        }

        /// <summary>dx += dResult / (2y): its tangent is vdResult / (2y) − dResult ⊙ ẏ / (2y²).</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Sqrt))]
        public static void SqrtPullbackTangent<T>(DTensor<T> result, DTensor<T> dResult, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(SqrtPullbackTangent), result, dResult, vresult, vdResult, vdx))
            {
                return;
            }

            SqrtPullback(result, vdResult, vdx);
            if (vresult is not null)
            {
                var scale = Scratch<T>.Get(result.Length);
                TensorPrimitives.Multiply<T>(result.Span, result.Span, scale);
                TensorPrimitives.Divide<T>(vresult.Span, scale, scale);
                TensorPrimitives.Multiply<T>(scale, -T.CreateTruncating(0.5), scale);
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, scale, vdx.Span, vdx.Span);
            }
        }
    }
}
