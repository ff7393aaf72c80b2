using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>√(2/π), the scale inside GELU's tanh.</summary>
        internal const double GeluScale = 0.7978845608028654;

        /// <summary>The cubic coefficient of GELU's tanh approximation.</summary>
        internal const double GeluCubic = 0.044715;

        /// <summary>
        /// y = GELU(x) in the tanh form of GPT-2 and BERT, elementwise: y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³).
        /// </summary>
        public static DTensor<T> Gelu<T>(DTensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Gelu(x, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Gelu{T}(DTensor{T})"/>.</summary>
        public static DTensor<T> Gelu<T>(DTensor<T> x, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            var y = Buffers.Ensure(ref destination, x.Shape);
            var output = y.Span;
            GeluTanh(x.Span, output); // tanh u
            TensorPrimitives.Add<T>(output, T.One, output);
            TensorPrimitives.Multiply<T>(output, x.Span, output);
            TensorPrimitives.Multiply<T>(output, T.CreateChecked(0.5), output);
            return y;
        }

        /// <summary>t = tanh(√(2/π)(x + 0.044715x³)), elementwise (t may not be x).</summary>
        internal static void GeluTanh<T>(ReadOnlySpan<T> x, Span<T> t)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Multiply<T>(x, x, t);
            TensorPrimitives.Multiply<T>(t, T.CreateChecked(GeluCubic), t);
            TensorPrimitives.Add<T>(t, T.One, t);
            TensorPrimitives.Multiply<T>(t, x, t);
            TensorPrimitives.Multiply<T>(t, T.CreateChecked(GeluScale), t);
            TensorPrimitives.Tanh<T>(t, t);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³): ∂y/∂x = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), with
        /// t = tanh u recomputed from x.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Gelu))]
        public static void GeluPullback<T>(DTensor<T> x, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.SameShape(nameof(GeluPullback), x, dResult);
            Check.Gradient(nameof(GeluPullback), dx, dResult);
            if (dx is null)
            {
                return;
            }

            var n = x.Length;
            var half = T.CreateChecked(0.5);
            var scratch = Scratch<T>.Get(3 * n);
            var t = scratch[..n];
            var slope = scratch[n..(2 * n)];
            var square = scratch[(2 * n)..];
            GeluTanh(x.Span, t);
            TensorPrimitives.Multiply<T>(x.Span, x.Span, slope);
            TensorPrimitives.Multiply<T>(slope, T.CreateChecked(3 * GeluCubic), slope);
            TensorPrimitives.Add<T>(slope, T.One, slope); // 1 + 3·0.044715x²
            TensorPrimitives.Multiply<T>(slope, x.Span, slope);
            TensorPrimitives.Multiply<T>(slope, T.CreateChecked(0.5 * GeluScale), slope); // ½x·√(2/π)(1 + 3·0.044715x²)
            TensorPrimitives.Multiply<T>(t, t, square);
            TensorPrimitives.Subtract<T>(T.One, square, square); // 1 − t²
            TensorPrimitives.Multiply<T>(slope, square, slope);
            TensorPrimitives.Add<T>(t, T.One, t);
            TensorPrimitives.Multiply<T>(t, half, t); // ½(1 + t)
            TensorPrimitives.Add<T>(slope, t, slope);
            TensorPrimitives.FusedMultiplyAdd<T>(dResult.Span, slope, dx.Span, dx.Span);
        }

        /// <summary>y = ½x(1 + tanh u): ẏ = (½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²))·ẋ, t = tanh u.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Gelu))]
        public static void GeluPushforward<T>(DTensor<T> x, DTensor<T>? dx, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            SlopeTimesTangent(nameof(GeluPushforward), x, dx, dResult, static (value, slope) =>
            {
                var half = T.CreateChecked(0.5);
                var scale = T.CreateChecked(GeluScale);
                var cubic = T.CreateChecked(GeluCubic);
                for (var i = 0; i < value.Length; i++)
                {
                    var v = value[i];
                    var t = T.Tanh(scale * (v + cubic * v * v * v));
                    slope[i] = half * (T.One + t) + half * v * (T.One - t * t) * scale * (T.One + T.CreateChecked(3) * cubic * v * v);
                }
            });
        }

        /// <summary>
        /// dx += dy ⊙ y′(x): its tangent is the pullback along vdResult plus dy ⊙ y″(x) ⊙ ẋ, where with t = tanh u,
        /// u′ = √(2/π)(1 + 3·0.044715x²): y″ = (1 − t²)·(u′ − x·t·u′² + 3·√(2/π)·0.044715x²).
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Gelu))]
        public static void GeluPullbackTangent<T>(DTensor<T> x, DTensor<T> dResult, DTensor<T>? vx, DTensor<T> vdResult, DTensor<T>? vdx)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!ElementwisePullbackTangent(nameof(GeluPullbackTangent), x, dResult, vx, vdResult, vdx))
            {
                return;
            }

            GeluPullback(x, vdResult, vdx);
            if (vx is null)
            {
                return;
            }

            var scale = T.CreateChecked(GeluScale);
            var cubic = T.CreateChecked(GeluCubic);
            var three = T.CreateChecked(3);
            var input = x.Span;
            var gradient = dResult.Span;
            var tangent = vx.Span;
            var output = vdx.Span;
            for (var i = 0; i < input.Length; i++)
            {
                var v = input[i];
                var t = T.Tanh(scale * (v + (cubic * v * v * v)));
                var du = scale * (T.One + (three * cubic * v * v));
                var curvature = (T.One - (t * t)) * (du - (v * t * du * du) + (three * scale * cubic * v * v));
                output[i] += gradient[i] * curvature * tangent[i];
            }
        }
    }
}
