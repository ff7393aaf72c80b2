namespace SymDiff.Tests.Training;

/// <summary>
/// Optimizers in float against the same optimizers in double, over 200 steps from the same values and gradients:
/// the float run stays within float rounding of the double one. Each test also replays the old float computation
/// (1 − β in float from a β already rounded to float) and checks that it falls outside the tolerance.
/// </summary>
public sealed class FloatOptimizerTests
{
    private const int Steps = 200;

    /// <summary>Float's unit roundoff, 2⁻²⁴: rounding to float moves a value by at most this, relatively (half an ulp).</summary>
    private static readonly double U = Math.Pow(2, -24);

    [Theory]
    [InlineData(0.999, false)]
    [InlineData(0.99999, false)]
    [InlineData(0.999, true)]
    [InlineData(0.99999, true)]
    public void FloatAdamFollowsDoubleAdamToFloatRounding(double beta2, bool decoupled)
    {
        // η = λ = 2⁻⁷: AdamW's factor 1 − ηλ = 1 − 2⁻¹⁴ is exact in float, so its decay only rounds θ once more.
        const double lr = 1.0 / 128, beta1 = 0.9, epsilon = 1e-8;
        var weightDecay = decoupled ? 1.0 / 128 : 0;
        Optimizer<TValue> Create<TValue>(ParameterSet<TValue> parameters)
            where TValue : unmanaged, System.Numerics.IFloatingPointIeee754<TValue> => decoupled
                ? new AdamW<TValue>(parameters, lr, beta1, beta2, epsilon, weightDecay)
                : new Adam<TValue>(parameters, lr, beta1, beta2, epsilon);

        // Tolerance of a step, relative to its size: 8u for rounding (the step and the moments' updates round a dozen
        // times, by at most u each, with signs that partly cancel: measured at most 5u here), plus the
        // effect of β₂ itself rounded to float, which PyTorch's float Adam has too (it multiplies v by a float β₂):
        // each weight β₂ʲ of v moves by at most j·|δβ₂| relatively, so by step t v̂ moves by at most t·|δβ₂| and the
        // step, through √v̂, by half that. m is moved by 1 − β₁ alone, rounded once: no β₁ term.
        var deltaBeta2 = Math.Abs((float)beta2 - beta2);
        double StepTolerance(long t) => (8 * U) + (t * deltaBeta2 / 2);

        // The old computation, as it was: the same kernel with 1 − β evaluated in float.
        float[]? m = null, v = null;
        void OldStep(float[] theta, float[] g, long t)
        {
            m ??= new float[theta.Length];
            v ??= new float[theta.Length];
            float b1 = (float)beta1, b2 = (float)beta2;
            var correction = (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, t)));
            var stepSize = (float)(lr / (1 - Math.Pow(beta1, t)));
            for (var i = 0; i < theta.Length; i++)
            {
                if (decoupled)
                {
                    theta[i] *= 1f - (float)(lr * weightDecay);
                }

                m[i] = (b1 * m[i]) + ((1f - b1) * g[i]);
                v[i] = (b2 * v[i]) + ((1f - b2) * g[i] * g[i]);
                theta[i] -= stepSize * m[i] / ((MathF.Sqrt(v[i]) * correction) + (float)epsilon);
            }
        }

        // 19 elements: the kernel's vector loop and its scalar tail.
        var comparison = Compare(Create, Create, [19], firstStep: 0, StepTolerance, storageRoundings: decoupled ? 2 : 1, OldStep);
        comparison.AssertFloatWithinToleranceAndOldOutside($"β₂ = {beta2}, {(decoupled ? "AdamW" : "Adam")}");
    }

    [Fact]
    public void FloatAdafactorFollowsDoubleAdafactorToFloatRoundingLateInTraining()
    {
        // Late in training β̂₂ = 1 − t^(−0.8) nears 1 (0.9999 at step 10⁵), where 1 − β̂₂ in float from a rounded β̂₂
        // is off by up to 3e-4. The statistics start empty there, so they are still moving and the weight matters;
        // a large d keeps update clipping from renormalizing U, which would hide a scale error of V̂.
        const long firstStep = 100_000;
        const double lr = 1e-2, decayExponent = 0.8, epsilon1 = 1e-30, epsilon2 = 1e-3, d = 1e3;
        Optimizer<TValue> Create<TValue>(ParameterSet<TValue> parameters)
            where TValue : unmanaged, System.Numerics.IFloatingPointIeee754<TValue> =>
            new Adafactor<TValue>(parameters, lr, decayExponent, epsilon1, epsilon2, d);

        // Tolerance of a step, relative to its size: 16u for rounding (α's RMS, the statistics' sums and updates,
        // √V̂, the division and the product each round by at most u: measured at most 10u). 1 − β̂₂ is rounded once.
        static double StepTolerance(long t) => 16 * U;

        // The old computation for a vector: v ← β̂₂v + (1 − β̂₂)(G² + ε₁) with 1 − β̂₂ evaluated in float.
        float[]? v = null;
        void OldStep(float[] theta, float[] g, long t)
        {
            v ??= new float[theta.Length];
            var beta2 = (float)(1 - Math.Pow(t, -decayExponent));
            var rho = Math.Min(lr, 1 / Math.Sqrt(t));
            var alpha = (float)(Math.Max(epsilon2, Rms(theta)) * rho);
            var u = new float[theta.Length];
            for (var i = 0; i < theta.Length; i++)
            {
                v[i] = (beta2 * v[i]) + ((1f - beta2) * ((g[i] * g[i]) + (float)epsilon1));
                u[i] = g[i] / MathF.Sqrt(v[i]);
            }

            var scale = alpha / (float)Math.Max(1, Rms(u) / d);
            for (var i = 0; i < theta.Length; i++)
            {
                theta[i] -= scale * u[i];
            }
        }

        Compare(Create, Create, [19], firstStep, StepTolerance, storageRoundings: 1, OldStep)
            .AssertFloatWithinToleranceAndOldOutside("Adafactor, a vector");
        Compare(Create, Create, [5, 7], firstStep, StepTolerance, storageRoundings: 1, oldStep: null)
            .AssertFloatWithinToleranceAndOldOutside("Adafactor, a matrix (factored)");
    }

    /// <summary>
    /// Runs one parameter through the float and the double optimizer (and the old float computation, if given) for
    /// <see cref="Steps"/> steps after <paramref name="firstStep"/>, with the same initial values and gradients.
    /// The tolerance of each element adds two parts. Errors that can lean one way add up: over the steps,
    /// <paramref name="stepTolerance"/> times the double run's step. Storing θ in float rounds it to the nearest float
    /// (<paramref name="storageRoundings"/> times a step), an error uniform in ±ulp/2, unbiased and unrelated from
    /// step to step (a step is many thousands of ulps): those add up like a random walk, and we allow 4 of its
    /// standard deviations, √(Σ ulp²/12).
    /// </summary>
    private static Comparison Compare(
        Func<ParameterSet<float>, Optimizer<float>> createFloat,
        Func<ParameterSet<double>, Optimizer<double>> createDouble,
        int[] shape,
        long firstStep,
        Func<long, double> stepTolerance,
        int storageRoundings,
        Action<float[], float[], long>? oldStep)
    {
        var length = shape.Aggregate(1, (a, b) => a * b);
        var random = new Random(3);

        // Values that the steps (about η each) carry across zero, and gradients of one sign, so that neither θ nor
        // the steps are sums that cancel: their relative errors stay meaningful. Both are exact in float.
        var initial = Enumerable.Range(0, length).Select(_ => (float)(0.8 + (0.4 * random.NextDouble()))).ToArray();
        static float Gradient(long t, int i) => (float)(1 + (0.5 * Math.Sin(i + (0.37 * t))));

        var floats = new ParameterSet<float>();
        var single = floats.Add("w", DTensor<float>.FromArray((float[])initial.Clone(), shape));
        var doubles = new ParameterSet<double>();
        var wide = doubles.Add("w", DTensor<double>.FromArray(initial.Select(x => (double)x).ToArray(), shape));
        var floatOptimizer = createFloat(floats);
        var doubleOptimizer = createDouble(doubles);
        floatOptimizer.RestoreStepCount(firstStep);
        doubleOptimizer.RestoreStepCount(firstStep);

        var old = (float[])initial.Clone();
        var gradient = new float[length];
        var leaning = new double[length];
        var storageVariance = new double[length];
        for (var t = firstStep + 1; t <= firstStep + Steps; t++)
        {
            for (var i = 0; i < length; i++)
            {
                gradient[i] = Gradient(t, i);
                single.Gradient[i] = gradient[i];
                wide.Gradient[i] = gradient[i];
            }

            var before = wide.Value.ToArray();
            floatOptimizer.Step();
            doubleOptimizer.Step();
            oldStep?.Invoke(old, gradient, t);
            for (var i = 0; i < length; i++)
            {
                leaning[i] += stepTolerance(t) * Math.Abs(wide.Value[i] - before[i]);
                var magnitude = MathF.Abs(single.Value[i]);
                double ulp = MathF.BitIncrement(magnitude) - magnitude;
                storageVariance[i] += storageRoundings * ulp * ulp / 12;
            }
        }

        return new Comparison(
            Enumerable.Range(0, length).Select(i => Math.Abs(single.Value[i] - wide.Value[i])).ToArray(),
            oldStep is null ? null : Enumerable.Range(0, length).Select(i => Math.Abs(old[i] - wide.Value[i])).ToArray(),
            Enumerable.Range(0, length).Select(i => leaning[i] + (4 * Math.Sqrt(storageVariance[i]))).ToArray());
    }

    private static double Rms(float[] x) => Math.Sqrt(x.Sum(value => (double)value * value) / x.Length);

    /// <summary>Per element: the float run's and the old computation's distance from the double run, and the tolerance.</summary>
    private sealed record Comparison(double[] FloatError, double[]? OldError, double[] Tolerance)
    {
        public void AssertFloatWithinToleranceAndOldOutside(string what)
        {
            for (var i = 0; i < Tolerance.Length; i++)
            {
                Assert.True(
                    FloatError[i] <= Tolerance[i],
                    $"{what}, element {i}: the float run is {FloatError[i]:E3} from the double one, beyond the tolerance {Tolerance[i]:E3}");
                Assert.True(
                    OldError is null || OldError[i] > Tolerance[i],
                    $"{what}, element {i}: the old computation ({OldError?[i]:E3} away) should fall outside the tolerance {Tolerance[i]:E3}");
            }
        }
    }
}
