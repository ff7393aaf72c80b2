using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = x with axes <paramref name="axis0"/> and <paramref name="axis1"/> swapped (negative axes count from the
        /// end), a copy: for x of shape [B, T, H, D], SwapAxes(x, 1, 2) is [B, H, T, D] with y[b, h, t, d] = x[b, t, h, d].
        /// </summary>
        public static DTensor<T> SwapAxes<T>(DTensor<T> x, int axis0, int axis1)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return SwapAxes(x, axis0, axis1, ref y);
        }

        /// <summary>Destination-passing form of <see cref="SwapAxes{T}(DTensor{T}, int, int)"/>.</summary>
        public static DTensor<T> SwapAxes<T>(DTensor<T> x, int axis0, int axis1, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var swap = SwapOf(nameof(SwapAxes), x, axis0, axis1);
            Span<int> shape = stackalloc int[x.Rank];
            x.Shape.CopyTo(shape);
            (shape[swap.First], shape[swap.Second]) = (shape[swap.Second], shape[swap.First]);
            var y = Buffers.Ensure(ref destination, shape);
            swap.Blocks.Copy(x.Span, y.Span, accumulate: false);
            return y;
        }

        /// <summary>The two axes (ordered, resolved) and the blocks the swap moves, after checking them against x.</summary>
        internal static (int First, int Second, SwapBlocks Blocks) SwapOf<T>(string op, DTensor<T> x, int axis0, int axis1)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var first = axis0 < 0 ? x.Rank + axis0 : axis0;
            var second = axis1 < 0 ? x.Rank + axis1 : axis1;
            if ((uint)first >= (uint)x.Rank || (uint)second >= (uint)x.Rank)
            {
                throw new ArgumentOutOfRangeException(nameof(axis0), $"{op}: axes {axis0} and {axis1} are not both axes of {x.ShapeText}.");
            }

            (first, second) = (Math.Min(first, second), Math.Max(first, second));
            if (first == second)
            {
                return (first, second, new SwapBlocks(1, 1, 1, 1, x.Length)); // an axis swapped with itself: a copy
            }

            var shape = x.Shape;
            var blocks = new SwapBlocks(
                Product(shape[..first]), shape[first], Product(shape[(first + 1)..second]), shape[second], Product(shape[(second + 1)..]));
            return (first, second, blocks);
        }

        private static int Product(ReadOnlySpan<int> dimensions)
        {
            var product = 1;
            foreach (var dimension in dimensions)
            {
                product *= dimension;
            }

            return product;
        }
    }

    /// <summary>
    /// A tensor seen as [outer, P, middle, Q, inner] whose P and Q axes are swapped: contiguous runs of inner elements
    /// move from (o, i, m, j) to (o, j, m, i).
    /// </summary>
    internal readonly record struct SwapBlocks(int Outer, int P, int Middle, int Q, int Inner)
    {
        /// <summary>y (+)= x with the axes swapped.</summary>
        public void Copy<T>(ReadOnlySpan<T> x, Span<T> y, bool accumulate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (var o = 0; o < Outer; o++)
            {
                for (var i = 0; i < P; i++)
                {
                    for (var m = 0; m < Middle; m++)
                    {
                        for (var j = 0; j < Q; j++)
                        {
                            var from = ((((((o * P) + i) * Middle) + m) * Q) + j) * Inner;
                            var to = ((((((o * Q) + j) * Middle) + m) * P) + i) * Inner;
                            if (Inner == 1)
                            {
                                y[to] = accumulate ? y[to] + x[from] : x[from];
                            }
                            else if (accumulate)
                            {
                                TensorPrimitives.Add<T>(y.Slice(to, Inner), x.Slice(from, Inner), y.Slice(to, Inner));
                            }
                            else
                            {
                                x.Slice(from, Inner).CopyTo(y.Slice(to, Inner));
                            }
                        }
                    }
                }
            }
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = x with two axes swapped: ∂L/∂x = dy with the same two axes swapped back.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.SwapAxes))]
        public static void SwapAxesPullback<T>(int axis0, int axis1, DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var swap = SwapOf(nameof(SwapAxesPullback), dResult, axis0, axis1);
            if (dx is null)
            {
                return;
            }

            Span<int> shape = stackalloc int[dResult.Rank];
            dResult.Shape.CopyTo(shape);
            (shape[swap.First], shape[swap.Second]) = (shape[swap.Second], shape[swap.First]);
            if (!dx.HasShape(shape))
            {
                throw new ArgumentException($"{nameof(SwapAxesPullback)}: the gradient {dx.ShapeText} is not dResult {dResult.ShapeText} with axes {axis0} and {axis1} swapped.");
            }

            swap.Blocks.Copy(dResult.Span, dx.Span, accumulate: true);
        }

        /// <summary>y = x with two axes swapped: ẏ = ẋ with the same axes swapped.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.SwapAxes))]
        public static void SwapAxesPushforward<T>(DTensor<T> x, int axis0, int axis1, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            SwapTangent(nameof(SwapAxesPushforward), x, axis0, axis1, dx, dResult);

        /// <summary>dResult = ẋ with axes axis0 and axis1 swapped (zero for a null ẋ), after checking the shapes against x.</summary>
        private static void SwapTangent<T>(string rule, DTensor<T> x, int axis0, int axis1, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var swap = SwapOf(rule, x, axis0, axis1);
            Span<int> shape = stackalloc int[x.Rank];
            x.Shape.CopyTo(shape);
            (shape[swap.First], shape[swap.Second]) = (shape[swap.Second], shape[swap.First]);
            Check.ResultTangent(rule, dResult, shape);
            Check.Tangent(rule, dx, x);
            if (dx is null)
            {
                dResult.Clear();
            }
            else
            {
                swap.Blocks.Copy(dx.Span, dResult.Span, accumulate: false);
            }
        }
    }
}
