using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SymDiff.Kernels;

/// <summary>
/// y = e^(x − shift) and Σ y in one pass: the core of softmax, log-sum-exp and cross-entropy. TensorPrimitives.Exp
/// costs about 1.4 ns per float and each separate pass re-reads the row; for float this kernel uses a Cephes-style
/// exp (e^x = 2ⁿ·e^r with r = x − n·ln 2 split in two parts, a degree-6 polynomial for e^r in fused multiply-adds;
/// relative error about 1e-7) at the widest vector the CPU accelerates. Double keeps TensorPrimitives' exp.
/// </summary>
internal static class ExpKernel
{
    /// <summary>The vector width used: the widest the CPU accelerates; tests set it to run the other path.</summary>
    public static SimdWidth Width { get; set; } = Gemm.Detect();

    /// <summary>Writes e^(x − shift) to <paramref name="output"/> and returns its sum.</summary>
    public static T ShiftedExpSum<T>(ReadOnlySpan<T> x, T shift, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var sum = ShiftedExpSum(MemoryMarshal.Cast<T, float>(x), Unsafe.As<T, float>(ref shift), MemoryMarshal.Cast<T, float>(output));
            return Unsafe.As<float, T>(ref sum);
        }

        TensorPrimitives.Subtract<T>(x, shift, output);
        TensorPrimitives.Exp<T>(output, output);
        return TensorPrimitives.Sum<T>(output);
    }

    private static float ShiftedExpSum(ReadOnlySpan<float> x, float shift, Span<float> output)
    {
        var i = 0;
        var total = 0f;
        ref var input = ref MemoryMarshal.GetReference(x);
        ref var result = ref MemoryMarshal.GetReference(output);
        if (Width == SimdWidth.Bits512 && x.Length >= Vector512<float>.Count)
        {
            var shiftVector = Vector512.Create(shift);
            var sum = Vector512<float>.Zero;
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var e = Exp(Vector512.LoadUnsafe(ref input, (nuint)i) - shiftVector);
                e.StoreUnsafe(ref result, (nuint)i);
                sum += e;
            }

            total = Vector512.Sum(sum);
        }

        if (Width != SimdWidth.Scalar && x.Length - i >= Vector256<float>.Count)
        {
            var shiftVector = Vector256.Create(shift);
            var sum = Vector256<float>.Zero;
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var e = Exp(Vector256.LoadUnsafe(ref input, (nuint)i) - shiftVector);
                e.StoreUnsafe(ref result, (nuint)i);
                sum += e;
            }

            total += Vector256.Sum(sum);
        }

        for (; i < x.Length; i++)
        {
            output[i] = MathF.Exp(Math.Clamp(x[i] - shift, Lo, Hi)); // clamped as the vectors are
            total += output[i];
        }

        return total;
    }

    // Cephes expf: n = round(x·log₂e), r = x − n·C1 − n·C2 (C1 + C2 = ln 2, C1 exact in few bits), then
    // e^r ≈ 1 + r + r²·P(r) and e^x = 2ⁿ·e^r. Inputs are clamped to [−87.3, 127.5·ln 2 = 88.376] so that 2ⁿ is a
    // normal float (n ≤ 127; above, e^x would need 2¹²⁸): the callers shift by the row's maximum, so theirs are ≤ 0.
    private const float Lo = -87.3f, Hi = 88.3762626f, Log2E = 1.44269504088896341f, C1 = 0.693359375f, C2 = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /// <summary>e^x for 8 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(Lo)), Vector256.Create(Hi));
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-C1), x);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-C2), r);
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(P2));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(P3));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(P4));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(P5));
        p = Vector256.MultiplyAddEstimate(p, r * r, r + Vector256<float>.One);
        var scale = (Vector256.ConvertToInt32(n) + Vector256.Create(127)) << 23;
        return p * scale.AsSingle();
    }

    /// <summary>e^x for 16 floats (the same steps as the 8-float form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(Lo)), Vector512.Create(Hi));
        var n = Vector512.Round(x * Vector512.Create(Log2E));
        var r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-C1), x);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-C2), r);
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(P2));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(P3));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(P4));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(P5));
        p = Vector512.MultiplyAddEstimate(p, r * r, r + Vector512<float>.One);
        var scale = (Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23;
        return p * scale.AsSingle();
    }
}
