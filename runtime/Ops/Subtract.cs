using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = a − b, elementwise; the shapes must match.</summary>
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
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            Check.SameShape(nameof(Subtract), a, b);
            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Subtract<T>(a.Span, b.Span, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = a − b: ∂y/∂a = 1, ∂y/∂b = −1.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Subtract))]
        public static void SubtractPullback<T>(DTensor<T> dResult, [PassThrough, SameShapeAs(nameof(dResult))] DTensor<T>? da, [SameShapeAs(nameof(dResult))] DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(SubtractPullback), da, dResult);
            Check.Gradient(nameof(SubtractPullback), db, dResult);
            Accumulate(nameof(SubtractPullback), da, dResult);
            if (db is not null)
            {
                TensorPrimitives.Subtract<T>(db.Span, dResult.Span, db.Span);
            }
        }

        /// <summary>y = a − b: ẏ = ȧ − ḃ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Subtract))]
        public static void SubtractPushforward<T>(DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            CombineTangents(nameof(SubtractPushforward), da, db, T.NegativeOne, dResult);
        }
    }
}
