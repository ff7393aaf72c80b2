using System.Numerics;
using SymDiff.Kernels;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>
    /// y = op(a)·op(b), the matrix product, where op(a) = aᵀ when <paramref name="transposeA"/> (and likewise for b):
    /// op(a) is m×k, op(b) is k×n, y is m×n.
    /// </summary>
    public static Tensor<T> MatMul<T>(Tensor<T> a, Tensor<T> b, bool transposeA = false, bool transposeB = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return MatMul(a, b, transposeA, transposeB, ref y);
    }

    /// <summary>Destination-passing form of <see cref="MatMul{T}(Tensor{T}, Tensor{T}, bool, bool)"/>.</summary>
    public static Tensor<T> MatMul<T>(Tensor<T> a, Tensor<T> b, bool transposeA, bool transposeB, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, k, n) = MatMulShape(nameof(MatMul), a, b, transposeA, transposeB);
        var y = Ensure(ref destination, [m, n]);
        Product(a, b, transposeA, transposeB, y, accumulate: false);
        return y;
    }

    /// <summary>
    /// y = op(a)·op(b): ∂L/∂op(a) = dy·op(b)ᵀ and ∂L/∂op(b) = op(a)ᵀ·dy, each written back through the transposes
    /// as one more matrix product accumulated into the adjoint.
    /// </summary>
    [DerivativeOf(nameof(MatMul))]
    public static void MatMulBackward<T>(
        Tensor<T> a, Tensor<T> b, bool transposeA, bool transposeB, Tensor<T> result, Tensor<T> dResult, Tensor<T>? da, Tensor<T>? db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (da is not null)
        {
            Check.SameShape(nameof(MatMulBackward), da, a);
            if (transposeA)
            {
                Product(b, dResult, transposeB, true, da, accumulate: true); // da = op(b)·dyᵀ
            }
            else
            {
                Product(dResult, b, false, !transposeB, da, accumulate: true); // da = dy·op(b)ᵀ
            }
        }

        if (db is not null)
        {
            Check.SameShape(nameof(MatMulBackward), db, b);
            if (transposeB)
            {
                Product(dResult, a, true, transposeA, db, accumulate: true); // db = dyᵀ·op(a)
            }
            else
            {
                Product(a, dResult, !transposeA, false, db, accumulate: true); // db = op(a)ᵀ·dy
            }
        }
    }

    private static (int M, int K, int N) MatMulShape<T>(string op, Tensor<T> a, Tensor<T> b, bool transposeA, bool transposeB)
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
    private static void Product<T>(Tensor<T> a, Tensor<T> b, bool transposeA, bool transposeB, Tensor<T> c, bool accumulate)
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
