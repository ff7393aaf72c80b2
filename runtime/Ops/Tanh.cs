using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = tanh(x), elementwise.</summary>
        public static DTensor<T> Tanh<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Tanh(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Tanh{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Tanh<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            Kernels.TanhKernel.Apply(x, y);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = tanh(x): ∂y/∂x = 1 − y² (reuses y, so x is not kept).</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Tanh))]
        public static void TanhPullback<T>(DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(TanhPullback), dx, dResult);
            Check.SameShape(nameof(TanhPullback), result, dResult);
            if (dx is null)
            {
                return;
            }

            // dx += dy·(1 − y²) in one pass, without a buffer for the slope.
            var y = result.Span;
            var dy = dResult.Span;
            var target = dx.Span;
            var i = 0;
            if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            {
                for (; i <= y.Length - Vector256<T>.Count; i += Vector256<T>.Count)
                {
                    var yv = Vector256.Create(y.Slice(i, Vector256<T>.Count));
                    var g = Vector256.Create(dy.Slice(i, Vector256<T>.Count));
                    var d = Vector256.Create(target.Slice(i, Vector256<T>.Count));
                    (d + (g * (Vector256<T>.One - (yv * yv)))).CopyTo(target.Slice(i, Vector256<T>.Count));
                }
            }

            for (; i < y.Length; i++)
            {
                target[i] += dy[i] * (T.One - (y[i] * y[i]));
            }
        }

        /// <summary>y = tanh(x): ẏ = (1 − y²)·ẋ (reuses y).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Tanh))]
        public static void TanhPushforward<T>(DTensor<T> result, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            SlopeTimesTangent(nameof(TanhPushforward), result, dx, dResult, static (y, slope) =>
            {
                TensorPrimitives.Multiply<T>(y, y, slope);
                TensorPrimitives.Subtract<T>(T.One, slope, slope);
            });
        }

        /// <summary>dx += dResult ⊙ (1 − y²): its tangent is vdResult ⊙ (1 − y²) − 2·dResult ⊙ y ⊙ ẏ.</summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Tanh))]
        public static void TanhPullbackTangent<T>(DTensor<T> result, DTensor<T> dResult, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(TanhPullbackTangent), result, dResult, vresult, vdResult, vdx))
            {
                return;
            }

            TanhPullback(result, vdResult, vdx);
            if (vresult is not null)
            {
                var scale = Scratch<T>.Get(result.Length);
                TensorPrimitives.Multiply<T>(result.Span, vresult.Span, scale);
                TensorPrimitives.Multiply<T>(scale, -(T.One + T.One), scale);
                TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, scale, vdx.Span, vdx.Span);
            }
        }
    }
}

namespace SymDiff.Kernels
{
    /// <summary>
    /// tanh for float at the widest vector the CPU accelerates (TensorPrimitives.Tanh costs several times an exp per
    /// element on some CPUs): Cephes' tanhf, x + x³·P(x²) for |x| &lt; 0.625 and 1 − 2/(e^(2|x|) + 1) with x's sign
    /// above (relative error about 2e-7), |x| clamped at 10 where tanh rounds to ±1. Large tensors are split between
    /// the threads (elementwise: any split gives the same bits). Double keeps TensorPrimitives.
    /// </summary>
    internal static class TanhKernel
    {
        public static void Apply<T>(DTensor<T> x, DTensor<T> y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (typeof(T) != typeof(float) || ExpKernel.Width == SimdWidth.Scalar)
            {
                TensorPrimitives.Tanh<T>(x.Span, y.Span);
                return;
            }

            var work = PerThread<TanhWork>.Current;
            (work.X, work.Y) = (x as DTensor<float>, y as DTensor<float>);
            Parallelism.For(x.Length, work);
            (work.X, work.Y) = (null, null);
        }

        /// <summary>y = tanh(x) over a range (the scalar tail with the same formula as the vectors).</summary>
        internal static void Apply(ReadOnlySpan<float> x, Span<float> y)
        {
            var i = 0;
            ref var input = ref MemoryMarshal.GetReference(x);
            ref var output = ref MemoryMarshal.GetReference(y);
            if (ExpKernel.Width == SimdWidth.Bits512)
            {
                for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    Tanh(Vector512.LoadUnsafe(ref input, (nuint)i)).StoreUnsafe(ref output, (nuint)i);
                }
            }

            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Tanh(Vector256.LoadUnsafe(ref input, (nuint)i)).StoreUnsafe(ref output, (nuint)i);
            }

            if (i < x.Length)
            {
                // The tail through a padded vector, so every element gets the same arithmetic.
                Span<float> tail = stackalloc float[Vector256<float>.Count];
                x[i..].CopyTo(tail);
                Tanh(Vector256.Create<float>(tail)).CopyTo(tail);
                tail[..(x.Length - i)].CopyTo(y[i..]);
            }
        }

        private const float Small = 0.625f, Saturated = 10f;
        private const float Q0 = -5.70498872745e-3f, Q1 = 2.06390887954e-2f, Q2 = -5.37397155531e-2f;
        private const float Q3 = 1.33314422036e-1f, Q4 = -3.33332819422e-1f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Tanh(Vector256<float> x)
        {
            var ax = Vector256.Min(Vector256.Abs(x), Vector256.Create(Saturated));
            var e = ExpKernel.Exp(ax + ax);
            var large = Vector256<float>.One - (Vector256.Create(2f) / (e + Vector256<float>.One));
            var z = x * x;
            var p = Vector256.MultiplyAddEstimate(Vector256.Create(Q0), z, Vector256.Create(Q1));
            p = Vector256.MultiplyAddEstimate(p, z, Vector256.Create(Q2));
            p = Vector256.MultiplyAddEstimate(p, z, Vector256.Create(Q3));
            p = Vector256.MultiplyAddEstimate(p, z, Vector256.Create(Q4));
            var small = Vector256.MultiplyAddEstimate(p * z, x, x);
            var result = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(Small)), small, large);
            result = Vector256.ConditionalSelect(Vector256.Create(-0f), x, result); // x's sign (tanh is odd; -0 stays -0)
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x); // NaN stays NaN (Min would have made it 9)
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Tanh(Vector512<float> x)
        {
            var ax = Vector512.Min(Vector512.Abs(x), Vector512.Create(Saturated));
            var e = ExpKernel.Exp(ax + ax);
            var large = Vector512<float>.One - (Vector512.Create(2f) / (e + Vector512<float>.One));
            var z = x * x;
            var p = Vector512.MultiplyAddEstimate(Vector512.Create(Q0), z, Vector512.Create(Q1));
            p = Vector512.MultiplyAddEstimate(p, z, Vector512.Create(Q2));
            p = Vector512.MultiplyAddEstimate(p, z, Vector512.Create(Q3));
            p = Vector512.MultiplyAddEstimate(p, z, Vector512.Create(Q4));
            var small = Vector512.MultiplyAddEstimate(p * z, x, x);
            var result = Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(Small)), small, large);
            result = Vector512.ConditionalSelect(Vector512.Create(-0f), x, result); // x's sign (tanh is odd; -0 stays -0)
            return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x); // NaN stays NaN (Min would have made it 9)
        }

        private sealed class TanhWork : RangeWork
        {
            public DTensor<float>? X;
            public DTensor<float>? Y;

            public override void Execute(int start, int end) => Apply(X!.Span[start..end], Y!.Span[start..end]);
        }
    }
}
