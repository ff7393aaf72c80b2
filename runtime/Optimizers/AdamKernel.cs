using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SymDiff;

/// <summary>
/// The Adam update in a single pass over θ, g, m and v (Adam is memory-bound: separate TensorPrimitives calls
/// would read and write each array several times).
/// </summary>
internal static class AdamKernel
{
    /// <summary>
    /// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − stepSize · m / (√v · inverseCorrection2 + ε).
    /// </summary>
    public static void Update<T>(Span<T> theta, ReadOnlySpan<T> gradient, Span<T> m, Span<T> v, T beta1, T beta2, T inverseCorrection2, T epsilon, T stepSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (theta.Length != gradient.Length || theta.Length != m.Length || theta.Length != v.Length)
        {
            throw new ArgumentException("Adam: parameter, gradient and moments differ in length.");
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && theta.Length >= Vector256<T>.Count)
        {
            ref var tRef = ref MemoryMarshal.GetReference(theta);
            ref var gRef = ref MemoryMarshal.GetReference(gradient);
            ref var mRef = ref MemoryMarshal.GetReference(m);
            ref var vRef = ref MemoryMarshal.GetReference(v);
            var b1 = Vector256.Create(beta1);
            var c1 = Vector256.Create(T.One - beta1);
            var b2 = Vector256.Create(beta2);
            var c2 = Vector256.Create(T.One - beta2);
            var correction = Vector256.Create(inverseCorrection2);
            var eps = Vector256.Create(epsilon);
            var step = Vector256.Create(stepSize);
            for (; i <= theta.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var offset = (nuint)i;
                var g = Vector256.LoadUnsafe(ref gRef, offset);
                var mi = (b1 * Vector256.LoadUnsafe(ref mRef, offset)) + (c1 * g);
                var vi = (b2 * Vector256.LoadUnsafe(ref vRef, offset)) + (c2 * g * g);
                mi.StoreUnsafe(ref mRef, offset);
                vi.StoreUnsafe(ref vRef, offset);
                var denominator = (Vector256.Sqrt(vi) * correction) + eps;
                (Vector256.LoadUnsafe(ref tRef, offset) - (step * mi / denominator)).StoreUnsafe(ref tRef, offset);
            }
        }

        for (; i < theta.Length; i++)
        {
            var g = gradient[i];
            m[i] = (beta1 * m[i]) + ((T.One - beta1) * g);
            v[i] = (beta2 * v[i]) + ((T.One - beta2) * g * g);
            theta[i] -= stepSize * m[i] / ((T.Sqrt(v[i]) * inverseCorrection2) + epsilon);
        }
    }
}
