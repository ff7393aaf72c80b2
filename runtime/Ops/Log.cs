using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = ln x, elementwise.</summary>
        public static DTensor<T> Log<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Log(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Log{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Log<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Log<T>(x.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = ln x: ∂y/∂x = 1/x.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Log))]
        public static void LogPullback<T>(DTensor<T> x, DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(LogPullback), dx, dResult);
            Check.SameShape(nameof(LogPullback), x, dResult);
            if (dx is null)
            {
                return;
            }

            var quotient = Scratch<T>.Get(x.Length);
            TensorPrimitives.Divide<T>(dResult.Span, x.Span, quotient);
            TensorPrimitives.Add<T>(dx.Span, quotient, dx.Span);
        }

        /// <summary>y = ln x: ẏ = ẋ/x.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Log))]
        public static void LogPushforward<T>(DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ElementwiseTangent(nameof(LogPushforward), x, dx, dResult))
            {
                TensorPrimitives.Divide<T>(dx.Span, x.Span, dResult.Span);
            }
        }

        /// <summary>dx += dResult / x: its tangent is vdResult / x − dResult ⊙ ẋ / x².</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Log))]
        public static void LogPullbackTangent<T>(DTensor<T> x, DTensor<T> dResult, DTensor<T>? vx, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(LogPullbackTangent), x, dResult, vx, vdResult, vdx))
            {
                return;
            }

            LogPullback(x, vdResult, vdx);
            if (vx is not null)
            {
                var scale = Scratch<T>.Get(x.Length);
                TensorPrimitives.Multiply<T>(x.Span, x.Span, scale);
                TensorPrimitives.Divide<T>(vx.Span, scale, scale);
                TensorPrimitives.Negate<T>(scale, scale);
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, scale, vdx.Span, vdx.Span);
            }
        }
    }
}
