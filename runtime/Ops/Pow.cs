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
    }
}
