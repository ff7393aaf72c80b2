using System.Numerics;

namespace SymDiff;

/// <summary>
/// Adafactor (Shazeer &amp; Stern, 2018, Algorithms 4 and 5): second moments factored into row and column
/// statistics for matrices (rank ≥ 2: the last axis is the columns, the rest the rows), unfactored for vectors.
/// At step t: β̂₂ = 1 − t^(−0.8); ρ = min(η, 1/√t) with η = 0.01 by default; α = max(ε₂, RMS(θ))·ρ;
/// R ← β̂₂R + (1−β̂₂)(G² + ε₁)1, C ← β̂₂C + (1−β̂₂)1ᵀ(G² + ε₁), V̂ = RC/(1ᵀR) (vectors: V̂ ← β̂₂V̂ + (1−β̂₂)(G² + ε₁));
/// U = G/√V̂; Û = U / max(1, RMS(U)/d); θ ← θ − αÛ.
/// </summary>
/// <remarks>
/// Choices the paper leaves open: weight decay follows <c>torch.optim.Adafactor</c> (θ ← θ − ηλθ before the
/// update, with η the relative-step cap); the optional first moment (β₁) follows the authors' Tensor2Tensor code,
/// which averages the scaled update: m ← β₁m + (1−β₁)αÛ, θ ← θ − m. ε₁ is added to the squared gradient as in
/// the paper (PyTorch instead clamps the denominator by ε₁); with ε₁ = 1e-30 the two agree to float precision.
/// </remarks>
public sealed class Adafactor<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DTensor<T>?[] _rows;
    private readonly DTensor<T>?[] _columns;
    private readonly DTensor<T>?[] _vectors;
    private readonly DTensor<T>?[] _firstMoment;

    /// <summary>Creates the optimizer with the paper's defaults.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">η: the cap of the relative step size ρ = min(η, 1/√t).</param>
    /// <param name="decayExponent">c in β̂₂ = 1 − t^(−c).</param>
    /// <param name="epsilon1">ε₁, added to squared gradients.</param>
    /// <param name="epsilon2">ε₂, the floor of RMS(θ) in the step size.</param>
    /// <param name="clipThreshold">d, the update clipping threshold.</param>
    /// <param name="beta1">β₁ for an optional first moment (null: none, as in the paper's main algorithm).</param>
    /// <param name="weightDecay">λ.</param>
    public Adafactor(
        ParameterSet<T> parameters,
        double learningRate = 1e-2,
        double decayExponent = 0.8,
        double epsilon1 = 1e-30,
        double epsilon2 = 1e-3,
        double clipThreshold = 1.0,
        double? beta1 = null,
        double weightDecay = 0)
        : base(parameters, learningRate)
    {
        DecayExponent = decayExponent;
        Epsilon1 = epsilon1;
        Epsilon2 = epsilon2;
        ClipThreshold = clipThreshold;
        Beta1 = beta1;
        WeightDecay = weightDecay;
        var count = parameters.Count;
        _rows = new DTensor<T>?[count];
        _columns = new DTensor<T>?[count];
        _vectors = new DTensor<T>?[count];
        _firstMoment = new DTensor<T>?[count];
        for (var i = 0; i < count; i++)
        {
            var value = parameters[i].Value;
            if (value.Rank >= 2)
            {
                var columns = value.Dimension(-1);
                _rows[i] = AddState(parameters[i], "row", columns == 0 ? 0 : value.Length / columns);
                _columns[i] = AddState(parameters[i], "column", columns);
            }
            else
            {
                _vectors[i] = AddState(parameters[i], "v", value.Shape.ToArray());
            }

            if (beta1 is not null)
            {
                _firstMoment[i] = AddState(parameters[i], "m", value.Shape.ToArray());
            }
        }
    }

    /// <summary>c in β̂₂ = 1 − t^(−c).</summary>
    public double DecayExponent { get; }

    /// <summary>ε₁.</summary>
    public double Epsilon1 { get; }

    /// <summary>ε₂.</summary>
    public double Epsilon2 { get; }

    /// <summary>d.</summary>
    public double ClipThreshold { get; }

    /// <summary>β₁, or null for no first moment.</summary>
    public double? Beta1 { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Parameter<T> parameter)
    {
        var theta = parameter.Value.Span;
        var gradient = parameter.Gradient.Span;
        if (theta.Length == 0)
        {
            return;
        }

        // The statistics move toward G² + ε₁ by 1 − β̂₂ = t^(−c), rounded once from double, as torch.optim.Adafactor's
        // lerp_: 1 − β̂₂ computed in T from a rounded β̂₂ loses its relative precision as β̂₂ nears 1 (3e-4 at step
        // 10⁵ in float), and β̂₂x + (1 − β̂₂)y with both rounded would not keep x when y = x.
        var t = (double)StepCount;
        var oneMinusBeta2 = T.CreateChecked(Math.Pow(t, -DecayExponent));
        var rho = Math.Min(LearningRate, 1 / Math.Sqrt(t));
        var alpha = T.CreateChecked(Math.Max(Epsilon2, double.CreateChecked(Rms(theta))) * rho);
        if (WeightDecay != 0 && parameter.Decays)
        {
            TensorPrimitives.Multiply<T>(theta, T.CreateChecked(1 - (LearningRate * WeightDecay)), theta);
        }

        // U = G / √V̂, into the work buffer.
        var update = Work.AsSpan(0, theta.Length);
        var epsilon1 = T.CreateChecked(Epsilon1);
        if (_rows[index] is { } rowState && _columns[index] is { } columnState)
        {
            FactoredScale(gradient, rowState.Span, columnState.Span, oneMinusBeta2, epsilon1, update);
        }
        else
        {
            var v = _vectors[index]!.Span;
            TensorPrimitives.Multiply<T>(gradient, gradient, update);
            TensorPrimitives.Add<T>(update, epsilon1, update);
            TensorPrimitives.Subtract<T>(update, v, update);
            TensorPrimitives.FusedMultiplyAdd<T>(update, oneMinusBeta2, v, v);
            TensorPrimitives.Sqrt<T>(v, update);
            TensorPrimitives.Divide<T>(gradient, update, update);
        }

        // Û = U / max(1, RMS(U)/d), scaled by α.
        var clip = T.Max(T.One, Rms(update) / T.CreateChecked(ClipThreshold));
        var scale = alpha / clip;
        if (_firstMoment[index] is { } moment)
        {
            var m = moment.Span;
            TensorPrimitives.Multiply<T>(m, T.CreateChecked(Beta1!.Value), m);
            TensorPrimitives.FusedMultiplyAdd<T>(update, T.CreateChecked(1 - Beta1.Value) * scale, m, m);
            TensorPrimitives.Subtract<T>(theta, m, theta);
        }
        else
        {
            TensorPrimitives.FusedMultiplyAdd<T>(update, -scale, theta, theta);
        }
    }

    /// <summary>
    /// Moves the row and column statistics toward the sums of G² + ε₁ and writes U = G/√V̂ with V̂ᵢⱼ = RᵢCⱼ/ΣR,
    /// computed as Gᵢⱼ · √(ΣR/Rᵢ) · (1/√Cⱼ).
    /// </summary>
    private static void FactoredScale(ReadOnlySpan<T> gradient, Span<T> rows, Span<T> columns, T oneMinusBeta2, T epsilon1, Span<T> update)
    {
        var width = columns.Length;

        // Squared gradients + ε₁ into the update buffer; R ← R + (1−β̂₂)(row sums − R), C likewise with column sums.
        TensorPrimitives.Multiply<T>(gradient, gradient, update);
        TensorPrimitives.Add<T>(update, epsilon1, update);
        var columnSums = Scratch<T>.Get(width);
        columnSums.Clear();
        for (var i = 0; i < rows.Length; i++)
        {
            var row = update.Slice(i * width, width);
            rows[i] += oneMinusBeta2 * (TensorPrimitives.Sum<T>(row) - rows[i]);
            TensorPrimitives.Add<T>(columnSums, row, columnSums);
        }

        TensorPrimitives.Subtract<T>(columnSums, columns, columnSums);
        TensorPrimitives.FusedMultiplyAdd<T>(columnSums, oneMinusBeta2, columns, columns);

        var inverseColumns = Scratch<T>.Get(width); // the same buffer: the column sums are spent
        TensorPrimitives.ReciprocalSqrt<T>(columns, inverseColumns);
        var total = TensorPrimitives.Sum<T>(rows);
        for (var i = 0; i < rows.Length; i++)
        {
            var rowScale = T.Sqrt(total / rows[i]);
            var output = update.Slice(i * width, width);
            TensorPrimitives.Multiply<T>(gradient.Slice(i * width, width), inverseColumns, output);
            TensorPrimitives.Multiply<T>(output, rowScale, output);
        }
    }

    /// <summary>RMS(x) = √(mean x²).</summary>
    private static T Rms(ReadOnlySpan<T> x) => T.Sqrt(TensorPrimitives.Dot<T>(x, x) / T.CreateChecked(x.Length));
}
