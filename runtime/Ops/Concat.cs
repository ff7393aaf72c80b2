using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = [a, b] along the last axis: y[.., :p] = a, y[.., p:] = b; the leading dimensions must match.</summary>
        public static DTensor<T> Concat<T>(DTensor<T> a, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Concat(a, b, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Concat{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> Concat<T>(DTensor<T> a, DTensor<T> b, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (p, q) = ConcatWidths(nameof(Concat), a, b);
            Span<int> shape = stackalloc int[a.Rank];
            a.Shape.CopyTo(shape);
            shape[^1] = p + q;
            var y = Buffers.Ensure(ref destination, shape);
            var output = y.Span;
            for (var row = 0; row * (p + q) < output.Length; row++)
            {
                a.Span.Slice(row * p, p).CopyTo(output.Slice(row * (p + q), p));
                b.Span.Slice(row * q, q).CopyTo(output.Slice((row * (p + q)) + p, q));
            }

            return y;
        }

        internal static (int P, int Q) ConcatWidths<T>(string op, DTensor<T> a, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            if (a.Rank == 0 || a.Rank != b.Rank || !a.Shape[..^1].SequenceEqual(b.Shape[..^1]))
            {
                throw new ArgumentException($"{op}: shapes {a.ShapeText} and {b.ShapeText} differ in more than the last dimension.");
            }

            return (a.Dimension(-1), b.Dimension(-1));
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = [a, b]: ∂L/∂a = dy[.., :p], ∂L/∂b = dy[.., p:].</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Concat))]
        public static void ConcatPullback<T>(DTensor<T> a, DTensor<T> b, DTensor<T> dResult, DTensor<T>? da, DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (p, q) = ConcatGradient(nameof(ConcatPullback), a, b, dResult, "dResult");

            Check.Gradient(nameof(ConcatPullback), da, a);
            Check.Gradient(nameof(ConcatPullback), db, b);
            var gradient = dResult.Span;
            for (var row = 0; row * (p + q) < gradient.Length; row++)
            {
                if (da is not null)
                {
                    var slice = da.Span.Slice(row * p, p);
                    TensorPrimitives.Add<T>(slice, gradient.Slice(row * (p + q), p), slice);
                }

                if (db is not null)
                {
                    var slice = db.Span.Slice(row * q, q);
                    TensorPrimitives.Add<T>(slice, gradient.Slice((row * (p + q)) + p, q), slice);
                }
            }
        }

        /// <summary>y = [a, b]: ẏ = [ȧ, ḃ] along the last axis.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Concat))]
        public static void ConcatPushforward<T>(DTensor<T> a, DTensor<T> b, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (p, q) = ConcatWidths(nameof(ConcatPushforward), a, b);
            Span<int> shape = stackalloc int[a.Rank];
            a.Shape.CopyTo(shape);
            shape[^1] = p + q;
            Check.ResultTangent(nameof(ConcatPushforward), dResult, shape);
            Check.Tangent(nameof(ConcatPushforward), da, a);
            Check.Tangent(nameof(ConcatPushforward), db, b);
            var output = dResult.Span;
            for (var row = 0; row * (p + q) < output.Length; row++)
            {
                CopyRow(da, row * p, output.Slice(row * (p + q), p));
                CopyRow(db, row * q, output.Slice((row * (p + q)) + p, q));
            }

            static void CopyRow(DTensor<T>? tangent, int start, Span<T> destination)
            {
                if (tangent is null)
                {
                    destination.Clear();
                }
                else
                {
                    tangent.Span.Slice(start, destination.Length).CopyTo(destination);
                }
            }
        }

        /// <summary>
        /// The pullback reads a and b for their widths only, so it is linear in dResult with fixed coefficients: its tangent
        /// is itself along vdResult, [vda, vdb] += vdResult split as y was.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Concat))]
        public static void ConcatPullbackTangent<T>(DTensor<T> a, DTensor<T> b, DTensor<T> vdResult, DTensor<T>? vda, DTensor<T>? vdb)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ConcatGradient(nameof(ConcatPullbackTangent), a, b, vdResult, "dResult's tangent");
            Check.Gradient(nameof(ConcatPullbackTangent), vda, a);
            Check.Gradient(nameof(ConcatPullbackTangent), vdb, b);
            ConcatPullback(a, b, vdResult, vda, vdb);
        }

        /// <summary>The widths of a and b, after checking that <paramref name="gradient"/> is shaped like their concatenation.</summary>
        private static (int P, int Q) ConcatGradient<T>(string rule, DTensor<T> a, DTensor<T> b, DTensor<T> gradient, string what)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (p, q) = ConcatWidths(rule, a, b);
            ArgumentNullException.ThrowIfNull(gradient, what);
            if (gradient.Length != a.Length + b.Length || gradient.Dimension(-1) != p + q)
            {
                throw new ArgumentException($"{rule}: {what} {gradient.ShapeText} is not the concatenation of {a.ShapeText} and {b.ShapeText}.");
            }

            return (p, q);
        }
    }
}
