using System.Numerics;
using SymDiff.Kernels;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// y[s] = op(a[s])·op(b[s]) for every index s over the leading axes (attention heads: a and b of shape
        /// [B, H, m, k] and [B, H, k, n] give [B, H, m, n]); op(a) = aᵀ over the last two axes when
        /// <paramref name="transposeA"/>, likewise for b. The leading dimensions of a and b must be the same.
        /// </summary>
        public static DTensor<T> BatchMatMul<T>(DTensor<T> a, DTensor<T> b, bool transposeA = false, bool transposeB = false)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return BatchMatMul(a, b, transposeA, transposeB, ref y);
        }

        /// <summary>Destination-passing form of <see cref="BatchMatMul{T}(DTensor{T}, DTensor{T}, bool, bool)"/>.</summary>
        public static DTensor<T> BatchMatMul<T>(DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, _, n) = BatchMatMulShape(nameof(BatchMatMul), a, b, transposeA, transposeB);
            Span<int> shape = stackalloc int[a.Rank];
            a.Shape.CopyTo(shape);
            (shape[^2], shape[^1]) = (m, n);
            var y = Buffers.Ensure(ref destination, shape);
            BatchProduct(a, b, transposeA, transposeB, y, accumulate: false);
            return y;
        }

        /// <summary>(m, k, n) of every product, after checking ranks, leading dimensions and the inner dimension.</summary>
        internal static (int M, int K, int N) BatchMatMulShape<T>(string op, DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            Check.AtLeastRank(op, a, 2, "a");
            Check.AtLeastRank(op, b, 2, "b");
            if (a.Rank != b.Rank || !a.Shape[..^2].SequenceEqual(b.Shape[..^2]))
            {
                throw new ArgumentException($"{op}: shapes {a.ShapeText} and {b.ShapeText} differ in their leading (batch) dimensions.");
            }

            var (m, k) = transposeA ? (a.Dimension(-1), a.Dimension(-2)) : (a.Dimension(-2), a.Dimension(-1));
            var (kb, n) = transposeB ? (b.Dimension(-1), b.Dimension(-2)) : (b.Dimension(-2), b.Dimension(-1));
            if (k != kb)
            {
                throw new ArgumentException(
                    $"{op}: shapes {a.ShapeText}{(transposeA ? "ᵀ" : string.Empty)} and {b.ShapeText}{(transposeB ? "ᵀ" : string.Empty)} do not chain ({k} ≠ {kb}).");
            }

            return (m, k, n);
        }

        /// <summary>c[s] (+)= op(a[s])·op(b[s]) on the GEMM kernel, one product per batch index s.</summary>
        internal static void BatchProduct<T>(DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T> c, bool accumulate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, k, n) = BatchMatMulShape(nameof(BatchMatMul), a, b, transposeA, transposeB);
            if (c.Rank != a.Rank || !c.Shape[..^2].SequenceEqual(a.Shape[..^2]) || c.Dimension(-2) != m || c.Dimension(-1) != n)
            {
                throw new ArgumentException($"{nameof(BatchMatMul)}: the products of {a.ShapeText} and {b.ShapeText} are [{m}, {n}] each but the destination is {c.ShapeText}.");
            }

            var count = Product(a.Shape[..^2]);
            for (var s = 0; s < count; s++)
            {
                Gemm.Multiply(
                    transposeA, transposeB, m, n, k,
                    a.Data, a.Offset + (s * m * k), a.Dimension(-1),
                    b.Data, b.Offset + (s * k * n), b.Dimension(-1),
                    c.Data, c.Offset + (s * m * n), n,
                    accumulate);
            }
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y[s] = op(a[s])·op(b[s]): for each batch index s, ∂L/∂op(a[s]) = dy[s]·op(b[s])ᵀ and ∂L/∂op(b[s]) =
        /// op(a[s])ᵀ·dy[s], written back through the transposes as in <see cref="MatMulPullback{T}"/>.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.BatchMatMul))]
        public static void BatchMatMulPullback<T>(
            DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T> dResult, DTensor<T>? da, DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, _, n) = BatchMatMulShape(nameof(BatchMatMulPullback), a, b, transposeA, transposeB);
            ArgumentNullException.ThrowIfNull(dResult);
            if (dResult.Rank != a.Rank || !dResult.Shape[..^2].SequenceEqual(a.Shape[..^2]) || dResult.Dimension(-2) != m || dResult.Dimension(-1) != n)
            {
                throw new ArgumentException($"{nameof(BatchMatMulPullback)}: dResult {dResult.ShapeText} is not the products' shape, [{m}, {n}] after {a.ShapeText}'s leading dimensions.");
            }

            Check.Gradient(nameof(BatchMatMulPullback), da, a);
            Check.Gradient(nameof(BatchMatMulPullback), db, b);
            ProductPullback(a, b, transposeA, transposeB, dResult, da, db, batched: true);
        }

        /// <summary>y[s] = op(a[s])·op(b[s]): ẏ[s] = op(ȧ[s])·op(b[s]) + op(a[s])·op(ḃ[s]), batched products on the GEMM kernel.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.BatchMatMul))]
        public static void BatchMatMulPushforward<T>(
            DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, _, n) = BatchMatMulShape(nameof(BatchMatMulPushforward), a, b, transposeA, transposeB);
            Span<int> shape = stackalloc int[a.Rank];
            a.Shape.CopyTo(shape);
            (shape[^2], shape[^1]) = (m, n);
            Check.ResultTangent(nameof(BatchMatMulPushforward), dResult, shape);
            Check.Tangent(nameof(BatchMatMulPushforward), da, a);
            Check.Tangent(nameof(BatchMatMulPushforward), db, b);
            ProductPushforward(a, b, transposeA, transposeB, da, db, dResult, batched: true);
        }

        /// <summary>
        /// As for <see cref="MatMulPullbackTangent{T}"/>, per batch index: da and db are bilinear in (b, dResult) and
        /// (a, dResult), so their tangents are the pullback along vdResult plus the pullback of dResult with ḃ in b's place
        /// (for da) and ȧ in a's place (for db), one more pair of batched products.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.BatchMatMul))]
        public static void BatchMatMulPullbackTangent<T>(
            DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T> dResult, DTensor<T>? va, DTensor<T>? vb, DTensor<T> vdResult, DTensor<T>? vda, DTensor<T>? vdb)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (m, _, n) = BatchMatMulShape(nameof(BatchMatMulPullbackTangent), a, b, transposeA, transposeB);
            ProductsShape(dResult, "dResult");
            ProductsShape(vdResult, "dResult's tangent");
            ProductPullbackTangent(nameof(BatchMatMulPullbackTangent), a, b, transposeA, transposeB, dResult, va, vb, vdResult, vda, vdb, batched: true);

            void ProductsShape(DTensor<T> gradient, string what)
            {
                ArgumentNullException.ThrowIfNull(gradient);
                if (gradient.Rank != a.Rank || !gradient.Shape[..^2].SequenceEqual(a.Shape[..^2]) || gradient.Dimension(-2) != m || gradient.Dimension(-1) != n)
                {
                    throw new ArgumentException($"{nameof(BatchMatMulPullbackTangent)}: {what} {gradient.ShapeText} is not the products' shape, [{m}, {n}] after {a.ShapeText}'s leading dimensions.");
                }
            }
        }

        /// <summary>
        /// dResult = op(ȧ)·op(b) + op(a)·op(ḃ), a null tangent being zero, as (batched, or plain) products: the shared
        /// body of the MatMul and BatchMatMul pushforwards, called after their checks.
        /// </summary>
        internal static void ProductPushforward<T>(
            DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T>? da, DTensor<T>? db, DTensor<T> dResult, bool batched)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (BothZero(da, db, dResult))
            {
                return;
            }

            if (da is not null)
            {
                Product(da, b, accumulate: false);
            }

            if (db is not null)
            {
                Product(a, db, accumulate: da is not null);
            }

            void Product(DTensor<T> x, DTensor<T> y, bool accumulate)
            {
                if (batched)
                {
                    BatchProduct(x, y, transposeA, transposeB, dResult, accumulate);
                }
                else
                {
                    DTensor.Product(x, y, transposeA, transposeB, dResult, accumulate);
                }
            }
        }

        /// <summary>
        /// The tangents of da and db, bilinear in (b, dResult) and (a, dResult): the pullback along vdResult plus the
        /// pullback of dResult with ḃ in b's place (for da) and ȧ in a's place (for db). The shared body of the MatMul and
        /// BatchMatMul pullback-tangent rules, called after their checks of dResult and vdResult; checks the rest.
        /// </summary>
        internal static void ProductPullbackTangent<T>(
            string rule, DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T> dResult, DTensor<T>? va, DTensor<T>? vb, DTensor<T> vdResult, DTensor<T>? vda, DTensor<T>? vdb, bool batched)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Tangent(rule, va, a);
            Check.Tangent(rule, vb, b);
            Check.Gradient(rule, vda, a);
            Check.Gradient(rule, vdb, b);
            ProductPullback(a, b, transposeA, transposeB, vdResult, vda, vdb, batched);
            var (intoA, intoB) = (vb is null ? null : vda, va is null ? null : vdb);
            if (intoA is not null || intoB is not null)
            {
                ProductPullback(va ?? a, vb ?? b, transposeA, transposeB, dResult, intoA, intoB, batched);
            }
        }

        /// <summary>
        /// da += dy·op(b)ᵀ and db += op(a)ᵀ·dy, each written back through the transposes as one more (batched, or
        /// plain) product accumulated into the gradient: the shared body of the MatMul and BatchMatMul rules.
        /// </summary>
        internal static void ProductPullback<T>(
            DTensor<T> a, DTensor<T> b, bool transposeA, bool transposeB, DTensor<T> dResult, DTensor<T>? da, DTensor<T>? db, bool batched)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (da is not null)
            {
                if (transposeA)
                {
                    Product(b, dResult, transposeB, true, da); // da = op(b)·dyᵀ
                }
                else
                {
                    Product(dResult, b, false, !transposeB, da); // da = dy·op(b)ᵀ
                }
            }

            if (db is not null)
            {
                if (transposeB)
                {
                    Product(dResult, a, true, transposeA, db); // db = dyᵀ·op(a)
                }
                else
                {
                    Product(a, dResult, !transposeA, false, db); // db = op(a)ᵀ·dy
                }
            }

            void Product(DTensor<T> x, DTensor<T> y, bool transposeX, bool transposeY, DTensor<T> c)
            {
                if (batched)
                {
                    BatchProduct(x, y, transposeX, transposeY, c, accumulate: true);
                }
                else
                {
                    DTensor.Product(x, y, transposeX, transposeY, c, accumulate: true);
                }
            }
        }
    }
}
