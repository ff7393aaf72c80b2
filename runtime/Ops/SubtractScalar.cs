using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = a − s, the scalar s subtracted from every element.</summary>
        public static DTensor<T> Subtract<T>(DTensor<T> a, T s)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Subtract(a, s, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Subtract{T}(DTensor{T}, T)"/>.</summary>
        public static DTensor<T> Subtract<T>(DTensor<T> a, T s, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Subtract<T>(a.Span, s, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = a − s: ∂y/∂a = 1, ∂y/∂s = −Σ dy.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Subtract))]
        public static void SubtractPullback<T>(DTensor<T> dResult, [PassThrough, SameShapeAs(nameof(dResult))] DTensor<T>? da, ref T ds)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            Accumulate(nameof(SubtractPullback), da, dResult);
            ds -= TensorPrimitives.Sum<T>(dResult.Span);
        }

        /// <summary>y = a − s: ẏ = ȧ − ṡ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Subtract))]
        public static void SubtractPushforward<T>(DTensor<T>? da, T ds, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            OffsetTangent(nameof(SubtractPushforward), da, -ds, dResult);
        }
    }
}
