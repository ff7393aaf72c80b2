using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y = x^p, elementwise, for a scalar exponent p.</summary>
        public static DTensor<T> Pow<T>(DTensor<T> x, T p)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Pow(x, p, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Pow{T}(DTensor{T}, T)"/>.</summary>
        public static DTensor<T> Pow<T>(DTensor<T> x, T p, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            TensorPrimitives.Pow<T>(x.Span, p, y.Span);
            return y;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = x^p: ∂y/∂x = p·x^(p−1), ∂y/∂p = y·ln x, counted where x &gt; 0 only (elsewhere x^p is not differentiable
        /// in p, or not real).
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Pow))]
        public static void PowPullback<T>(DTensor<T> x, T p, DTensor<T> result, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx, ref T dp)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(PowPullback), x, dResult);
            Check.SameShape(nameof(PowPullback), result, dResult);
            Check.Gradient(nameof(PowPullback), dx, dResult);
            var input = x.Span;
            var output = result.Span;
            var gradient = dResult.Span;
            var scratch = Scratch<T>.Get(input.Length);
            if (dx is not null)
            {
                TensorPrimitives.Pow<T>(input, p - T.One, scratch);
                TensorPrimitives.Multiply<T>(scratch, p, scratch);
                TensorPrimitives.FusedMultiplyAdd<T>(gradient, scratch, dx.Span, dx.Span);
            }

            var sum = T.Zero;
            for (var i = 0; i < input.Length; i++)
            {
                if (input[i] > T.Zero)
                {
                    sum += gradient[i] * output[i] * T.Log(input[i]);
                }
            }

            dp += sum;
        }

        /// <summary>y = x^p: ẏ = p·x^(p−1)·ẋ + ṗ·y·ln x, the ṗ term where x &gt; 0 only (as in the pullback).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Pow))]
        public static void PowPushforward<T>(DTensor<T> x, T p, DTensor<T> result, DTensor<T>? dx, T dp, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            Check.SameShape(nameof(PowPushforward), x, result);
            Check.ResultTangent(nameof(PowPushforward), dResult, x.Shape);
            Check.Tangent(nameof(PowPushforward), dx, x);
            var output = dResult.Span;
            if (dx is null)
            {
                output.Clear();
            }
            else
            {
                TensorPrimitives.Pow<T>(x.Span, p - T.One, output);
                TensorPrimitives.Multiply<T>(output, p, output);
                TensorPrimitives.Multiply<T>(output, dx.Span, output);
            }

            if (dp == T.Zero)
            {
                return;
            }

            var input = x.Span;
            var values = result.Span;
            for (var i = 0; i < input.Length; i++)
            {
                if (input[i] > T.Zero)
                {
                    output[i] += dp * values[i] * T.Log(input[i]);
                }
            }
        }

        /// <summary>
        /// dx += dy ⊙ p·x^(p−1) and dp += Σ dy ⊙ y ⊙ ln x (x &gt; 0): their tangents are the pullback along vdResult, plus
        /// dy ⊙ (p(p−1)·x^(p−2)·ẋ + ṗ·x^(p−1)·(1 + p·ln x)) for dx and Σ dy ⊙ (ẏ ⊙ ln x + y ⊙ ẋ ⊘ x) for dp, with ẏ the
        /// result's tangent; the ln x terms where x &gt; 0 only, as in the pullback.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Pow))]
        public static void PowPullbackTangent<T>(
            DTensor<T> x, T p, DTensor<T> result, DTensor<T> dResult, DTensor<T>? vx, T vp, DTensor<T>? vresult, DTensor<T> vdResult, DTensor<T>? vdx, ref T vdp)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(PowPullbackTangent), x, result);
            Check.SameShape(nameof(PowPullbackTangent), x, dResult);
            Check.SameShape(nameof(PowPullbackTangent), x, vdResult);
            Check.Tangent(nameof(PowPullbackTangent), vx, x);
            Check.Tangent(nameof(PowPullbackTangent), vresult, x);
            Check.Gradient(nameof(PowPullbackTangent), vdx, x);
            PowPullback(x, p, result, vdResult, vdx, ref vdp);
            var input = x.Span;
            var values = result.Span;
            var gradient = dResult.Span;
            var sum = T.Zero;
            for (var i = 0; i < input.Length; i++)
            {
                var (xi, log) = (input[i], input[i] > T.Zero ? T.Log(input[i]) : T.Zero);
                var (dxi, dyi) = (vx is null ? T.Zero : vx[i], vresult is null ? T.Zero : vresult[i]);
                if (vdx is not null)
                {
                    var slope = vp == T.Zero ? T.Zero : vp * T.Pow(xi, p - T.One) * (T.One + (p * log));
                    if (dxi != T.Zero)
                    {
                        slope += p * (p - T.One) * T.Pow(xi, p - (T.One + T.One)) * dxi;
                    }

                    vdx[i] += gradient[i] * slope;
                }

                if (xi > T.Zero)
                {
                    sum += gradient[i] * ((dyi * log) + (values[i] * dxi / xi));
                }
            }

            vdp += sum;
        }
    }
}
