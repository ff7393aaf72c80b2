using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = eˣ, elementwise.</summary>
        public static DTensor<T> Exp<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Exp(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Exp{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Exp<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Exp<T>(x.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = eˣ: ∂y/∂x = y (reuses y).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Exp))]
        public static void ExpPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(ExpPullback), dx, dResult);
            Check.SameShape(nameof(ExpPullback), result, dResult);
            if (dx is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, result.Span, dx.Span, dx.Span);
            }
        }

        /// <summary>y = eˣ: ẏ = y·ẋ (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Exp))]
        public static void ExpPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ElementwiseTangent(nameof(ExpPushforward), result, dx, dResult))
            {
                TensorPrimitives.Multiply<T>(result.Span, dx.Span, dResult.Span);
            }
        }

        /// <summary>dx += dResult ⊙ y: its tangent is vdResult ⊙ y + dResult ⊙ ẏ.</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Exp))]
        public static void ExpPullbackTangent<T>(DTensor<T> result, DTensor<T> dResult, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(ExpPullbackTangent), result, dResult, vresult, vdResult, vdx))
            {
                return;
            }

            ExpPullback(result, vdResult, vdx);
            if (vresult is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, vresult.Span, vdx.Span, vdx.Span);
            }
        }
    }
}
