using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = max(a, b), elementwise; the shapes must match.</summary>
        public static DTensor<T> Maximum<T>(DTensor<T> a, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Maximum(a, b, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Maximum{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> Maximum<T>(DTensor<T> a, DTensor<T> b, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(Maximum), a, b);
            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Max<T>(a.Span, b.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = max(a, b): ∂y/∂a = 1 where a ≥ b (ties go to a), ∂y/∂b = 1 where b &gt; a, else 0.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Maximum))]
        public static void MaximumPullback<T>(DTensor<T> a, DTensor<T> b, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? da, [SameShapeAs(nameof(dResult))] DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            RoutePullback(nameof(MaximumPullback), a, b, dResult, da, db, takeA: (x, y) => x >= y);

        /// <summary>y = max(a, b): ẏ = ȧ where a ≥ b (ties go to a), else ḃ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Maximum))]
        public static void MaximumPushforward<T>(DTensor<T> a, DTensor<T> b, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            RoutePushforward(nameof(MaximumPushforward), a, b, da, db, dResult, takeA: (x, y) => x >= y);

        /// <summary>
        /// The pullback routes dy to a or b by a mask that does not move along any direction (away from ties, where it is
        /// differentiable): its tangent is itself along vdResult.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Maximum))]
        public static void MaximumPullbackTangent<T>(DTensor<T> a, DTensor<T> b, DTensor<T> vdResult, DTensor<T>? vda, DTensor<T>? vdb)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            RoutePullback(nameof(MaximumPullbackTangent), a, b, vdResult, vda, vdb, takeA: (x, y) => x >= y);

        /// <summary>
        /// The pullback of an elementwise choice between a and b: each dy goes to da where <paramref name="takeA"/> holds,
        /// else to db.
        /// </summary>
        private static void RoutePullback<T>(string op, DTensor<T> a, DTensor<T> b, DTensor<T> dResult, DTensor<T>? da, DTensor<T>? db, Func<T, T, bool> takeA)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(op, a, b);
            Check.SameShape(op, a, dResult);
            Check.Gradient(op, da, dResult);
            Check.Gradient(op, db, dResult);
            var left = a.Span;
            var right = b.Span;
            var gradient = dResult.Span;
            for (var i = 0; i < gradient.Length; i++)
            {
                var target = takeA(left[i], right[i]) ? da : db;
                if (target is not null)
                {
                    target[i] += gradient[i];
                }
            }
        }

        /// <summary>The pushforward of an elementwise choice between a and b: ẏ = ȧ where <paramref name="takeA"/> holds, else ḃ.</summary>
        private static void RoutePushforward<T>(string rule, DTensor<T> a, DTensor<T> b, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult, Func<T, T, bool> takeA)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwiseTangents(rule, a, b, da, db, dResult))
            {
                return;
            }

            var left = a.Span;
            var right = b.Span;
            var output = dResult.Span;
            for (var i = 0; i < output.Length; i++)
            {
                var source = takeA(left[i], right[i]) ? da : db;
                output[i] = source is null ? T.Zero : source[i];
            }
        }
    }
}
