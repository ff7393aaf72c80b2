using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = min(max(x, lo), hi), elementwise (lo ≤ hi; with Square and Abs, the Huber loss).</summary>
        public static DTensor<T> Clamp<T>(DTensor<T> x, T lo, T hi)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Clamp(x, lo, hi, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Clamp{T}(DTensor{T}, T, T)"/>.</summary>
        public static DTensor<T> Clamp<T>(DTensor<T> x, T lo, T hi, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ClampBounds(nameof(Clamp), x, lo, hi);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Max<T>(x.Span, lo, y.Span);
            TensorPrimitives.Min<T>(y.Span, hi, y.Span);
            return y;
        }

        internal static void ClampBounds<T>(string op, DTensor<T> x, T lo, T hi)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            if (!(lo <= hi))
            {
                throw new ArgumentException($"{op}: the bounds [{lo}, {hi}] are empty (lo must be at most hi).");
            }
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = min(max(x, lo), hi): ∂y/∂x = 1 where lo ≤ x ≤ hi, else 0; ∂y/∂lo = 1 where x &lt; lo; ∂y/∂hi = 1 where
        /// x &gt; hi (so dlo = Σ dy over x &lt; lo, dhi = Σ dy over x &gt; hi).
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Clamp))]
        public static void ClampPullback<T>(DTensor<T> x, T lo, T hi, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx, ref T dlo, ref T dhi)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ClampBounds(nameof(ClampPullback), x, lo, hi);
            Check.SameShape(nameof(ClampPullback), x, dResult);
            Check.Gradient(nameof(ClampPullback), dx, dResult);
            var input = x.Span;
            var gradient = dResult.Span;
            var (below, above) = (T.Zero, T.Zero);
            for (var i = 0; i < input.Length; i++)
            {
                if (input[i] < lo)
                {
                    below += gradient[i];
                }
                else if (input[i] > hi)
                {
                    above += gradient[i];
                }
                else if (dx is not null)
                {
                    dx[i] += gradient[i];
                }
            }

            dlo += below;
            dhi += above;
        }

        /// <summary>y = min(max(x, lo), hi): ẏ = ẋ where lo ≤ x ≤ hi, l̇o where x &lt; lo, ḣi where x &gt; hi.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Clamp))]
        public static void ClampPushforward<T>(DTensor<T> x, T lo, T hi, DTensor<T>? dx, T dlo, T dhi, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ClampBounds(nameof(ClampPushforward), x, lo, hi);
            Check.ResultTangent(nameof(ClampPushforward), dResult, x.Shape);
            Check.Tangent(nameof(ClampPushforward), dx, x);
            var input = x.Span;
            var output = dResult.Span;
            for (var i = 0; i < input.Length; i++)
            {
                output[i] = input[i] < lo ? dlo : input[i] > hi ? dhi : dx is null ? T.Zero : dx[i];
            }
        }

        /// <summary>
        /// The pullback routes dy by where x lies against lo and hi, masks that do not move along any direction (away
        /// from the bounds, where it is differentiable): its tangent is itself along vdResult.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Clamp))]
        public static void ClampPullbackTangent<T>(DTensor<T> x, T lo, T hi, DTensor<T> vdResult, DTensor<T>? vdx, ref T vdlo, ref T vdhi)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ClampBounds(nameof(ClampPullbackTangent), x, lo, hi);
            Check.SameShape(nameof(ClampPullbackTangent), x, vdResult);
            Check.Gradient(nameof(ClampPullbackTangent), vdx, x);
            ClampPullback(x, lo, hi, vdResult, vdx, ref vdlo, ref vdhi);
        }
    }
}
