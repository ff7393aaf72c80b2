using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = a + b, elementwise; b may broadcast as in <see cref="Subtract{T}(DTensor{T}, DTensor{T})"/>: per row
        /// ([n, 1], as MeanLastAxis(x, keepAxis: true) gives) or per column ([m], a bias; <see cref="AddRowBias{T}(DTensor{T}, DTensor{T})"/>
        /// says so in its name).
        /// </summary>
        public static DTensor<T> Add<T>(DTensor<T> a, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Add(a, b, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Add{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> Add<T>(DTensor<T> a, DTensor<T> b, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var same = Broadcast.Check(nameof(Add), a, b);
            var y = Buffers.Ensure(ref destination, a.Shape);
            if (same)
            {
                TensorPrimitives.Add<T>(a.Span, b.Span, y.Span);
            }
            else
            {
                Broadcast.Apply(Elementwise.Add, a, a.Span, b, y.Span);
            }

            return y;
        }

        /// <summary>y = a + s, with the scalar s added to every element.</summary>
        public static DTensor<T> Add<T>(DTensor<T> a, T s)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Add(a, s, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Add{T}(DTensor{T}, T)"/>.</summary>
        public static DTensor<T> Add<T>(DTensor<T> a, T s, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Add<T>(a.Span, s, y.Span);
            return y;
        }


        /// <summary>target += source (shapes must match); a null target is skipped. Shared by the rules.</summary>
        internal static void Accumulate<T>(string op, DTensor<T>? target, DTensor<T> source)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(source);
            if (target is null)
            {
                return;
            }

            Check.SameShape(op, target, source);
            TensorPrimitives.Add<T>(target.Span, source.Span, target.Span);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = a + b: ∂y/∂a = 1, ∂y/∂b = 1; a broadcast b gets dy summed over the axes it was repeated along. Generated
        /// code passes dy itself on as b's gradient when b has its shape (<see cref="Buffers.PassThrough{T}(DTensor{T}, DTensor{T}, ref DTensor{T})"/>).
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Add))]
        public static void AddPullback<T>(DTensor<T> dResult, [PassThrough, SameShapeAs(nameof(dResult))] DTensor<T>? da, [PassThrough] DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(AddPullback), da, dResult);
            var same = db is null || Broadcast.Check(nameof(AddPullback), dResult, db);
            Accumulate(nameof(AddPullback), da, dResult);
            if (db is null)
            {
                return;
            }

            if (same)
            {
                TensorPrimitives.Add<T>(db.Span, dResult.Span, db.Span);
            }
            else
            {
                Broadcast.Reduce(dResult, dResult.Span, db, T.One);
            }
        }

        /// <summary>y = a + b: ẏ = ȧ + ḃ, a broadcast ḃ (b's shape) repeated as b is.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Add))]
        public static void AddPushforward<T>(DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            if (db is null || Broadcast.Check(nameof(AddPushforward), dResult, db))
            {
                CombineTangents(nameof(AddPushforward), da, db, T.One, dResult);
                return;
            }

            BroadcastTangent(nameof(AddPushforward), Elementwise.Add, da, db, dResult);
        }

        /// <summary>ẏ = ȧ (op) ḃ with ḃ broadcast as b is (a null ȧ is zero): the pushforward of Add and Subtract.</summary>
        private static void BroadcastTangent<T>(string op, Elementwise combine, DTensor<T>? da, DTensor<T> db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Tangent(op, da, dResult);
            if (da is null)
            {
                dResult.Clear();
            }
            else
            {
                da.Span.CopyTo(dResult.Span);
            }

            Broadcast.Apply(combine, dResult, dResult.Span, db, dResult.Span);
        }

        /// <summary>y = a + s: ∂y/∂a = 1, ∂y/∂s = Σ dy.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Add))]
        public static void AddPullback<T>(DTensor<T> dResult, [PassThrough, SameShapeAs(nameof(dResult))] DTensor<T>? da, ref T ds)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            Accumulate(nameof(AddPullback), da, dResult);
            ds += TensorPrimitives.Sum<T>(dResult.Span);
        }

        /// <summary>y = a + s: ẏ = ȧ + ṡ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Add))]
        public static void AddPushforward<T>(DTensor<T>? da, T ds, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            OffsetTangent(nameof(AddPushforward), da, ds, dResult);
        }
    }
}
