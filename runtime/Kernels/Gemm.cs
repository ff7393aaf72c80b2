using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SymDiff.Kernels;

/// <summary>
/// General matrix multiply, C (+)= op(A)·op(B), for row-major float and double matrices. TensorPrimitives has no
/// GEMM, so this is one in the BLIS style: the operands are packed into cache-sized blocks (A into panels of
/// <see cref="MR"/> rows, B into panels of NR columns; transposition happens for free while packing), and a
/// register-tiled micro-kernel keeps an MR×NR tile of C in 12 vector registers, updating it with one fused
/// multiply-add per vector per step of k. The kernel is generic over the vector width (<see cref="ISimd{TSelf, T}"/>):
/// 512-bit vectors where the CPU accelerates them, else 256-bit; without hardware SIMD a scalar loop is used. Large
/// products are split over threads by <see cref="Parallelism"/>.
/// </summary>
internal static class Gemm
{
    /// <summary>
    /// The vector width the micro-kernel uses: chosen at start-up from what the CPU accelerates; tests and the
    /// benchmarks set it to run the other path (a wider vector than the hardware's still runs, emulated).
    /// </summary>
    public static SimdWidth Width { get; set; } = Detect();

    /// <summary>The widest vector the CPU accelerates.</summary>
    public static SimdWidth Detect() =>
        Vector512.IsHardwareAccelerated ? SimdWidth.Bits512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Bits256
        : SimdWidth.Scalar;

    /// <summary>Rows of A per micro-panel (6 rows × 2 vectors = 12 accumulators: fits 16 vector registers).</summary>
    public const int MR = 6;

    /// <summary>Depth of a packed block: an MR×KC panel of A plus a KC×NR panel of B stay in L1.</summary>
    public const int KC = 256;

    /// <summary>Rows of a packed block of A (kept in L2).</summary>
    public const int MC = 96;

    /// <summary>Columns of a packed block of B (kept in L3).</summary>
    public const int NC = 1024;

    /// <summary>Below this many multiply-adds a product runs on the calling thread only.</summary>
    public const long ParallelThreshold = 1L << 21;

    /// <summary>
    /// C[m×n] = op(A)[m×k]·op(B)[k×n] (+ C when <paramref name="accumulate"/>), where op(A) = Aᵀ when
    /// <paramref name="transposeA"/>. Matrices are row-major with leading dimensions lda, ldb, ldc.
    /// </summary>
    public static void Multiply<T>(
        bool transposeA, bool transposeB, int m, int n, int k,
        T[] a, int aOffset, int lda,
        T[] b, int bOffset, int ldb,
        T[] c, int cOffset, int ldc,
        bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (var i = 0; i < m; i++)
                {
                    c.AsSpan(cOffset + (i * ldc), n).Clear();
                }
            }

            return;
        }

        if (transposeB && !transposeA && NarrowEdge(n) && !NarrowEdge(m))
        {
            MultiplyTransposed(m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
            return;
        }

        var job = new GemmJob<T>(transposeA, transposeB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
        if ((long)m * n * k >= ParallelThreshold && Parallelism.Threads > 1)
        {
            Parallelism.Run(job);
        }
        else
        {
            job.Run(0, m, 0, n);
        }
    }

    /// <summary>
    /// Whether <paramref name="columns"/> end in a narrow panel (a few columns past a multiple of the kernel's 2 × vector
    /// width): the narrow kernel has too few independent sums to hide the multiply-add latency, so n = 100 at 512 bits
    /// (3 × 32 + 4) spends a fifth of its time on its last 4 columns.
    /// </summary>
    private static bool NarrowEdge(int columns)
    {
        var nr = 2 * (Width == SimdWidth.Bits512 ? 16 : 8);
        return Width != SimdWidth.Scalar && columns > nr && columns % nr is > 0 and <= 8;
    }

    /// <summary>
    /// C = A·Bᵀ (+ C) computed as Cᵀ = B·Aᵀ into a scratch buffer, then transposed into C, for a C whose columns end in
    /// a narrow panel and whose rows do not (the NLM's 128 × 16384 · (100 × 16384)ᵀ: m = 128 is four full panels). B is
    /// then read in place as the row-major operand and A packed. Each element sums its k products in the same order,
    /// and an accumulated C is copied into the scratch first, so the result is the same bits as the direct product.
    /// </summary>
    private static void MultiplyTransposed<T>(int m, int n, int k, T[] a, int aOffset, int lda, T[] b, int bOffset, int ldb, T[] c, int cOffset, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scratch = TransposeScratch<T>.Get(n * m);
        if (accumulate)
        {
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    scratch[(j * m) + i] = c[cOffset + (i * ldc) + j];
                }
            }
        }

        // Cᵀ[n×m] = B[n×k] · (A[m×k])ᵀ: B row-major in place, A as a transposed right operand.
        Multiply(false, true, n, m, k, b, bOffset, ldb, a, aOffset, lda, scratch, 0, m, accumulate);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                c[cOffset + (i * ldc) + j] = scratch[(j * m) + i];
            }
        }
    }

    /// <summary>The scratch of <see cref="MultiplyTransposed"/>, per thread, grown when needed (nothing allocated per step).</summary>
    private static class TransposeScratch<T>
    {
        [ThreadStatic]
        private static T[]? s_buffer;

        public static T[] Get(int length) => s_buffer is { } buffer && buffer.Length >= length ? buffer : s_buffer = new T[length];
    }

    /// <summary>Computes the block [rowStart, rowEnd) × [columnStart, columnEnd) of C.</summary>
    internal static void RunBlock<T>(in GemmJob<T> job, int rowStart, int rowEnd, int columnStart, int columnEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (Width)
        {
            case SimdWidth.Bits512 when Vector512<T>.IsSupported:
                Blocked<T, Simd512<T>>(job, rowStart, rowEnd, columnStart, columnEnd);
                break;
            case SimdWidth.Bits256 or SimdWidth.Bits512 when Vector256<T>.IsSupported:
                Blocked<T, Simd256<T>>(job, rowStart, rowEnd, columnStart, columnEnd);
                break;
            default:
                Scalar(job, rowStart, rowEnd, columnStart, columnEnd);
                break;
        }
    }

    /// <summary>The BLIS loops around the micro-kernel, for vectors <typeparamref name="TV"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked<T, TV>(in GemmJob<T> job, int rowStart, int rowEnd, int columnStart, int columnEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        var nr = 2 * TV.Count;
        var packedA = PackBuffers<T>.A(MC * KC);
        var packedB = PackBuffers<T>.B(KC * NC);
        for (var jc = columnStart; jc < columnEnd; jc += NC)
        {
            var nc = Math.Min(NC, columnEnd - jc);
            for (var pc = 0; pc < job.K; pc += KC)
            {
                var kc = Math.Min(KC, job.K - pc);
                PackB<T, TV>(job, pc, kc, jc, nc, packedB.Array, packedB.Offset);
                var addToC = pc > 0 || job.Accumulate;

                for (var ic = rowStart; ic < rowEnd; ic += MC)
                {
                    var mc = Math.Min(MC, rowEnd - ic);

                    // A row-major A is read in place, MR rows side by side (six sequential streams the prefetcher
                    // follows): packing it would cost about as much as the multiply-adds of a thin product. Only a
                    // last panel of fewer than MR rows is packed (zero-padded), as is every panel of a transposed A.
                    var direct = !job.TransposeA;
                    if (!direct)
                    {
                        PackA(job, ic, mc, pc, kc, packedA.Array, packedA.Offset);
                    }
                    else if (mc % MR != 0)
                    {
                        PackA(job, ic + mc - (mc % MR), mc % MR, pc, kc, packedA.Array, packedA.Offset);
                    }

                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        var columns = Math.Min(nr, nc - jr);
                        ref var bPanel = ref packedB[(jr / nr) * kc * nr];
                        for (var ir = 0; ir < mc; ir += MR)
                        {
                            var rows = Math.Min(MR, mc - ir);
                            var inPlace = direct && rows == MR;
                            ref var aPanel = ref inPlace
                                ? ref job.A[job.AOffset + ((ic + ir) * job.Lda) + pc]
                                : ref packedA[direct ? 0 : (ir / MR) * kc * MR];
                            var rowStride = inPlace ? (nuint)job.Lda : 1;
                            var kStride = inPlace ? 1 : (nuint)MR;
                            var cStart = job.COffset + ((ic + ir) * job.Ldc) + jc + jr;
                            if (pc == 0)
                            {
                                PrefetchTile(job.C, cStart, job.Ldc, rows, columns);
                            }

                            if (columns <= Simd256<T>.Count && TV.Count > Simd256<T>.Count)
                            {
                                // The last panel of a thin product (n = 100: 3 × 32 + 4): one 256-bit vector is enough.
                                NarrowMicroKernel<T, Simd256<T>>(kc, ref aPanel, rowStride, kStride, ref bPanel, (nuint)Simd256<T>.Count, job.C, cStart, job.Ldc, rows, columns, addToC);
                            }
                            else if (columns <= TV.Count)
                            {
                                // The last panel of a thin product: one vector of the panel's two.
                                NarrowMicroKernel<T, TV>(kc, ref aPanel, rowStride, kStride, ref bPanel, (nuint)TV.Count, job.C, cStart, job.Ldc, rows, columns, addToC);
                            }
                            else
                            {
                                MicroKernel<T, TV>(kc, ref aPanel, rowStride, kStride, ref bPanel, job.C, cStart, job.Ldc, rows, columns, addToC);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Asks for the cache lines of a tile of C before its k loop: C is written (or added to) once the loop ends, and a
    /// wide C (the NLM's 128 × |V| logits) lives in L3 or memory, so without this every tile's stores wait for their
    /// misses. Only for the first block of k: later blocks find the tile where the previous one left it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchTile<T>(T[] c, int cStart, int ldc, int rows, int columns)
        where T : unmanaged
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        ref var first = ref MemoryMarshal.GetArrayDataReference(c);
        var lastByte = (columns * sizeof(T)) - 1;
        for (var r = 0; r < rows; r++)
        {
            var line = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref first, cStart + (r * ldc)));
            Sse.Prefetch0(line);
            Sse.Prefetch0(line + Math.Min(64, lastByte));
            Sse.Prefetch0(line + lastByte);
        }
    }

    /// <summary>
    /// The MR×NR tile update: for each step p of k, broadcast one element of each of the MR rows of A and
    /// multiply-add it with the two vectors of B's row p. A's element (r, p) is at r·rowStride + p·kStride: a packed
    /// panel (1, MR) or the rows of A in place (lda, 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel<T, TV>(int kc, ref T a, nuint rowStride, nuint kStride, ref T b, T[] c, int cStart, int ldc, int rows, int columns, bool addToC)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        var w = TV.Count;
        var nr = 2 * w;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nuint bIndex = 0;
        nuint aIndex = 0;
        var p = 0;

        // Two steps of k per iteration: fewer loop overheads between the FMAs (about 10% faster on Zen 3).
        for (; p + 1 < kc; p += 2)
        {
            Step(ref a, rowStride, ref b, aIndex, bIndex, w, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step(ref a, rowStride, ref b, aIndex + kStride, bIndex + (nuint)nr, w, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            bIndex += (nuint)(2 * nr);
            aIndex += 2 * kStride;
        }

        if (p < kc)
        {
            Step(ref a, rowStride, ref b, aIndex, bIndex, w, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }

        if (rows == MR && columns == nr)
        {
            ref var cRef = ref MemoryMarshal.GetArrayDataReference(c);
            Store(ref cRef, cStart, w, c00, c01, addToC);
            Store(ref cRef, cStart + ldc, w, c10, c11, addToC);
            Store(ref cRef, cStart + (2 * ldc), w, c20, c21, addToC);
            Store(ref cRef, cStart + (3 * ldc), w, c30, c31, addToC);
            Store(ref cRef, cStart + (4 * ldc), w, c40, c41, addToC);
            Store(ref cRef, cStart + (5 * ldc), w, c50, c51, addToC);
            return;
        }

        // Edge tile: spill the accumulators, then write only the rows and columns that exist (NR ≤ 32 elements).
        Span<T> tile = stackalloc T[MR * 32];
        ref var tileRef = ref MemoryMarshal.GetReference(tile);
        c00.Store(ref tileRef, 0);
        c01.Store(ref tileRef, (nuint)w);
        c10.Store(ref tileRef, (nuint)nr);
        c11.Store(ref tileRef, (nuint)(nr + w));
        c20.Store(ref tileRef, (nuint)(2 * nr));
        c21.Store(ref tileRef, (nuint)((2 * nr) + w));
        c30.Store(ref tileRef, (nuint)(3 * nr));
        c31.Store(ref tileRef, (nuint)((3 * nr) + w));
        c40.Store(ref tileRef, (nuint)(4 * nr));
        c41.Store(ref tileRef, (nuint)((4 * nr) + w));
        c50.Store(ref tileRef, (nuint)(5 * nr));
        c51.Store(ref tileRef, (nuint)((5 * nr) + w));
        WriteTile(tile, nr, c, cStart, ldc, rows, columns, addToC);
    }

    /// <summary>
    /// The micro-kernel for a panel whose real columns fit one vector <typeparamref name="TV"/>: MR accumulators, one
    /// vector of B per step from the packed panel (<paramref name="nr"/> wide; its zero padding is not read). Each
    /// element still sums its k products in the same order, so the result is the same bits as the full kernel's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowMicroKernel<T, TV>(int kc, ref T a, nuint rowStride, nuint kStride, ref T b, nuint nr, T[] c, int cStart, int ldc, int rows, int columns, bool addToC)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        TV c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        nuint bIndex = 0;
        nuint aIndex = 0;
        for (var p = 0; p < kc; p++, bIndex += nr, aIndex += kStride)
        {
            var b0 = TV.Load(ref b, bIndex);
            c0 = TV.MultiplyAdd(TV.Broadcast(Unsafe.Add(ref a, aIndex)), b0, c0);
            c1 = TV.MultiplyAdd(TV.Broadcast(Unsafe.Add(ref a, aIndex + (1 * rowStride))), b0, c1);
            c2 = TV.MultiplyAdd(TV.Broadcast(Unsafe.Add(ref a, aIndex + (2 * rowStride))), b0, c2);
            c3 = TV.MultiplyAdd(TV.Broadcast(Unsafe.Add(ref a, aIndex + (3 * rowStride))), b0, c3);
            c4 = TV.MultiplyAdd(TV.Broadcast(Unsafe.Add(ref a, aIndex + (4 * rowStride))), b0, c4);
            c5 = TV.MultiplyAdd(TV.Broadcast(Unsafe.Add(ref a, aIndex + (5 * rowStride))), b0, c5);
        }

        var w = TV.Count;
        Span<T> tile = stackalloc T[MR * 16];
        ref var tileRef = ref MemoryMarshal.GetReference(tile);
        c0.Store(ref tileRef, 0);
        c1.Store(ref tileRef, (nuint)w);
        c2.Store(ref tileRef, (nuint)(2 * w));
        c3.Store(ref tileRef, (nuint)(3 * w));
        c4.Store(ref tileRef, (nuint)(4 * w));
        c5.Store(ref tileRef, (nuint)(5 * w));
        WriteTile(tile, w, c, cStart, ldc, rows, columns, addToC);
    }

    /// <summary>Writes (or adds) the rows and columns of a spilled edge tile that exist in C.</summary>
    private static void WriteTile<T>(Span<T> tile, int tileStride, T[] c, int cStart, int ldc, int rows, int columns, bool addToC)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            var row = c.AsSpan(cStart + (r * ldc), columns);
            var values = tile.Slice(r * tileStride, columns);
            if (addToC)
            {
                TensorPrimitives.Add<T>(row, values, row);
            }
            else
            {
                values.CopyTo(row);
            }
        }
    }

    /// <summary>One step of k: C[r, :] += A[r, p] · B[p, :] for the MR rows, as 2·MR fused multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<T, TV>(
        ref T a, nuint rowStride, ref T b, nuint aIndex, nuint bIndex, int w,
        ref TV c00, ref TV c01, ref TV c10, ref TV c11, ref TV c20, ref TV c21,
        ref TV c30, ref TV c31, ref TV c40, ref TV c41, ref TV c50, ref TV c51)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        var b0 = TV.Load(ref b, bIndex);
        var b1 = TV.Load(ref b, bIndex + (nuint)w);
        var a0 = TV.Broadcast(Unsafe.Add(ref a, aIndex));
        c00 = TV.MultiplyAdd(a0, b0, c00);
        c01 = TV.MultiplyAdd(a0, b1, c01);
        var a1 = TV.Broadcast(Unsafe.Add(ref a, aIndex + (1 * rowStride)));
        c10 = TV.MultiplyAdd(a1, b0, c10);
        c11 = TV.MultiplyAdd(a1, b1, c11);
        var a2 = TV.Broadcast(Unsafe.Add(ref a, aIndex + (2 * rowStride)));
        c20 = TV.MultiplyAdd(a2, b0, c20);
        c21 = TV.MultiplyAdd(a2, b1, c21);
        var a3 = TV.Broadcast(Unsafe.Add(ref a, aIndex + (3 * rowStride)));
        c30 = TV.MultiplyAdd(a3, b0, c30);
        c31 = TV.MultiplyAdd(a3, b1, c31);
        var a4 = TV.Broadcast(Unsafe.Add(ref a, aIndex + (4 * rowStride)));
        c40 = TV.MultiplyAdd(a4, b0, c40);
        c41 = TV.MultiplyAdd(a4, b1, c41);
        var a5 = TV.Broadcast(Unsafe.Add(ref a, aIndex + (5 * rowStride)));
        c50 = TV.MultiplyAdd(a5, b0, c50);
        c51 = TV.MultiplyAdd(a5, b1, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T, TV>(ref T c, int start, int w, TV low, TV high, bool addToC)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        var offset = (nuint)start;
        if (addToC)
        {
            low = TV.Add(low, TV.Load(ref c, offset));
            high = TV.Add(high, TV.Load(ref c, offset + (nuint)w));
        }

        low.Store(ref c, offset);
        high.Store(ref c, offset + (nuint)w);
    }

    /// <summary>Packs op(A)[ic..ic+mc, pc..pc+kc] into MR-row panels: panel-major, then k, then row; zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA<T>(in GemmJob<T> job, int ic, int mc, int pc, int kc, T[] packed, int offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var source = ref MemoryMarshal.GetArrayDataReference(job.A);
        ref var target = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(packed), offset);
        var lda = job.Lda;
        for (var ir = 0; ir < mc; ir += MR)
        {
            var rows = Math.Min(MR, mc - ir);
            ref var panel = ref Unsafe.Add(ref target, ir * kc);
            if (rows < MR)
            {
                new Span<T>(packed, offset + (ir * kc), MR * kc).Clear();
            }

            if (rows == MR && !job.TransposeA)
            {
                // Full panel of a row-major A: walk k once, reading the MR rows side by side, writing sequentially.
                ref var row0 = ref Unsafe.Add(ref source, job.AOffset + ((ic + ir) * lda) + pc);
                for (var p = 0; p < kc; p++)
                {
                    ref var column = ref Unsafe.Add(ref row0, p);
                    ref var output = ref Unsafe.Add(ref panel, p * MR);
                    output = column;
                    Unsafe.Add(ref output, 1) = Unsafe.Add(ref column, lda);
                    Unsafe.Add(ref output, 2) = Unsafe.Add(ref column, 2 * lda);
                    Unsafe.Add(ref output, 3) = Unsafe.Add(ref column, 3 * lda);
                    Unsafe.Add(ref output, 4) = Unsafe.Add(ref column, 4 * lda);
                    Unsafe.Add(ref output, 5) = Unsafe.Add(ref column, 5 * lda);
                }

                continue;
            }

            for (var r = 0; r < rows; r++)
            {
                var row = ic + ir + r;
                if (job.TransposeA)
                {
                    // op(A)[row, pc + p] = A[pc + p, row]: a column of A, stride lda.
                    ref var element = ref Unsafe.Add(ref source, job.AOffset + (pc * lda) + row);
                    for (var p = 0; p < kc; p++)
                    {
                        Unsafe.Add(ref panel, (p * MR) + r) = Unsafe.Add(ref element, p * lda);
                    }
                }
                else
                {
                    // op(A)[row, pc + p] = A[row, pc + p]: contiguous along the row.
                    ref var element = ref Unsafe.Add(ref source, job.AOffset + (row * lda) + pc);
                    for (var p = 0; p < kc; p++)
                    {
                        Unsafe.Add(ref panel, (p * MR) + r) = Unsafe.Add(ref element, p);
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc] into NR-column panels: panel-major, then k, then column; zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<T, TV>(in GemmJob<T> job, int pc, int kc, int jc, int nc, T[] packed, int offset)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        var nr = 2 * TV.Count;
        ref var source = ref MemoryMarshal.GetArrayDataReference(job.B);
        ref var target = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(packed), offset);
        var ldb = job.Ldb;
        var fullPanels = nc / nr;
        if (!job.TransposeB && fullPanels > 0)
        {
            // Full panels of a row-major B, a row of B at a time: each step of k reads fullPanels·NR contiguous
            // elements (one sequential stream the prefetcher follows) and hands two vectors to each panel. Walking
            // panel by panel instead reads kc rows a panel's width at a time, kc strided streams that miss in turn.
            ref var row = ref Unsafe.Add(ref source, job.BOffset + (pc * ldb) + jc);
            for (var p = 0; p < kc; p++)
            {
                ref var from = ref Unsafe.Add(ref row, p * ldb);
                ref var to = ref Unsafe.Add(ref target, p * nr);
                for (var panel = 0; panel < fullPanels; panel++)
                {
                    TV.Load(ref from, (nuint)(panel * nr)).Store(ref to, (nuint)(panel * kc * nr));
                    TV.Load(ref from, (nuint)((panel * nr) + TV.Count)).Store(ref to, (nuint)((panel * kc * nr) + TV.Count));
                }
            }
        }

        for (var jr = job.TransposeB ? 0 : fullPanels * nr; jr < nc; jr += nr)
        {
            var columns = Math.Min(nr, nc - jr);
            ref var panel = ref Unsafe.Add(ref target, jr * kc);
            var stride = PanelStride<T, TV>(columns);
            if (columns < stride)
            {
                new Span<T>(packed, offset + (jr * kc), stride * kc).Clear();
            }

            var done = 0;
            if (job.TransposeB && typeof(T) == typeof(float) && Avx.IsSupported)
            {
                // Eight rows of B at a time, eight steps of k at a time, transposed in registers: each row of B is read
                // with vector loads and each row of the panel written with vector stores (scalar copies with a
                // stride of NR cost as much as a thin product's multiply-adds).
                done = columns - (columns % 8);
                ref var first = ref Unsafe.As<T, float>(ref Unsafe.Add(ref source, job.BOffset + ((jc + jr) * ldb) + pc));
                ref var to = ref Unsafe.As<T, float>(ref panel);
                var steps = kc - (kc % 8);
                for (var j = 0; j < done; j += 8)
                {
                    ref var rows = ref Unsafe.Add(ref first, j * ldb);
                    for (var p = 0; p < steps; p += 8)
                    {
                        Transpose8(ref Unsafe.Add(ref rows, p), ldb, ref Unsafe.Add(ref to, (p * stride) + j), stride);
                    }

                    for (var p = steps; p < kc; p++)
                    {
                        for (var r = 0; r < 8; r++)
                        {
                            Unsafe.Add(ref to, (p * stride) + j + r) = Unsafe.Add(ref rows, (r * ldb) + p);
                        }
                    }
                }
            }

            for (var j = done; j < columns; j++)
            {
                if (job.TransposeB)
                {
                    // op(B)[pc + p, column] = B[column, pc + p]: contiguous along a row of B; write with stride nr.
                    ref var element = ref Unsafe.Add(ref source, job.BOffset + ((jc + jr + j) * ldb) + pc);
                    for (var p = 0; p < kc; p++)
                    {
                        Unsafe.Add(ref panel, (p * stride) + j) = Unsafe.Add(ref element, p);
                    }
                }
                else
                {
                    ref var element = ref Unsafe.Add(ref source, job.BOffset + (pc * ldb) + jc + jr + j);
                    for (var p = 0; p < kc; p++)
                    {
                        Unsafe.Add(ref panel, (p * stride) + j) = Unsafe.Add(ref element, p * ldb);
                    }
                }
            }
        }
    }

    /// <summary>
    /// How far apart the steps of k lie in a packed panel of <paramref name="columns"/> columns: NR for a full panel,
    /// the narrow kernel's vector width for a last panel it runs (n = 100 ends with 4 columns: packed 8 wide rather than
    /// 32, the narrow kernel reads 32 bytes per 32-byte step instead of one cache line in four).
    /// </summary>
    private static int PanelStride<T, TV>(int columns)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T> =>
        columns <= Simd256<T>.Count && TV.Count > Simd256<T>.Count ? Simd256<T>.Count
        : columns <= TV.Count ? TV.Count
        : 2 * TV.Count;

    /// <summary>
    /// Writes the 8×8 block at <paramref name="source"/> (rows <paramref name="sourceStride"/> apart) transposed to
    /// <paramref name="target"/> (rows <paramref name="targetStride"/> apart): the classic unpack, shuffle, permute.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(ref float source, int sourceStride, ref float target, int targetStride)
    {
        var r0 = Vector256.LoadUnsafe(ref source);
        var r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, sourceStride));
        var r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 2 * sourceStride));
        var r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 3 * sourceStride));
        var r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 4 * sourceStride));
        var r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 5 * sourceStride));
        var r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 6 * sourceStride));
        var r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 7 * sourceStride));
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref target);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref Unsafe.Add(ref target, targetStride));
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref Unsafe.Add(ref target, 2 * targetStride));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref Unsafe.Add(ref target, 3 * targetStride));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref Unsafe.Add(ref target, 4 * targetStride));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref Unsafe.Add(ref target, 5 * targetStride));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref Unsafe.Add(ref target, 6 * targetStride));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref Unsafe.Add(ref target, 7 * targetStride));
    }

    /// <summary>The fallback without SIMD: i-p-j loops, so the inner loop runs along rows of B and C.</summary>
    private static void Scalar<T>(in GemmJob<T> job, int rowStart, int rowEnd, int columnStart, int columnEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = rowStart; i < rowEnd; i++)
        {
            var cRow = job.C.AsSpan(job.COffset + (i * job.Ldc) + columnStart, columnEnd - columnStart);
            if (!job.Accumulate)
            {
                cRow.Clear();
            }

            for (var p = 0; p < job.K; p++)
            {
                var aValue = job.TransposeA ? job.A[job.AOffset + (p * job.Lda) + i] : job.A[job.AOffset + (i * job.Lda) + p];
                for (var j = columnStart; j < columnEnd; j++)
                {
                    var bValue = job.TransposeB ? job.B[job.BOffset + (j * job.Ldb) + p] : job.B[job.BOffset + (p * job.Ldb) + j];
                    cRow[j - columnStart] += aValue * bValue;
                }
            }
        }
    }
}

/// <summary>The arguments of one GEMM, shareable with worker threads.</summary>
internal readonly struct GemmJob<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public GemmJob(
        bool transposeA, bool transposeB, int m, int n, int k,
        T[] a, int aOffset, int lda, T[] b, int bOffset, int ldb, T[] c, int cOffset, int ldc, bool accumulate)
    {
        TransposeA = transposeA;
        TransposeB = transposeB;
        M = m;
        N = n;
        K = k;
        A = a;
        AOffset = aOffset;
        Lda = lda;
        B = b;
        BOffset = bOffset;
        Ldb = ldb;
        C = c;
        COffset = cOffset;
        Ldc = ldc;
        Accumulate = accumulate;
    }

    public bool TransposeA { get; }

    public bool TransposeB { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public T[] A { get; }

    public int AOffset { get; }

    public int Lda { get; }

    public T[] B { get; }

    public int BOffset { get; }

    public int Ldb { get; }

    public T[] C { get; }

    public int COffset { get; }

    public int Ldc { get; }

    public bool Accumulate { get; }

    public void Run(int rowStart, int rowEnd, int columnStart, int columnEnd) => Gemm.RunBlock(this, rowStart, rowEnd, columnStart, columnEnd);
}

/// <summary>
/// Per-thread packing buffers, allocated once per thread and size. They are pinned and start on a 64-byte boundary,
/// so that the micro-kernel's vector loads (32 or 64 bytes) never straddle cache lines.
/// </summary>
internal static class PackBuffers<T>
    where T : unmanaged
{
    [ThreadStatic]
    private static PackBuffer<T>? s_a;

    [ThreadStatic]
    private static PackBuffer<T>? s_b;

    public static PackBuffer<T> A(int length) => s_a is { } buffer && buffer.Length >= length ? buffer : s_a = new PackBuffer<T>(length);

    public static PackBuffer<T> B(int length) => s_b is { } buffer && buffer.Length >= length ? buffer : s_b = new PackBuffer<T>(length);
}

/// <summary>A pinned array and the offset of its first 64-byte-aligned element.</summary>
internal sealed class PackBuffer<T>
    where T : unmanaged
{
    public PackBuffer(int length)
    {
        var size = Unsafe.SizeOf<T>();
        Array = GC.AllocateUninitializedArray<T>(length + (64 / size), pinned: true);
        unsafe
        {
            var address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Array));
            Offset = (int)((64 - (address % 64)) % 64) / size;
        }

        Length = length;
    }

    public T[] Array { get; }

    public int Offset { get; }

    public int Length { get; }

    public Span<T> Span => Array.AsSpan(Offset, Length);

    public ref T this[int index] => ref Array[Offset + index];
}
