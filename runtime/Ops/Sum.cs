using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = Σᵢ xᵢ over all elements.</summary>
        public static T Sum<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return TensorPrimitives.Sum<T>(x.Span);
        }

        /// <summary>y = (1/n) Σᵢ xᵢ over all n elements.</summary>
        public static T Mean<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return TensorPrimitives.Sum<T>(x.Span) / T.CreateChecked(x.Length);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = Σᵢ xᵢ: ∂y/∂xᵢ = 1.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Sum))]
        public static void SumPullback<T>(T dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dx is not null)
            {
                TensorPrimitives.Add<T>(dx.Span, dResult, dx.Span);
            }
        }

        /// <summary>y = Σᵢ xᵢ: ẏ = Σᵢ ẋᵢ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Sum))]
        public static T SumPushforward<T>(DTensor<T> x, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            return SumOfTangent(nameof(SumPushforward), x, dx);
        }

        /// <summary>y = (1/n) Σᵢ xᵢ: ∂y/∂xᵢ = 1/n, with n the number of elements of x (and of its gradient).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Mean))]
        public static void MeanPullback<T>(T dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dx is not null && dx.Length > 0)
            {
                TensorPrimitives.Add<T>(dx.Span, dResult / T.CreateChecked(dx.Length), dx.Span);
            }
        }

        /// <summary>y = (1/n) Σᵢ xᵢ: ẏ = (1/n) Σᵢ ẋᵢ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Mean))]
        public static T MeanPushforward<T>(DTensor<T> x, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var sum = SumOfTangent(nameof(MeanPushforward), x, dx);
            return x.Length == 0 ? T.Zero : sum / T.CreateChecked(x.Length);
        }

        /// <summary>Σᵢ dxᵢ, zero for a null dx, after checking dx against x.</summary>
        private static T SumOfTangent<T>(string rule, DTensor<T> x, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Tangent(rule, dx, x);
            return dx is null ? T.Zero : TensorPrimitives.Sum<T>(dx.Span);
        }
    }
}
