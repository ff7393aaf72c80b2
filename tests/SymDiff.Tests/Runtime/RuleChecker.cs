namespace SymDiff.Tests.Runtime;

/// <summary>
/// Checks a derivative rule against central finite differences with <see cref="GradientCheck"/>: the loss is
/// L = ⟨r, op(inputs)⟩ for a random r, so the rule is called with dResult = r. Adjoints start non-zero, so that the
/// rule is also checked to accumulate (+=) rather than overwrite.
/// </summary>
internal static class RuleChecker
{
    public delegate void TensorRule(DTensor<double> result, DTensor<double> dResult, DTensor<double>?[] adjoints);

    public delegate void ScalarRule(double result, double dResult, DTensor<double>?[] adjoints);

    public static void CheckTensorOp(Random random, DTensor<double>[] inputs, Func<DTensor<double>> forward, TensorRule rule, string context, double tolerance = 1e-6)
    {
        var result = forward();
        var r = DTensor.RandomUniform(random, -1.0, 1.0, result.Shape.ToArray());
        double Loss() => Dot(forward(), r);
        var (adjoints, starts) = StartingAdjoints(random, inputs);
        rule(result, r, adjoints);
        AssertMatches(Loss, inputs, adjoints!, starts, context, tolerance);
    }

    public static void CheckScalarOp(Random random, DTensor<double>[] inputs, Func<double> forward, ScalarRule rule, string context, double tolerance = 1e-6)
    {
        var result = forward();
        var r = random.NextDouble() + 0.5;
        double Loss() => r * forward();
        var (adjoints, starts) = StartingAdjoints(random, inputs);
        rule(result, r, adjoints);
        AssertMatches(Loss, inputs, adjoints!, starts, context, tolerance);
    }

    public static double Dot(DTensor<double> a, DTensor<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static (DTensor<double>?[] Adjoints, DTensor<double>[] Starts) StartingAdjoints(Random random, DTensor<double>[] inputs)
    {
        var starts = inputs.Select(x => DTensor.RandomUniform(random, -1.0, 1.0, x.Shape.ToArray())).ToArray();
        return (starts.Select(s => (DTensor<double>?)s.Clone()).ToArray(), starts);
    }

    private static void AssertMatches(Func<double> loss, DTensor<double>[] inputs, DTensor<double>?[] adjoints, DTensor<double>[] starts, string context, double tolerance)
    {
        var gradients = adjoints.Select((a, i) => DTensor.Subtract(a!, starts[i])).ToArray();
        var check = GradientCheck.Run(loss, inputs, gradients, tolerance: tolerance);
        Assert.True(check.Passed, context + ": " + check);
    }
}
