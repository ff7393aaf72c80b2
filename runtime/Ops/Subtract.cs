using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = a − b, elementwise; b may broadcast (see <see cref="Broadcast"/>): y[i, j] = a[i, j] − b[i, 0] for a
        /// per-row b ([n, 1], as MeanLastAxis(x, keepAxis: true) gives: x − mean), − b[j] for a per-column one ([m]).
        /// </summary>
        public static DTensor<T> Subtract<T>(DTensor<T> a, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Subtract(a, b, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Subtract{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> Subtract<T>(DTensor<T> a, DTensor<T> b, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var same = Broadcast.Check(nameof(Subtract), a, b);
            var y = Buffers.Ensure(ref destination, a.Shape);
            if (same)
            {
                TensorPrimitives.Subtract<T>(a.Span, b.Span, y.Span);
            }
            else
            {
                Broadcast.Apply(Elementwise.Subtract, a, a.Span, b, y.Span);
            }

            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = a − b: ∂y/∂a = 1, ∂y/∂b = −1; a broadcast b gets −dy summed over the axes it was repeated along.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Subtract))]
        public static void SubtractPullback<T>(DTensor<T> dResult, [PassThrough, SameShapeAs(nameof(dResult))] DTensor<T>? da, DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(SubtractPullback), da, dResult);
            var same = db is null || Broadcast.Check(nameof(SubtractPullback), dResult, db);
            Accumulate(nameof(SubtractPullback), da, dResult);
            if (db is null)
            {
                return;
            }

            if (same)
            {
                TensorPrimitives.Subtract<T>(db.Span, dResult.Span, db.Span);
            }
            else
            {
                Broadcast.Reduce(dResult, dResult.Span, db, -T.One);
            }
        }

        /// <summary>y = a − b: ẏ = ȧ − ḃ, a broadcast ḃ (b's shape) repeated as b is.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Subtract))]
        public static void SubtractPushforward<T>(DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            if (db is null || Broadcast.Check(nameof(SubtractPushforward), dResult, db))
            {
                CombineTangents(nameof(SubtractPushforward), da, db, T.NegativeOne, dResult);
                return;
            }

            BroadcastTangent(nameof(SubtractPushforward), Elementwise.Subtract, da, db, dResult);
        }
    }
}
