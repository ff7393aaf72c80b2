using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = x viewed as a vector of d0 elements (no copy); −1 flattens.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, int d0)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.View([d0]);
        }

        /// <summary>Destination-passing form of <see cref="Reshape{T}(DTensor{T}, int)"/>.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, int d0, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return ViewInto(x, [d0], ref destination);
        }

        /// <summary>y = x viewed as a [d0, d1] matrix (no copy: y shares x's elements); one dimension may be −1.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, int d0, int d1)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.View([d0, d1]);
        }

        /// <summary>Destination-passing form of <see cref="Reshape{T}(DTensor{T}, int, int)"/>: re-targets the view object.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, int d0, int d1, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return ViewInto(x, [d0, d1], ref destination);
        }

        /// <summary>y = x viewed as a [d0, d1, d2] tensor (no copy); one dimension may be −1.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, int d0, int d1, int d2)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.View([d0, d1, d2]);
        }

        /// <summary>Destination-passing form of <see cref="Reshape{T}(DTensor{T}, int, int, int)"/>.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, int d0, int d1, int d2, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return ViewInto(x, [d0, d1, d2], ref destination);
        }

        /// <summary>y = x viewed as a [d0, d1, d2, d3] tensor (no copy); one dimension may be −1.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, int d0, int d1, int d2, int d3)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.View([d0, d1, d2, d3]);
        }

        /// <summary>Destination-passing form of <see cref="Reshape{T}(DTensor{T}, int, int, int, int)"/>.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, int d0, int d1, int d2, int d3, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return ViewInto(x, [d0, d1, d2, d3], ref destination);
        }

        /// <summary>y = x viewed with any <paramref name="shape"/> of the same element count (no copy); one dimension may be −1.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, ReadOnlySpan<int> shape)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.View(shape);
        }

        /// <summary>Destination-passing form of <see cref="Reshape{T}(DTensor{T}, ReadOnlySpan{int})"/>.</summary>
        public static DTensor<T> Reshape<T>(DTensor<T> x, ReadOnlySpan<int> shape, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            return ViewInto(x, shape, ref destination);
        }

        internal static DTensor<T> ViewInto<T>(DTensor<T> x, ReadOnlySpan<int> shape, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // Resolved on the stack: a workspace view that already shows x this way is reused without allocating.
            Span<int> target = stackalloc int[shape.Length];
            Check.ReshapeTarget(nameof(Reshape), x, shape, target);
            if (destination is null)
            {
                return destination = x.View(target);
            }

            if (!destination.Views(x, target))
            {
                destination.Rebind(x, target);
            }

            return destination;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = reshape(x): the same elements in another shape, so ∂L/∂x = dy element for element. One rule serves every
        /// Reshape overload: it reads neither x nor the target shape.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Reshape))]
        public static void ReshapePullback<T>(DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            if (dx is null)
            {
                return;
            }

            if (dx.Length != dResult.Length)
            {
                throw new ArgumentException($"{nameof(ReshapePullback)}: shapes {dx.ShapeText} and {dResult.ShapeText} hold different numbers of elements.");
            }

            TensorPrimitives.Add<T>(dx.Span, dResult.Span, dx.Span);
        }

        /// <summary>y = reshape(x): ẏ = reshape(ẋ), element for element; one rule for every overload.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Reshape))]
        public static void ReshapePushforward<T>(DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(dResult);
            if (dResult.Length != x.Length)
            {
                throw new ArgumentException($"{nameof(ReshapePushforward)}: dResult {dResult.ShapeText} does not hold the {x.Length} elements of {x.ShapeText}.");
            }

            Check.Tangent(nameof(ReshapePushforward), dx, x);
            if (dx is null)
            {
                dResult.Clear();
            }
            else
            {
                dx.Span.CopyTo(dResult.Span);
            }
        }
    }
}
