using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = max(x, 0), elementwise.</summary>
        public static DTensor<T> Relu<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Relu(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Relu{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Relu<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Max<T>(x.Span, T.Zero, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = max(x, 0): ∂y/∂x = 1 where y &gt; 0 (that is, x &gt; 0), else 0 (0 at x = 0, as PyTorch); reads y, which the next op usually keeps anyway.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Relu))]
        public static void ReluPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(ReluPullback), dx, dResult);
            Check.SameShape(nameof(ReluPullback), result, dResult);
            if (dx is null)
            {
                return;
            }

            var y = result.Span;
            var gradient = dResult.Span;
            var output = dx.Span;
            for (var i = 0; i < output.Length; i++)
            {
                if (y[i] > T.Zero)
                {
                    output[i] += gradient[i];
                }
            }
        }

        /// <summary>y = max(x, 0): ẏ = ẋ where y &gt; 0, else 0 (as the pullback, 0 at x = 0).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Relu))]
        public static void ReluPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ElementwiseTangent(nameof(ReluPushforward), result, dx, dResult))
            {
                var y = result.Span;
                var tangent = dx.Span;
                var output = dResult.Span;
                for (var i = 0; i < output.Length; i++)
                {
                    output[i] = y[i] > T.Zero ? tangent[i] : T.Zero;
                }
            }
        }

        /// <summary>dx += dResult where y &gt; 0: the mask does not move, so the tangent is vdResult where y &gt; 0.</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Relu))]
        public static void ReluPullbackTangent<T>(DTensor<T> result, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReluPullback(result, vdResult, vdx);
        }
    }
}
