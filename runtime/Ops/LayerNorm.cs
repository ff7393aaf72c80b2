using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>The ε that <see cref="LayerNorm{T}(DTensor{T}, DTensor{T}, DTensor{T})"/> adds to the variance: 10⁻⁵.</summary>
        public const double LayerNormEpsilon = 1e-5;

        /// <summary>
        /// Layer normalization over the last axis (of length m), fused: per row, μ = mean(x), σ² = mean((x − μ)²),
        /// x̂ = (x − μ)/√(σ² + ε) and y = x̂ ⊙ γ + β, with γ and β vectors of length m and ε = <see cref="LayerNormEpsilon"/>.
        /// </summary>
        public static DTensor<T> LayerNorm<T>(DTensor<T> x, DTensor<T> gamma, DTensor<T> beta)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return LayerNorm(x, gamma, beta, ref y);
        }

        /// <summary>Destination-passing form of <see cref="LayerNorm{T}(DTensor{T}, DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> LayerNorm<T>(DTensor<T> x, DTensor<T> gamma, DTensor<T> beta, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var columns = LayerNormWidth(nameof(LayerNorm), x, gamma, beta);
            var y = Buffers.Ensure(ref destination, x.Shape);
            for (var start = 0; start < x.Length; start += columns)
            {
                var output = y.Span.Slice(start, columns);
                Normalize(x.Span.Slice(start, columns), output);
                TensorPrimitives.FusedMultiplyAdd<T>(output, gamma.Span, beta.Span, output);
            }

            return y;
        }

        /// <summary>The length of the normalized axis, after checking x, γ and β against each other.</summary>
        internal static int LayerNormWidth<T>(string op, DTensor<T> x, DTensor<T> gamma, DTensor<T>? beta)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(gamma);
            Check.AtLeastRank(op, x, 1, "x");
            var columns = x.Dimension(-1);
            Vector(gamma, "gamma");
            Vector(beta, "beta");
            return columns;

            void Vector(DTensor<T>? vector, string name)
            {
                if (vector is not null && (vector.Rank != 1 || vector.Length != columns))
                {
                    throw new ArgumentException($"{op}: {name} {vector.ShapeText} must be a vector as long as the last dimension of {x.ShapeText}.");
                }
            }
        }

        /// <summary>x̂ = (x − μ)/√(σ² + ε) of one row; returns 1/√(σ² + ε).</summary>
        internal static T Normalize<T>(ReadOnlySpan<T> x, Span<T> normalized)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var count = T.CreateChecked(x.Length);
            TensorPrimitives.Subtract<T>(x, TensorPrimitives.Sum<T>(x) / count, normalized);
            var variance = TensorPrimitives.SumOfSquares<T>(normalized) / count;
            var scale = T.One / T.Sqrt(variance + T.CreateChecked(LayerNormEpsilon));
            TensorPrimitives.Multiply<T>(normalized, scale, normalized);
            return scale;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = x̂ ⊙ γ + β per row, x̂ = (x − μ)·r, r = 1/√(σ² + ε): ∂L/∂β = Σ_rows dy, ∂L/∂γ = Σ_rows dy ⊙ x̂ and, with
        /// g = dy ⊙ γ, ∂L/∂x = r · (g − mean(g) − x̂ · mean(g ⊙ x̂)). Recomputes x̂ and r from x (cheap beside the rest).
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.LayerNorm))]
        public static void LayerNormPullback<T>(
            DTensor<T> x, DTensor<T> gamma, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx, DTensor<T>? dgamma, DTensor<T>? dbeta)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var columns = LayerNormWidth(nameof(LayerNormPullback), x, gamma, null);
            Check.SameShape(nameof(LayerNormPullback), x, dResult);
            Check.Gradient(nameof(LayerNormPullback), dx, x);
            Check.Gradient(nameof(LayerNormPullback), dgamma, gamma);
            Check.Gradient(nameof(LayerNormPullback), dbeta, gamma);
            if (columns == 0)
            {
                return;
            }

            var scratch = Scratch<T>.Get(2 * columns);
            var normalized = scratch[..columns];
            var g = scratch[columns..];
            var count = T.CreateChecked(columns);
            for (var start = 0; start < x.Length; start += columns)
            {
                var dy = dResult.Span.Slice(start, columns);
                var scale = Normalize(x.Span.Slice(start, columns), normalized);
                if (dbeta is not null)
                {
                    TensorPrimitives.Add<T>(dbeta.Span, dy, dbeta.Span);
                }

                if (dgamma is not null)
                {
                    TensorPrimitives.FusedMultiplyAdd<T>(dy, normalized, dgamma.Span, dgamma.Span);
                }

                if (dx is not null)
                {
                    TensorPrimitives.Multiply<T>(dy, gamma.Span, g);
                    var meanG = TensorPrimitives.Sum<T>(g) / count;
                    var meanGx = TensorPrimitives.Dot<T>(g, normalized) / count;
                    TensorPrimitives.Subtract<T>(g, meanG, g);
                    TensorPrimitives.FusedMultiplyAdd<T>(normalized, -meanGx, g, g);
                    var output = dx.Span.Slice(start, columns);
                    TensorPrimitives.FusedMultiplyAdd<T>(g, scale, output, output);
                }
            }
        }

        /// <summary>
        /// y = x̂ ⊙ γ + β per row: ẏ = r·(ẋ − mean(ẋ) − x̂·mean(x̂ ⊙ ẋ)) ⊙ γ + x̂ ⊙ γ̇ + β̇ (x̂ and r recomputed from x).
        /// </summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.LayerNorm))]
        public static void LayerNormPushforward<T>(
            DTensor<T> x, DTensor<T> gamma, DTensor<T>? dx, DTensor<T>? dgamma, DTensor<T>? dbeta, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var columns = LayerNormWidth(nameof(LayerNormPushforward), x, gamma, null);
            Check.ResultTangent(nameof(LayerNormPushforward), dResult, x.Shape);
            Check.Tangent(nameof(LayerNormPushforward), dx, x);
            Check.Tangent(nameof(LayerNormPushforward), dgamma, gamma);
            Check.Tangent(nameof(LayerNormPushforward), dbeta, gamma);
            if (columns == 0 || (dx is null && dgamma is null && dbeta is null))
            {
                dResult.Clear();
                return;
            }

            var normalized = Scratch<T>.Get(columns);
            var inverseCount = T.One / T.CreateChecked(columns);
            for (var start = 0; start < x.Length; start += columns)
            {
                var output = dResult.Span.Slice(start, columns);
                var scale = Normalize(x.Span.Slice(start, columns), normalized);
                if (dx is null)
                {
                    output.Clear();
                }
                else
                {
                    var tangent = dx.Span.Slice(start, columns);
                    TensorPrimitives.Subtract<T>(tangent, TensorPrimitives.Sum<T>(tangent) * inverseCount, output);
                    TensorPrimitives.FusedMultiplyAdd<T>(normalized, -TensorPrimitives.Dot<T>(normalized, tangent) * inverseCount, output, output);
                    TensorPrimitives.Multiply<T>(output, gamma.Span, output);
                    TensorPrimitives.Multiply<T>(output, scale, output);
                }

                if (dgamma is not null)
                {
                    TensorPrimitives.FusedMultiplyAdd<T>(normalized, dgamma.Span, output, output);
                }

                if (dbeta is not null)
                {
                    TensorPrimitives.Add<T>(output, dbeta.Span, output);
                }
            }
        }

        /// <summary>
        /// The pullback is linear in dy and in γ (through g = dy ⊙ γ), so its tangent is the pullback along vdResult, plus
        /// the dx part of the pullback of dy with γ̇ in γ's place, plus what moving x does: with m = mean(x̂ ⊙ ẋ),
        /// ṙ = −r²·m and x̂̇ = r·(ẋ − mean(ẋ) − x̂·m), dγ gains dy ⊙ x̂̇ and dx = r·h, h = g − mean(g) − x̂·mean(g ⊙ x̂),
        /// gains −r²·m·h − r·(x̂̇·mean(g ⊙ x̂) + x̂·mean(g ⊙ x̂̇)) (x̂ and r recomputed from x).
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.LayerNorm))]
        public static void LayerNormPullbackTangent<T>(
            DTensor<T> x, DTensor<T> gamma, DTensor<T> dResult, DTensor<T>? vx, DTensor<T>? vgamma, DTensor<T> vdResult, DTensor<T>? vdx, DTensor<T>? vdgamma, DTensor<T>? vdbeta)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var columns = LayerNormWidth(nameof(LayerNormPullbackTangent), x, gamma, null);
            Check.SameShape(nameof(LayerNormPullbackTangent), x, dResult);
            Check.SameShape(nameof(LayerNormPullbackTangent), x, vdResult);
            Check.Tangent(nameof(LayerNormPullbackTangent), vx, x);
            Check.Tangent(nameof(LayerNormPullbackTangent), vgamma, gamma);
            Check.Gradient(nameof(LayerNormPullbackTangent), vdx, x);
            Check.Gradient(nameof(LayerNormPullbackTangent), vdgamma, gamma);
            Check.Gradient(nameof(LayerNormPullbackTangent), vdbeta, gamma);
            LayerNormPullback(x, gamma, vdResult, vdx, vdgamma, vdbeta);
            if (vgamma is not null && vdx is not null)
            {
                LayerNormPullback(x, vgamma, dResult, vdx, null, null);
            }

            if (columns == 0 || vx is null || (vdx is null && vdgamma is null))
            {
                return;
            }

            var scratch = Scratch<T>.Get(3 * columns); // after the pullbacks, which use the scratch too
            var normalized = scratch[..columns];
            var moved = scratch[columns..(2 * columns)];
            var g = scratch[(2 * columns)..];
            var inverseCount = T.One / T.CreateChecked(columns);
            for (var start = 0; start < x.Length; start += columns)
            {
                var dy = dResult.Span.Slice(start, columns);
                var tangent = vx.Span.Slice(start, columns);
                var r = Normalize(x.Span.Slice(start, columns), normalized);
                var m = TensorPrimitives.Dot<T>(normalized, tangent) * inverseCount;
                TensorPrimitives.Subtract<T>(tangent, TensorPrimitives.Sum<T>(tangent) * inverseCount, moved);
                TensorPrimitives.FusedMultiplyAdd<T>(normalized, -m, moved, moved);
                TensorPrimitives.Multiply<T>(moved, r, moved); // x̂̇
                if (vdgamma is not null)
                {
                    TensorPrimitives.FusedMultiplyAdd<T>(dy, moved, vdgamma.Span, vdgamma.Span);
                }

                if (vdx is null)
                {
                    continue;
                }

                TensorPrimitives.Multiply<T>(dy, gamma.Span, g);
                var meanG = TensorPrimitives.Sum<T>(g) * inverseCount;
                var meanGx = TensorPrimitives.Dot<T>(g, normalized) * inverseCount;
                var meanGMoved = TensorPrimitives.Dot<T>(g, moved) * inverseCount;
                TensorPrimitives.Subtract<T>(g, meanG, g);
                TensorPrimitives.FusedMultiplyAdd<T>(normalized, -meanGx, g, g); // h
                var output = vdx.Span.Slice(start, columns);
                TensorPrimitives.FusedMultiplyAdd<T>(g, -r * r * m, output, output);
                TensorPrimitives.FusedMultiplyAdd<T>(moved, -r * meanGx, output, output);
                TensorPrimitives.FusedMultiplyAdd<T>(normalized, -r * meanGMoved, output, output);
            }
        }
    }
}
