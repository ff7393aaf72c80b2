using SymDiff.Tests.Infrastructure;
using SymDiff.Kernels;

namespace SymDiff.Tests.Runtime;

/// <summary>The GEMM kernel against a naive triple loop, over odd shapes, transposes, block edges and threads.</summary>
[Collection(GlobalState.Name)]
public sealed class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 },
        { 7, 13, 5 },
        { 129, 65, 33 },
        { 6, 256, 16 },
        { 97, 300, 1100 }, // crosses the MC, KC and NC block edges
        { 300, 300, 300 }, // large enough to run on several threads
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatMatchesNaiveProduct(int m, int k, int n)
    {
        foreach (var (ta, tb) in Transposes(m * k * n))
        {
            Compare<float>(m, k, n, ta, tb, accumulate: false, tolerance: 1e-4);
            Compare<float>(m, k, n, ta, tb, accumulate: true, tolerance: 1e-4);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleMatchesNaiveProduct(int m, int k, int n)
    {
        foreach (var (ta, tb) in Transposes(m * k * n))
        {
            Compare<double>(m, k, n, ta, tb, accumulate: false, tolerance: 1e-12);
            Compare<double>(m, k, n, ta, tb, accumulate: true, tolerance: 1e-12);
        }
    }

    /// <summary>
    /// Every kernel width runs on every machine (a wider vector than the hardware's is emulated), so each is checked
    /// here whatever the CPU; the one chosen at start-up is restored.
    /// </summary>
    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    [InlineData(0)]
    public void EachVectorWidthMatchesTheNaiveProduct(int bits)
    {
        var saved = Gemm.Width;
        try
        {
            Gemm.Width = (SimdWidth)bits;
            foreach (var (m, k, n) in new[] { (1, 1, 1), (7, 13, 5), (13, 37, 70), (97, 300, 1100) })
            {
                foreach (var (ta, tb) in Transposes(m * k * n))
                {
                    Compare<float>(m, k, n, ta, tb, accumulate: false, tolerance: 1e-4);
                    Compare<double>(m, k, n, ta, tb, accumulate: true, tolerance: 1e-12);
                }
            }
        }
        finally
        {
            Gemm.Width = saved;
        }
    }

    /// <summary>
    /// A·Bᵀ whose columns end in a narrow panel (n = 100) is computed as (B·Aᵀ)ᵀ: the same bits as the direct product
    /// (here through an explicitly transposed B), accumulating into C over several blocks of k, at both widths.
    /// </summary>
    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void ANarrowProductWithTransposedBComputedTransposedGivesTheDirectBits(int bits)
    {
        var saved = Gemm.Width;
        try
        {
            Gemm.Width = (SimdWidth)bits;
            foreach (var (m, n) in new[] { (128, 100), (64, 36), (40, 20) })
            {
                const int k = 600;
                var random = new Random(m + n);
                var a = Enumerable.Range(0, m * k).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
                var b = Enumerable.Range(0, n * k).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
                var bTransposed = new float[k * n];
                for (var j = 0; j < n; j++)
                {
                    for (var p = 0; p < k; p++)
                    {
                        bTransposed[(p * n) + j] = b[(j * k) + p];
                    }
                }

                var start = Enumerable.Range(0, m * n).Select(_ => (float)random.NextDouble()).ToArray();
                var viaTranspose = (float[])start.Clone();
                var direct = (float[])start.Clone();
                Gemm.Multiply(false, true, m, n, k, a, 0, k, b, 0, k, viaTranspose, 0, n, accumulate: true);
                Gemm.Multiply(false, false, m, n, k, a, 0, k, bTransposed, 0, n, direct, 0, n, accumulate: true);
                Assert.Equal(direct, viaTranspose);
                Gemm.Multiply(false, true, m, n, k, a, 0, k, b, 0, k, viaTranspose, 0, n, accumulate: false);
                Gemm.Multiply(false, false, m, n, k, a, 0, k, bTransposed, 0, n, direct, 0, n, accumulate: false);
                Assert.Equal(direct, viaTranspose);
            }
        }
        finally
        {
            Gemm.Width = saved;
        }
    }

    /// <summary>Each element sums its k products in the same order whatever the width: the results are identical.</summary>
    [Fact]
    public void TheVectorWidthsGiveTheSameProductBitForBit()
    {
        var random = new Random(9);
        var a = DTensor.RandomUniform(random, -1f, 1f, 37, 300);
        var b = DTensor.RandomUniform(random, -1f, 1f, 300, 71);
        var saved = Gemm.Width;
        try
        {
            Gemm.Width = SimdWidth.Bits256;
            var narrow = DTensor.MatMul(a, b).ToArray();
            Gemm.Width = SimdWidth.Bits512;
            var wide = DTensor.MatMul(a, b).ToArray();
            Assert.Equal(narrow, wide);

            // A transposed B whose last panel has 4 columns (n = 100, as in the NLM's backward product): packed 8 wide.
            var a2 = a.ToArray();
            var bt = DTensor.RandomUniform(random, -1f, 1f, 100, 300).ToArray();
            var narrowT = new float[37 * 100];
            var wideT = new float[37 * 100];
            Gemm.Width = SimdWidth.Bits256;
            Gemm.Multiply(false, true, 37, 100, 300, a2, 0, 300, bt, 0, 300, narrowT, 0, 100, accumulate: false);
            Gemm.Width = SimdWidth.Bits512;
            Gemm.Multiply(false, true, 37, 100, 300, a2, 0, 300, bt, 0, 300, wideT, 0, 100, accumulate: false);
            Assert.Equal(narrowT, wideT);
        }
        finally
        {
            Gemm.Width = saved;
        }
    }

    [Fact]
    public void TheWidthChosenAtStartUpIsTheWidestTheCpuAccelerates()
    {
        var expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? SimdWidth.Bits512
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? SimdWidth.Bits256
            : SimdWidth.Scalar;
        Assert.Equal(expected, Gemm.Detect());
    }

    /// <summary>All four transpose combinations for small shapes; two for the large ones (they take longer to check).</summary>
    private static (bool, bool)[] Transposes(int size) => size < 1_000_000
        ? new[] { (false, false), (true, false), (false, true), (true, true) }
        : new[] { (false, false), (true, true) };

    [Fact]
    public void ResultDoesNotDependOnTheNumberOfThreads()
    {
        var random = new Random(3);
        var a = DTensor.RandomUniform(random, -1f, 1f, 300, 200);
        var b = DTensor.RandomUniform(random, -1f, 1f, 200, 500);
        var saved = Compute.Threads;
        try
        {
            Compute.Threads = 1;
            var one = DTensor.MatMul(a, b).ToArray();
            Compute.Threads = 2;
            var two = DTensor.MatMul(a, b).ToArray();
            Assert.Equal(one, two);
        }
        finally
        {
            Compute.Threads = saved;
        }
    }

    [Fact]
    public void ZeroDepthProductIsZeroOrLeavesTheAccumulator()
    {
        var c = new[] { 1f, 2f, 3f, 4f };
        Gemm.Multiply(false, false, 2, 2, 0, Array.Empty<float>(), 0, 0, Array.Empty<float>(), 0, 2, c, 0, 2, accumulate: true);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, c);
        Gemm.Multiply(false, false, 2, 2, 0, Array.Empty<float>(), 0, 0, Array.Empty<float>(), 0, 2, c, 0, 2, accumulate: false);
        Assert.Equal(new[] { 0f, 0f, 0f, 0f }, c);
    }

    private static void Compare<T>(int m, int k, int n, bool transposeA, bool transposeB, bool accumulate, double tolerance)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random((m * 31) + (k * 17) + n);
        var a = DTensor.RandomUniform(random, -T.One, T.One, transposeA ? k : m, transposeA ? m : k);
        var b = DTensor.RandomUniform(random, -T.One, T.One, transposeB ? n : k, transposeB ? k : n);
        var c = DTensor.RandomUniform(random, -T.One, T.One, m, n);
        // The reference, in double over plain arrays: op(A) as m×k and op(B) as k×n, row-major.
        var opA = new double[m * k];
        var opB = new double[k * n];
        for (var i = 0; i < m; i++)
        {
            for (var p = 0; p < k; p++)
            {
                opA[(i * k) + p] = double.CreateChecked(transposeA ? a[p, i] : a[i, p]);
            }
        }

        for (var p = 0; p < k; p++)
        {
            for (var j = 0; j < n; j++)
            {
                opB[(p * n) + j] = double.CreateChecked(transposeB ? b[j, p] : b[p, j]);
            }
        }

        var expected = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var p = 0; p < k; p++)
            {
                var x = opA[(i * k) + p];
                for (var j = 0; j < n; j++)
                {
                    expected[(i * n) + j] += x * opB[(p * n) + j];
                }
            }

            for (var j = 0; accumulate && j < n; j++)
            {
                expected[(i * n) + j] += double.CreateChecked(c[i, j]);
            }
        }

        Gemm.Multiply(transposeA, transposeB, m, n, k, a.Data, 0, a.Dimension(1), b.Data, 0, b.Dimension(1), c.Data, 0, n, accumulate);
        for (var i = 0; i < expected.Length; i++)
        {
            var actual = double.CreateChecked(c[i]);
            Assert.True(
                Math.Abs(actual - expected[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])) * Math.Sqrt(k + 1),
                $"{typeof(T).Name} {m}x{k}x{n} ta={transposeA} tb={transposeB} acc={accumulate}: element {i} is {actual}, expected {expected[i]}");
        }
    }
}
