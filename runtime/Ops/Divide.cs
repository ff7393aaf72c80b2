using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = a ⊘ b, the elementwise quotient; the shapes must match.</summary>
        public static DTensor<T> Divide<T>(DTensor<T> a, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Divide(a, b, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Divide{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> Divide<T>(DTensor<T> a, DTensor<T> b, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            Check.SameShape(nameof(Divide), a, b);
            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Divide<T>(a.Span, b.Span, y.Span);
            return y;
        }

        /// <summary>y = a / s, every element divided by the scalar s.</summary>
        public static DTensor<T> Divide<T>(DTensor<T> a, T s)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Divide(a, s, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Divide{T}(DTensor{T}, T)"/>.</summary>
        public static DTensor<T> Divide<T>(DTensor<T> a, T s, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Divide<T>(a.Span, s, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = a ⊘ b: ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b (reuses y, so a is not kept).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Divide))]
        public static void DividePullback<T>(DTensor<T> b, DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? da, [SameShapeAs(nameof(dResult))] DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(b);
            ArgumentNullException.ThrowIfNull(result);
            Check.SameShape(nameof(DividePullback), dResult, b);
            Check.SameShape(nameof(DividePullback), dResult, result);
            Check.Gradient(nameof(DividePullback), da, dResult);
            Check.Gradient(nameof(DividePullback), db, dResult);
            var scratch = Scratch<T>.Get(dResult.Length);
            if (da is not null)
            {
                TensorPrimitives.Divide<T>(dResult.Span, b.Span, scratch);
                TensorPrimitives.Add<T>(da.Span, scratch, da.Span);
            }

            if (db is not null)
            {
                TensorPrimitives.Divide<T>(result.Span, b.Span, scratch);
                TensorPrimitives.Multiply<T>(scratch, dResult.Span, scratch);
                TensorPrimitives.Subtract<T>(db.Span, scratch, db.Span);
            }
        }

        /// <summary>y = a ⊘ b: ẏ = (ȧ − y ⊙ ḃ) ⊘ b (reuses y, so a is not kept).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Divide))]
        public static void DividePushforward<T>(DTensor<T> b, DTensor<T> result, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwiseTangents(nameof(DividePushforward), result, b, da, db, dResult))
            {
                return;
            }

            var numerator = Scratch<T>.Get(result.Length);
            if (db is null)
            {
                da!.Span.CopyTo(numerator);
            }
            else
            {
                TensorPrimitives.Multiply<T>(result.Span, db.Span, numerator);
                if (da is null)
                {
                    TensorPrimitives.Negate<T>(numerator, numerator);
                }
                else
                {
                    TensorPrimitives.Subtract<T>(da.Span, numerator, numerator);
                }
            }

            TensorPrimitives.Divide<T>(numerator, b.Span, dResult.Span);
        }

        /// <summary>y = a / s: ∂y/∂a = 1/s, ∂y/∂s = −Σ y ⊙ dy / s.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Divide))]
        public static void DividePullback<T>(T s, DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? da, ref T ds)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(result);
            Check.SameShape(nameof(DividePullback), dResult, result);
            Check.Gradient(nameof(DividePullback), da, dResult);
            if (da is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, T.One / s, da.Span, da.Span);
            }

            ds -= TensorPrimitives.Dot<T>(result.Span, dResult.Span) / s;
        }

        /// <summary>y = a / s: ẏ = (ȧ − ṡ·y) / s (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Divide))]
        public static void DividePushforward<T>(T s, DTensor<T> result, DTensor<T>? da, T ds, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ScaledSumTangent(nameof(DividePushforward), da, T.One / s, result, -ds / s, dResult);
        }
    }
}
