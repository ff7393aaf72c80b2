using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = min(a, b), elementwise; the shapes must match.</summary>
        public static DTensor<T> Minimum<T>(DTensor<T> a, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Minimum(a, b, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Minimum{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> Minimum<T>(DTensor<T> a, DTensor<T> b, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(Minimum), a, b);
            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Min<T>(a.Span, b.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = min(a, b): ∂y/∂a = 1 where a ≤ b (ties go to a), ∂y/∂b = 1 where b &lt; a, else 0.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Minimum))]
        public static void MinimumPullback<T>(DTensor<T> a, DTensor<T> b, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? da, [SameShapeAs(nameof(dResult))] DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            RoutePullback(nameof(MinimumPullback), a, b, dResult, da, db, takeA: (x, y) => x <= y);

        /// <summary>y = min(a, b): ẏ = ȧ where a ≤ b (ties go to a), else ḃ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Minimum))]
        public static void MinimumPushforward<T>(DTensor<T> a, DTensor<T> b, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            RoutePushforward(nameof(MinimumPushforward), a, b, da, db, dResult, takeA: (x, y) => x <= y);

        /// <summary>
        /// The pullback routes dy to a or b by a mask that does not move along any direction (away from ties, where it is
        /// differentiable): its tangent is itself along vdResult.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Minimum))]
        public static void MinimumPullbackTangent<T>(DTensor<T> a, DTensor<T> b, DTensor<T> vdResult, DTensor<T>? vda, DTensor<T>? vdb)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            RoutePullback(nameof(MinimumPullbackTangent), a, b, vdResult, vda, vdb, takeA: (x, y) => x <= y);
    }
}
