using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y[.., j, i] = x[.., i, j]: the last two axes swapped (a matrix's transpose; a copy, not a view).</summary>
        public static DTensor<T> Transpose<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Transpose(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Transpose{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Transpose<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Check.AtLeastRank(nameof(Transpose), x, 2, "x");
            return SwapAxes(x, -2, -1, ref destination);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = xᵀ over the last two axes: ∂L/∂x = (∂L/∂y)ᵀ, the same swap applied to dy.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Transpose))]
        public static void TransposePullback<T>(DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            Check.AtLeastRank(nameof(TransposePullback), dResult, 2, "dResult");
            SwapAxesPullback(-2, -1, dResult, dx);
        }

        /// <summary>y = xᵀ over the last two axes: ẏ = ẋᵀ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Transpose))]
        public static void TransposePushforward<T>(DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Check.AtLeastRank(nameof(TransposePushforward), x, 2, "x");
            SwapTangent(nameof(TransposePushforward), x, -2, -1, dx, dResult);
        }
    }
}
