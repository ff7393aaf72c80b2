namespace SymDiff.Tests.Infrastructure;

/// <summary>Central finite differences in double precision, the reference every gradient test compares against.</summary>
public static class FiniteDifferences
{
    /// <summary>∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h, with h scaled to |x_i|.</summary>
    public static double[] Gradient(Func<double[], double> f, double[] x, double step = 1e-6)
    {
        var gradient = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var h = step * Math.Max(1, Math.Abs(x[i]));
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[i] += h;
            minus[i] -= h;
            gradient[i] = (f(plus) - f(minus)) / (plus[i] - minus[i]);
        }

        return gradient;
    }

    /// <summary>
    /// Whether the left and right slopes of f along x_i differ within a step of 1e-4 (scaled to |x_i|): a branch
    /// boundary, a rounding or a kink is that close, and central differences there are no reference.
    /// </summary>
    public static bool NearKink(Func<double[], double> f, double[] x, int i, double tolerance)
    {
        var h = 1e-4 * Math.Max(1, Math.Abs(x[i]));
        var plus = (double[])x.Clone();
        var minus = (double[])x.Clone();
        plus[i] += h;
        minus[i] -= h;
        var center = f(x);
        var right = (f(plus) - center) / h;
        var left = (center - f(minus)) / h;
        return Math.Abs(right - left) > (100 * tolerance) + (1e-2 * Math.Abs(right + left));
    }

    /// <summary>Asserts that two gradients agree to a relative tolerance (absolute near zero).</summary>
    public static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-6, string? context = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var scale = Math.Max(1, Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance * scale,
                $"{context} component {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    /// <summary>
    /// Checks every element of every parameter's gradient against central differences of a float model's
    /// <paramref name="loss"/> (step 10⁻², tolerance 2·10⁻³ + 2 % of the difference: float forward passes are noisy);
    /// returns how many elements it checked.
    /// </summary>
    public static int AssertFloatGradients(ParameterSet<float> parameters, Func<float> loss, string context = "")
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(loss);
        const float step = 1e-2f;
        var checkedElements = 0;
        foreach (var parameter in parameters)
        {
            for (var i = 0; i < parameter.Value.Length; i++)
            {
                var original = parameter.Value[i];
                parameter.Value[i] = original + step;
                var plus = (double)loss();
                parameter.Value[i] = original - step;
                var minus = (double)loss();
                parameter.Value[i] = original;
                var numeric = (plus - minus) / (2 * step);
                Assert.True(
                    Math.Abs(parameter.Gradient[i] - numeric) <= 2e-3 + (2e-2 * Math.Abs(numeric)),
                    $"{parameter.Name}[{i}]{context}: generated {parameter.Gradient[i]}, finite differences {numeric}");
                checkedElements++;
            }
        }

        return checkedElements;
    }
}
