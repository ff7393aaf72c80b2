using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = −x, elementwise.</summary>
        public static DTensor<T> Negate<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Negate(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Negate{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Negate<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Negate<T>(x.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = −x: ∂y/∂x = −1.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Negate))]
        public static void NegatePullback<T>(DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(NegatePullback), dx, dResult);
            if (dx is not null)
            {
                TensorPrimitives.Subtract<T>(dx.Span, dResult.Span, dx.Span);
            }
        }

        /// <summary>y = −x: ẏ = −ẋ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Negate))]
        public static void NegatePushforward<T>(DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ElementwiseTangent(nameof(NegatePushforward), dResult, dx, dResult))
            {
                TensorPrimitives.Negate<T>(dx.Span, dResult.Span);
            }
        }
    }
}
