using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = a ⊘ b, the elementwise quotient; b may broadcast as in <see cref="Subtract{T}(DTensor{T}, DTensor{T})"/> (x / std).</summary>
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
            var same = Broadcast.Check(nameof(Divide), a, b);
            var y = Buffers.Ensure(ref destination, a.Shape);
            if (same)
            {
                TensorPrimitives.Divide<T>(a.Span, b.Span, y.Span);
            }
            else
            {
                Broadcast.Apply(Elementwise.Divide, a, a.Span, b, y.Span);
            }

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
        /// <summary>
        /// y = a ⊘ b: ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b (reuses y, so a is not kept); a broadcast b gets −dy ⊙ y / b
        /// summed over the axes it was repeated along.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Divide))]
        public static void DividePullback<T>(DTensor<T> b, DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? da, DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(DividePullback), dResult, result);
            var same = Broadcast.Check(nameof(DividePullback), dResult, b);
            Check.Gradient(nameof(DividePullback), da, dResult);
            Check.Gradient(nameof(DividePullback), db, b);
            var scratch = Scratch<T>.Get(dResult.Length);
            if (da is not null)
            {
                Broadcast.Apply(Elementwise.Divide, dResult, dResult.Span, b, scratch);
                TensorPrimitives.Add<T>(da.Span, scratch, da.Span);
            }

            if (db is not null)
            {
                TensorPrimitives.Multiply<T>(result.Span, dResult.Span, scratch);
                Broadcast.Apply(Elementwise.Divide, dResult, scratch, b, scratch);
                if (same)
                {
                    TensorPrimitives.Subtract<T>(db.Span, scratch, db.Span);
                }
                else
                {
                    Broadcast.Reduce(dResult, scratch, db, -T.One);
                }
            }
        }

        /// <summary>y = a ⊘ b: ẏ = (ȧ − y ⊙ ḃ) ⊘ b, a broadcast b and ḃ repeated as b is (reuses y, so a is not kept).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Divide))]
        public static void DividePushforward<T>(DTensor<T> b, DTensor<T> result, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Broadcast.Check(nameof(DividePushforward), result, b);
            Check.ResultTangent(nameof(DividePushforward), dResult, result.Shape);
            Check.Tangent(nameof(DividePushforward), da, result);
            Check.Tangent(nameof(DividePushforward), db, b);
            if (BothZero(da, db, dResult))
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
                Broadcast.Apply(Elementwise.Multiply, result, result.Span, db, numerator);
                if (da is null)
                {
                    TensorPrimitives.Negate<T>(numerator, numerator);
                }
                else
                {
                    TensorPrimitives.Subtract<T>(da.Span, numerator, numerator);
                }
            }

            Broadcast.Apply(Elementwise.Divide, result, numerator, b, dResult.Span);
        }

        /// <summary>
        /// da += dy ⊘ b and db −= dy ⊙ y ⊘ b (summed over a broadcast b's repeats): their tangents are the pullback along
        /// vdResult, plus −dy ⊙ ḃ ⊘ b² for da and (dy ⊘ b) ⊙ (y ⊙ ḃ ⊘ b − ẏ) for db, with ẏ the result's tangent and ḃ
        /// repeated as b is.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Divide))]
        public static void DividePullbackTangent<T>(
            DTensor<T> b, DTensor<T> result, DTensor<T> dResult, DTensor<T>? vb, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vda, DTensor<T>? vdb)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(DividePullbackTangent), dResult, result);
            Check.SameShape(nameof(DividePullbackTangent), vdResult, result);
            var same = Broadcast.Check(nameof(DividePullbackTangent), result, b);
            Check.Tangent(nameof(DividePullbackTangent), vb, b);
            Check.Tangent(nameof(DividePullbackTangent), vresult, result);
            Check.Gradient(nameof(DividePullbackTangent), vda, result);
            Check.Gradient(nameof(DividePullbackTangent), vdb, b);
            DividePullback(b, result, vdResult, vda, vdb);
            if ((vb is null || vda is null) && (vdb is null || (vb is null && vresult is null)))
            {
                return;
            }

            var n = result.Length;
            var scratch = Scratch<T>.Get(2 * n); // after the pullback, which uses the scratch too
            var quotient = scratch[..n];
            var curvature = scratch[n..];
            Broadcast.Apply(Elementwise.Divide, result, dResult.Span, b, quotient); // dy ⊘ b
            if (vb is null)
            {
                curvature.Clear();
            }
            else
            {
                Broadcast.Apply(Elementwise.Divide, result, quotient, b, curvature);
                Broadcast.Apply(Elementwise.Multiply, result, curvature, vb, curvature); // dy ⊙ ḃ ⊘ b²
                if (vda is not null)
                {
                    TensorPrimitives.Subtract<T>(vda.Span, curvature, vda.Span);
                }
            }

            if (vdb is null)
            {
                return;
            }

            TensorPrimitives.Multiply<T>(result.Span, curvature, curvature);
            if (vresult is not null)
            {
                TensorPrimitives.Multiply<T>(vresult.Span, quotient, quotient);
                TensorPrimitives.Subtract<T>(curvature, quotient, curvature);
            }

            if (same)
            {
                TensorPrimitives.Add<T>(vdb.Span, curvature, vdb.Span);
            }
            else
            {
                Broadcast.Reduce(result, curvature, vdb, T.One);
            }
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

        /// <summary>
        /// da += dy / s and ds −= ⟨y, dy⟩ / s: their tangents are the pullback along vdResult, plus −ṡ·dy / s² for da and
        /// (ṡ·⟨y, dy⟩ / s − ⟨ẏ, dy⟩) / s for ds, with ẏ the result's tangent.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Divide))]
        public static void DividePullbackTangent<T>(
            T s, DTensor<T> result, DTensor<T> dResult, T vs, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vda, ref T vds)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(DividePullbackTangent), dResult, result);
            Check.SameShape(nameof(DividePullbackTangent), vdResult, result);
            Check.Tangent(nameof(DividePullbackTangent), vresult, result);
            Check.Gradient(nameof(DividePullbackTangent), vda, result);
            DividePullback(s, result, vdResult, vda, ref vds);
            if (vda is not null && vs != T.Zero)
            {
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, -vs / (s * s), vda.Span, vda.Span);
            }

            var moved = vs * TensorPrimitives.Dot<T>(result.Span, dResult.Span) / s;
            if (vresult is not null)
            {
                moved -= TensorPrimitives.Dot<T>(vresult.Span, dResult.Span);
            }

            vds += moved / s;
        }
    }
}
