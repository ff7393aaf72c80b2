using System.Numerics;
using SymDiff.Kernels;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y = op(a)·op(b), the matrix product, where op(a) = aᵀ when <paramref name="transposeA"/> (and likewise for b):
        /// op(a) is m×k, op(b) is k×n, y is m×n.
        /// </summary>
        public static DTensor<T> MatMul<T>(DTensor<T> a, DTensor<T> b, bool transposeA = false, bool transposeB = false)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return MatMul(a, b, transposeA, transposeB, ref y);
        }

        /// <summary>Destination-passing form of <see cref="MatMul{T}(DTensor{T}, DTensor{T}, bool, bool)"/>.</summary>
        public static DTensor<T> MatMul<T>(DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, k, n) = MatMulShape(nameof(MatMul), a, b, transposeA, transposeB);
            var y = Buffers.Ensure(ref destination, [m, n]);
            Product(a, b, transposeA, transposeB, y, accumulate: false);
            return y;
        }

        internal static (int M, int K, int N) MatMulShape<T>(string op, DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            Check.Rank(op, a, 2, "a");
            Check.Rank(op, b, 2, "b");
            var (m, k) = transposeA ? (a.Dimension(1), a.Dimension(0)) : (a.Dimension(0), a.Dimension(1));
            var (kb, n) = transposeB ? (b.Dimension(1), b.Dimension(0)) : (b.Dimension(0), b.Dimension(1));
            if (k != kb)
            {
                throw new ArgumentException(
                    $"{op}: shapes {a.ShapeText}{(transposeA ? "ᵀ" : string.Empty)} and {b.ShapeText}{(transposeB ? "ᵀ" : string.Empty)} do not chain ({k} ≠ {kb}).");
            }

            return (m, k, n);
        }

        /// <summary>c (+)= op(a)·op(b) on the GEMM kernel.</summary>
        internal static void Product<T>(DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T> c, bool accumulate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, k, n) = MatMulShape(nameof(MatMul), a, b, transposeA, transposeB);
            if (!c.HasShape([m, n]))
            {
                throw new ArgumentException($"{nameof(MatMul)}: the product is [{m}, {n}] but the destination is {c.ShapeText}.");
            }

            Gemm.Multiply(
                transposeA, transposeB, m, n, k,
                a.Data, a.Offset, a.Dimension(1),
                b.Data, b.Offset, b.Dimension(1),
                c.Data, c.Offset, n,
                accumulate);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = op(a)·op(b): ∂L/∂op(a) = dy·op(b)ᵀ and ∂L/∂op(b) = op(a)ᵀ·dy, each written back through the transposes
        /// as one more matrix product accumulated into the gradient. Reads the inputs, never y.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.MatMul))]
        public static void MatMulPullback<T>(
            DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T> dResult, DTensor<T>? da, DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, _, n) = MatMulShape(nameof(MatMulPullback), a, b, transposeA, transposeB);
            ArgumentNullException.ThrowIfNull(dResult);
            if (!dResult.HasShape([m, n]))
            {
                throw new ArgumentException($"{nameof(MatMulPullback)}: dResult {dResult.ShapeText} is not the product's shape [{m}, {n}].");
            }

            Check.Gradient(nameof(MatMulPullback), da, a);
            Check.Gradient(nameof(MatMulPullback), db, b);
            ProductPullback(a, b, transposeA, transposeB, dResult, da, db, batched: false);
        }

        /// <summary>y = op(a)·op(b): ẏ = op(ȧ)·op(b) + op(a)·op(ḃ), two products on the GEMM kernel.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.MatMul))]
        public static void MatMulPushforward<T>(
            DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, _, n) = MatMulShape(nameof(MatMulPushforward), a, b, transposeA, transposeB);
            Check.ResultTangent(nameof(MatMulPushforward), dResult, [m, n]);
            Check.Tangent(nameof(MatMulPushforward), da, a);
            Check.Tangent(nameof(MatMulPushforward), db, b);
            ProductPushforward(a, b, transposeA, transposeB, da, db, dResult, batched: false);
        }

        /// <summary>
        /// da and db are bilinear in (b, dResult) and (a, dResult): their tangents are the pullback along vdResult plus the
        /// pullback of dResult with ḃ in b's place (for da) and ȧ in a's place (for db), one more pair of products.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.MatMul))]
        public static void MatMulPullbackTangent<T>(
            DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T> dResult, DTensor<T>? va, DTensor<T>? vb, DTensor<T> vdResult, DTensor<T>? vda, DTensor<T>? vdb)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, _, n) = MatMulShape(nameof(MatMulPullbackTangent), a, b, transposeA, transposeB);
            CheckProductShape(dResult, m, n);
            CheckProductShape(vdResult, m, n);
            ProductPullbackTangent(nameof(MatMulPullbackTangent), a, b, transposeA, transposeB, dResult, va, vb, vdResult, vda, vdb, batched: false);
        }

        /// <summary>dResult and its tangent have the product's shape (checked one at a time: a step allocates nothing).</summary>
        private static void CheckProductShape<T>(DTensor<T> gradient, int m, int n)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(gradient);
            if (!gradient.HasShape([m, n]))
            {
                throw new ArgumentException($"{nameof(MatMulPullbackTangent)}: dResult's tangent or dResult {gradient.ShapeText} is not the product's shape [{m}, {n}].");
            }
        }
    }
}
