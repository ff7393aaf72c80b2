using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = |x|, elementwise (with a mean, the L1 loss).</summary>
        public static DTensor<T> Abs<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Abs(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Abs{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Abs<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Abs<T>(x.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = |x|: ∂y/∂x = sign(x) (−1, 0 at the kink x = 0, or 1).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Abs))]
        public static void AbsPullback<T>(DTensor<T> x, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(AbsPullback), x, dResult);
            Check.Gradient(nameof(AbsPullback), dx, dResult);
            if (dx is null)
            {
                return;
            }

            var input = x.Span;
            var gradient = dResult.Span;
            var output = dx.Span;
            for (var i = 0; i < output.Length; i++)
            {
                var value = input[i];
                var sign = value > T.Zero ? T.One : value < T.Zero ? -T.One : value * T.Zero; // 0 at 0; a NaN stays NaN (T.Sign throws on it)
                output[i] += sign * gradient[i];
            }
        }

        /// <summary>y = |x|: ẏ = sign(x)·ẋ (0 at the kink x = 0).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Abs))]
        public static void AbsPushforward<T>(DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            SlopeTimesTangent(nameof(AbsPushforward), x, dx, dResult, static (value, slope) =>
            {
                for (var i = 0; i < value.Length; i++)
                {
                    var v = value[i];
                    slope[i] = v > T.Zero ? T.One : v < T.Zero ? -T.One : v * T.Zero;
                }
            });
        }

        /// <summary>dx += dResult ⊙ sign(x): the sign does not move, so the tangent is vdResult ⊙ sign(x).</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Abs))]
        public static void AbsPullbackTangent<T>(DTensor<T> x, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            AbsPullback(x, vdResult, vdx);
        }
    }
}
