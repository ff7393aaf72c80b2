using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = a ⊙ b, the elementwise product; b may broadcast as in <see cref="Subtract{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> Multiply<T>(DTensor<T> a, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Multiply(a, b, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Multiply{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> Multiply<T>(DTensor<T> a, DTensor<T> b, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var same = Broadcast.Check(nameof(Multiply), a, b);
            var y = Buffers.Ensure(ref destination, a.Shape);
            if (same)
            {
                TensorPrimitives.Multiply<T>(a.Span, b.Span, y.Span);
            }
            else
            {
                Broadcast.Apply(Elementwise.Multiply, a, a.Span, b, y.Span);
            }

            return y;
        }

        /// <summary>y = s · a, every element scaled by s.</summary>
        public static DTensor<T> Multiply<T>(DTensor<T> a, T s)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Multiply(a, s, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Multiply{T}(DTensor{T}, T)"/>.</summary>
        public static DTensor<T> Multiply<T>(DTensor<T> a, T s, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Multiply<T>(a.Span, s, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = a ⊙ b: ∂y/∂a = b, ∂y/∂b = a; a broadcast b gets dy ⊙ a summed over the axes it was repeated along.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Multiply))]
        public static void MultiplyPullback<T>(DTensor<T> a, DTensor<T> b, DTensor<T> dResult, DTensor<T>? da, DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(MultiplyPullback), a, dResult);
            var same = Broadcast.Check(nameof(MultiplyPullback), a, b);
            Check.Gradient(nameof(MultiplyPullback), da, a);
            Check.Gradient(nameof(MultiplyPullback), db, b);
            if (same)
            {
                if (da is not null)
                {
                    TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, b.Span, da.Span, da.Span);
                }

                if (db is not null)
                {
                    TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, a.Span, db.Span, db.Span);
                }

                return;
            }

            var scratch = Scratch<T>.Get(dResult.Length);
            if (da is not null)
            {
                Broadcast.Apply(Elementwise.Multiply, dResult, dResult.Span, b, scratch);
                TensorPrimitives.Add<T>(da.Span, scratch, da.Span);
            }

            if (db is not null)
            {
                TensorPrimitives.Multiply<T>(dResult.Span, a.Span, scratch);
                Broadcast.Reduce(a, scratch, db, T.One);
            }
        }

        /// <summary>y = a ⊙ b: ẏ = ȧ ⊙ b + a ⊙ ḃ, a broadcast b and ḃ repeated as b is.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Multiply))]
        public static void MultiplyPushforward<T>(DTensor<T> a, DTensor<T> b, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!Broadcast.Check(nameof(MultiplyPushforward), a, b))
            {
                Check.ResultTangent(nameof(MultiplyPushforward), dResult, a.Shape);
                Check.Tangent(nameof(MultiplyPushforward), da, a);
                Check.Tangent(nameof(MultiplyPushforward), db, b);
                if (BothZero(da, db, dResult))
                {
                    return;
                }

                if (da is null)
                {
                    Broadcast.Apply(Elementwise.Multiply, a, a.Span, db!, dResult.Span);
                    return;
                }

                Broadcast.Apply(Elementwise.Multiply, a, da.Span, b, dResult.Span);
                if (db is not null)
                {
                    var scaled = Scratch<T>.Get(a.Length);
                    Broadcast.Apply(Elementwise.Multiply, a, a.Span, db, scaled);
                    TensorPrimitives.Add<T>(dResult.Span, scaled, dResult.Span);
                }

                return;
            }

            if (!ElementwiseTangents(nameof(MultiplyPushforward), a, b, da, db, dResult))
            {
                return;
            }

            if (db is null)
            {
                TensorPrimitives.Multiply<T>(da!.Span, b.Span, dResult.Span);
                return;
            }

            var product = Scratch<T>.Get(a.Length);
            TensorPrimitives.Multiply<T>(a.Span, db.Span, product);
            if (da is null)
            {
                product.CopyTo(dResult.Span);
            }
            else
            {
                TensorPrimitives.FusedMultiplyAdd<T>(da.Span, b.Span, product, dResult.Span);
            }
        }

        /// <summary>y = s · a: ∂y/∂a = s, ∂y/∂s = Σ a ⊙ dy.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Multiply))]
        public static void MultiplyPullback<T>(DTensor<T> a, T s, DTensor<T> dResult, DTensor<T>? da, ref T ds)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            Check.SameShape(nameof(MultiplyPullback), a, dResult);
            Check.Gradient(nameof(MultiplyPullback), da, dResult);
            if (da is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, s, da.Span, da.Span);
            }

            ds += TensorPrimitives.Dot<T>(a.Span, dResult.Span);
        }

        /// <summary>y = s · a: ẏ = s·ȧ + ṡ·a.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Multiply))]
        public static void MultiplyPushforward<T>(DTensor<T> a, T s, DTensor<T>? da, T ds, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ScaledSumTangent(nameof(MultiplyPushforward), da, s, a, ds, dResult);
        }

        /// <summary>
        /// da += dResult ⊙ b and db += dResult ⊙ a (summed over a broadcast b's repeats) are bilinear: their tangents are the
        /// pullback along vdResult plus the pullback of dResult with ḃ in b's place (for da) and ȧ in a's place (for db).
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Multiply))]
        public static void MultiplyPullbackTangent<T>(
            DTensor<T> a, DTensor<T> b, DTensor<T> dResult, DTensor<T>? va, DTensor<T>? vb, DTensor<T> vdResult, DTensor<T>? vda, DTensor<T>? vdb)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(MultiplyPullbackTangent), a, dResult);
            Check.Tangent(nameof(MultiplyPullbackTangent), va, a);
            Check.Tangent(nameof(MultiplyPullbackTangent), vb, b);
            MultiplyPullback(a, b, vdResult, vda, vdb); // checks the rest before it writes
            var (intoA, intoB) = (vb is null ? null : vda, va is null ? null : vdb);
            if (intoA is not null || intoB is not null)
            {
                MultiplyPullback(va ?? a, vb ?? b, dResult, intoA, intoB);
            }
        }

        /// <summary>da += s·dResult and ds += ⟨a, dResult⟩: their tangents are ṡ·dResult + s·vdResult and ⟨ȧ, dResult⟩ + ⟨a, vdResult⟩.</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Multiply))]
        public static void MultiplyPullbackTangent<T>(DTensor<T> a, T s, DTensor<T> dResult, DTensor<T>? va, T vs, DTensor<T> vdResult, DTensor<T>? vda, ref T vds)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(MultiplyPullbackTangent), a, dResult);
            Check.Tangent(nameof(MultiplyPullbackTangent), va, a);
            MultiplyPullback(a, s, vdResult, vda, ref vds); // checks the rest before it writes
            if (vda is not null)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, vs, vda.Span, vda.Span);
            }

            if (va is not null)
            {
                vds += TensorPrimitives.Dot<T>(va.Span, dResult.Span);
            }
        }
    }
}
