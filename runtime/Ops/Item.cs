using System.Numerics;

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = x[i], the indexer of <see cref="DTensor{T}"/> read in a <see cref="DifferentiableAttribute"/> method:
        /// ∂y/∂xⱼ = 1 where j = i, else 0. Generated code calls it for each element read of a differentiated tensor.
        /// </summary>
        public static void ItemPullback<T>(int index, T dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dx is null)
            {
                return;
            }

            if ((uint)index >= (uint)dx.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"ItemPullback: index {index} is outside the gradient {dx.ShapeText} ({dx.Length} elements).");
            }

            dx[index] += dResult;
        }

        /// <summary>y = x[i]: ẏ = ẋ[i]. Like <see cref="ItemPullback{T}(int, T, DTensor{T})"/>, found by name.</summary>
        public static T ItemPushforward<T>(int index, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dx is null)
            {
                return T.Zero;
            }

            if ((uint)index >= (uint)dx.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"ItemPushforward: index {index} is outside the tangent {dx.ShapeText} ({dx.Length} elements).");
            }

            return dx[index];
        }

        /// <summary>
        /// y = x[r, c], the matrix indexer of <see cref="DTensor{T}"/> read in a <see cref="DifferentiableAttribute"/>
        /// method: ∂y/∂x[i, j] = 1 where (i, j) = (r, c), else 0.
        /// </summary>
        public static void ItemPullback<T>(int row, int column, T dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dx is null)
            {
                return;
            }

            if (dx.Rank != 2 || (uint)row >= (uint)dx.Shape[0] || (uint)column >= (uint)dx.Shape[1])
            {
                throw new ArgumentOutOfRangeException(nameof(row), $"ItemPullback: [{row}, {column}] is outside the gradient {dx.ShapeText}.");
            }

            dx[row, column] += dResult;
        }

        /// <summary>y = x[r, c]: ẏ = ẋ[r, c]. Like <see cref="ItemPullback{T}(int, int, T, DTensor{T})"/>, found by name.</summary>
        public static T ItemPushforward<T>(int row, int column, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dx is null)
            {
                return T.Zero;
            }

            if (dx.Rank != 2 || (uint)row >= (uint)dx.Shape[0] || (uint)column >= (uint)dx.Shape[1])
            {
                throw new ArgumentOutOfRangeException(nameof(row), $"ItemPushforward: [{row}, {column}] is outside the tangent {dx.ShapeText}.");
            }

            return dx[row, column];
        }
    }
}
