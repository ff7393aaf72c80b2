using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = a + b, elementwise; the shapes must match (a broadcast second operand: <see cref="AddRowBias{T}(DTensor{T}, DTensor{T})"/>
        /// for a bias per column, <see cref="Subtract{T}(DTensor{T}, DTensor{T})"/> of the negation otherwise).
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
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            if (!a.HasSameShape(b))
            {
                // Add keeps to equal shapes so that its rule can hand both inputs the result's gradient unchanged.
                throw new ArgumentException(
                    $"Add: shapes {a.ShapeText} and {b.ShapeText} differ. Add needs equal shapes; to add a per-column b ([m]) to every row use AddRowBias(a, b), and to broadcast any other b use Subtract(a, Negate(b)), whose second operand broadcasts.");
            }

            var y = Buffers.Ensure(ref destination, a.Shape);
            TensorPrimitives.Add<T>(a.Span, b.Span, y.Span);
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
        /// <summary>y = a + b: ∂y/∂a = 1, ∂y/∂b = 1.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Add))]
        public static void AddPullback<T>(DTensor<T> dResult, [PassThrough, SameShapeAs(nameof(dResult))] DTensor<T>? da, [PassThrough, SameShapeAs(nameof(dResult))] DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(AddPullback), da, dResult);
            Check.Gradient(nameof(AddPullback), db, dResult);
            Accumulate(nameof(AddPullback), da, dResult);
            Accumulate(nameof(AddPullback), db, dResult);
        }

        /// <summary>y = a + b: ẏ = ȧ + ḃ.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Add))]
        public static void AddPushforward<T>(DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            CombineTangents(nameof(AddPushforward), da, db, T.One, dResult);
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
