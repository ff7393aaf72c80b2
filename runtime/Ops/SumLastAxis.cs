using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y[i] = Σⱼ x[i, j]: sums along the last axis, which is removed from the shape.</summary>
        public static DTensor<T> SumLastAxis<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return SumLastAxis(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="SumLastAxis{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> SumLastAxis<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var y = Buffers.Ensure(ref destination, LeadingShape(nameof(SumLastAxis), x));
            ReduceRows(x, y, T.One);
            return y;
        }

        /// <summary>y[i] = (1/m) Σⱼ x[i, j]: averages along the last axis (of length m), which is removed.</summary>
        public static DTensor<T> MeanLastAxis<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return MeanLastAxis(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="MeanLastAxis{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> MeanLastAxis<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var y = Buffers.Ensure(ref destination, LeadingShape(nameof(MeanLastAxis), x));
            ReduceRows(x, y, T.One / T.CreateChecked(x.Dimension(-1)));
            return y;
        }

        /// <summary>
        /// y[i, 0] = Σⱼ x[i, j] when <paramref name="keepAxis"/>: the last axis stays, with length 1, so that y broadcasts
        /// against x (x − y); otherwise as <see cref="SumLastAxis{T}(DTensor{T})"/>.
        /// </summary>
        public static DTensor<T> SumLastAxis<T>(DTensor<T> x, bool keepAxis)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return SumLastAxis(x, keepAxis, ref y);
        }

        /// <summary>Destination-passing form of <see cref="SumLastAxis{T}(DTensor{T}, bool)"/>.</summary>
        public static DTensor<T> SumLastAxis<T>(DTensor<T> x, bool keepAxis, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Span<int> shape = stackalloc int[Math.Max(1, x.Rank)];
            var y = Buffers.Ensure(ref destination, ReducedShape(nameof(SumLastAxis), x, keepAxis, shape));
            ReduceRows(x, y, T.One);
            return y;
        }

        /// <summary>
        /// y[i, 0] = (1/m) Σⱼ x[i, j] when <paramref name="keepAxis"/>: the last axis stays, with length 1 (x − mean);
        /// otherwise as <see cref="MeanLastAxis{T}(DTensor{T})"/>.
        /// </summary>
        public static DTensor<T> MeanLastAxis<T>(DTensor<T> x, bool keepAxis)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return MeanLastAxis(x, keepAxis, ref y);
        }

        /// <summary>Destination-passing form of <see cref="MeanLastAxis{T}(DTensor{T}, bool)"/>.</summary>
        public static DTensor<T> MeanLastAxis<T>(DTensor<T> x, bool keepAxis, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Span<int> shape = stackalloc int[Math.Max(1, x.Rank)];
            var y = Buffers.Ensure(ref destination, ReducedShape(nameof(MeanLastAxis), x, keepAxis, shape));
            ReduceRows(x, y, T.One / T.CreateChecked(x.Dimension(-1)));
            return y;
        }

        /// <summary>x's shape without its last axis, or with it as 1 when <paramref name="keepAxis"/>, written into <paramref name="shape"/>.</summary>
        private static ReadOnlySpan<int> ReducedShape<T>(string op, DTensor<T> x, bool keepAxis, Span<int> shape)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var leading = LeadingShape(op, x);
            leading.CopyTo(shape);
            shape[^1] = 1;
            return keepAxis ? shape : shape[..leading.Length];
        }

        internal static ReadOnlySpan<int> LeadingShape<T>(string op, DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Check.AtLeastRank(op, x, 1, "x");
            return x.Shape[..^1];
        }

        /// <summary>y[i] = scale · Σⱼ x[i, j].</summary>
        internal static void ReduceRows<T>(DTensor<T> x, DTensor<T> y, T scale)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var columns = x.Dimension(-1);
            var input = x.Span;
            var output = y.Span;
            for (var row = 0; row < output.Length; row++)
            {
                output[row] = scale * TensorPrimitives.Sum<T>(input.Slice(row * columns, columns));
            }
        }

        /// <summary>dx[i, j] += scale · dy[i].</summary>
        internal static void BroadcastRows<T>(DTensor<T> dy, DTensor<T> dx, T scale)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var columns = dx.Dimension(-1);
            var gradient = dy.Span;
            var output = dx.Span;
            for (var row = 0; row < gradient.Length; row++)
            {
                var slice = output.Slice(row * columns, columns);
                TensorPrimitives.Add<T>(slice, scale * gradient[row], slice);
            }
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y[i] = Σⱼ x[i, j] (its axis removed or kept): ∂y[i]/∂x[i, j] = 1.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.SumLastAxis))]
        public static void SumLastAxisPullback<T>(DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dx is not null)
            {
                LastAxisGradient(nameof(SumLastAxisPullback), dResult, dx);
                BroadcastRows(dResult, dx, T.One);
            }
        }

        /// <summary>y[i] = Σⱼ x[i, j] (its axis removed or kept): ẏ[i] = Σⱼ ẋ[i, j].</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.SumLastAxis))]
        public static void SumLastAxisPushforward<T>(DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            LastAxisTangent(nameof(SumLastAxisPushforward), x, dx, dResult, T.One);
        }

        /// <summary>y[i] = (1/m) Σⱼ x[i, j] (its axis removed or kept): ∂y[i]/∂x[i, j] = 1/m.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.MeanLastAxis))]
        public static void MeanLastAxisPullback<T>(DTensor<T> dResult, DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dx is not null)
            {
                LastAxisGradient(nameof(MeanLastAxisPullback), dResult, dx);
                BroadcastRows(dResult, dx, dx.Dimension(-1) == 0 ? T.Zero : T.One / T.CreateChecked(dx.Dimension(-1)));
            }
        }

        /// <summary>y[i] = (1/m) Σⱼ x[i, j] (its axis removed or kept): ẏ[i] = (1/m) Σⱼ ẋ[i, j].</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.MeanLastAxis))]
        public static void MeanLastAxisPushforward<T>(DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var columns = x.Rank == 0 ? 1 : x.Dimension(-1);
            LastAxisTangent(nameof(MeanLastAxisPushforward), x, dx, dResult, columns == 0 ? T.Zero : T.One / T.CreateChecked(columns));
        }

        /// <summary>
        /// Checks that <paramref name="dx"/> has dResult's shape plus a last axis, or (a reduction that kept its axis)
        /// dResult's shape with the last axis longer than 1.
        /// </summary>
        private static void LastAxisGradient<T>(string op, DTensor<T> dResult, DTensor<T> dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            var removed = dx.Rank > 0 && dx.Shape[..^1].SequenceEqual(dResult.Shape);
            var kept = dx.Rank > 0 && dResult.Rank == dx.Rank && dResult.Dimension(-1) == 1 && dx.Shape[..^1].SequenceEqual(dResult.Shape[..^1]);
            if (!removed && !kept)
            {
                throw new ArgumentException($"{op}: the gradient {dx.ShapeText} is not dResult's shape {dResult.ShapeText} plus a last axis, nor that shape with its last axis of 1 widened.");
            }
        }

        /// <summary>
        /// dResult[i] = scale · Σⱼ dx[i, j] (zero for a null dx), after checking the shapes against x: dResult has x's
        /// shape without its last axis, or (a reduction that kept its axis) with it as 1.
        /// </summary>
        private static void LastAxisTangent<T>(string rule, DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult, T scale)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var leading = LeadingShape(rule, x);
            ArgumentNullException.ThrowIfNull(dResult);
            if (dResult.Rank != x.Rank || !dResult.Shape[..^1].SequenceEqual(leading) || dResult.Dimension(-1) != 1)
            {
                Check.ResultTangent(rule, dResult, leading);
            }

            Check.Tangent(rule, dx, x);
            if (dx is null)
            {
                dResult.Clear();
            }
            else
            {
                ReduceRows(dx, dResult, scale);
            }
        }
    }
}
