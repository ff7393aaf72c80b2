using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = x², elementwise.</summary>
        public static DTensor<T> Square<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Square(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Square{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Square<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Multiply<T>(x.Span, x.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = x²: ∂y/∂x = 2x.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Square))]
        public static void SquarePullback<T>(DTensor<T> x, DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(SquarePullback), dx, dResult);
            Check.SameShape(nameof(SquarePullback), x, dResult);
            if (dx is null)
            {
                return;
            }

            var twice = Scratch<T>.Get(x.Length);
            TensorPrimitives.Add<T>(x.Span, x.Span, twice);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, twice, dx.Span, dx.Span);
        }

        /// <summary>y = x²: ẏ = 2x·ẋ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Square))]
        public static void SquarePushforward<T>(DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ElementwiseTangent(nameof(SquarePushforward), x, dx, dResult))
            {
                TensorPrimitives.Multiply<T>(x.Span, dx.Span, dResult.Span);
                TensorPrimitives.Add<T>(dResult.Span, dResult.Span, dResult.Span);
            }
        }

        /// <summary>dx += 2x ⊙ dResult: its tangent is 2x ⊙ vdResult + 2ẋ ⊙ dResult.</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Square))]
        public static void SquarePullbackTangent<T>(DTensor<T> x, DTensor<T> dResult, DTensor<T>? vx, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(SquarePullbackTangent), x, dResult, vx, vdResult, vdx))
            {
                return;
            }

            SquarePullback(x, vdResult, vdx);
            if (vx is not null)
            {
                SquarePullback(vx, dResult, vdx);
            }
        }
    }
}
