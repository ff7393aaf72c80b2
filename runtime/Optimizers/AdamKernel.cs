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
    /// m ← m + (1−β₁)(g − m); v ← β₂v + (1−β₂)g²; θ ← θ − stepSize · m / (√v · inverseCorrection2 + ε): the forms of
    /// <c>torch.optim.Adam</c> (<c>lerp_</c> for m, <c>mul_</c>/<c>addcmul_</c> for v).
    /// </summary>
    /// <remarks>
    /// 1−β comes in rounded once from double, as in PyTorch: computed in float from a β already rounded to float it
    /// is off by 1.3e-5 (relative) at β₂ = 0.999 and by 1.4e-3 at 0.99999.
    /// </remarks>
    public static void Update<T>(Span<T> theta, ReadOnlySpan<T> gradient, Span<T> m, Span<T> v, T oneMinusBeta1, T beta2, T oneMinusBeta2, T inverseCorrection2, T epsilon, T stepSize)
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
            var c1 = Vector256.Create(oneMinusBeta1);
            var b2 = Vector256.Create(beta2);
            var c2 = Vector256.Create(oneMinusBeta2);
            var correction = Vector256.Create(inverseCorrection2);
            var eps = Vector256.Create(epsilon);
            var step = Vector256.Create(stepSize);
            for (; i <= theta.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var offset = (nuint)i;
                var g = Vector256.LoadUnsafe(ref gRef, offset);
                var mi = Vector256.LoadUnsafe(ref mRef, offset);
                mi += c1 * (g - mi);
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
            m[i] += oneMinusBeta1 * (g - m[i]);
            v[i] = (beta2 * v[i]) + (oneMinusBeta2 * g * g);
            theta[i] -= stepSize * m[i] / ((T.Sqrt(v[i]) * inverseCorrection2) + epsilon);
        }
    }
}
