namespace SymDiff.Tests.Runtime;

/// <summary>
/// Checks a pushforward rule, called directly in double: (1) against central finite differences of the op along the
/// tangent direction, (F(x + h·ẋ) − F(x − h·ẋ)) / 2h, for every pattern of null (zero) tangents; (2) against its pullback
/// by the adjoint identity ⟨J·ẋ, g⟩ = ⟨ẋ, Jᵀ·g⟩ for a random g; (3) for its argument validation: a wrong-shaped tangent
/// (or dResult) throws an <see cref="ArgumentException"/> naming the rule and the shapes, before anything is written.
/// Scalar inputs are 1-element tensors, so that they can be perturbed; their lambdas pass element 0 (0 for null).
/// </summary>
internal static class PushforwardChecker
{
    private const double Step = 1e-6;
    private const double Tolerance = 1e-6;
    private const double Sentinel = 12345.5;

    /// <summary>Calls a tensor-result pushforward with the forward result and the tangents; it overwrites dResult.</summary>
    public delegate void TensorPushforward(DTensor<double> result, DTensor<double>?[] tangents, DTensor<double> dResult);

    /// <summary>Calls a scalar-result pushforward; it returns the result's tangent.</summary>
    public delegate double ScalarPushforward(double result, DTensor<double>?[] tangents);

    /// <summary>
    /// Checks the pushforward of an op with a tensor result; <paramref name="validated"/> lists the inputs whose tangent
    /// shape the rule checks (default: all; scalars have none).
    /// </summary>
    public static void CheckTensorOp(
        Random random,
        string rule,
        DTensor<double>[] inputs,
        Func<DTensor<double>> forward,
        TensorPushforward pushforward,
        RuleChecker.TensorRule pullback,
        string context,
        int[]? validated = null)
    {
        var op = new Op(rule, inputs, () => forward().Clone(), (y, t, dy) => pushforward(y, t, dy), (y, g, d) => pullback(y, g, d), context);
        Check(random, op, validated ?? Enumerable.Range(0, inputs.Length).ToArray());
        CheckWrongResult(random, op);
    }

    /// <summary>Checks the pushforward of an op with a scalar result (it has no dResult).</summary>
    public static void CheckScalarOp(
        Random random,
        string rule,
        DTensor<double>[] inputs,
        Func<double> forward,
        ScalarPushforward pushforward,
        RuleChecker.ScalarRule pullback,
        string context,
        int[]? validated = null)
    {
        var op = new Op(
            rule,
            inputs,
            () => DTensor.Full(forward(), 1),
            (y, t, dy) => dy[0] = pushforward(y[0], t),
            (y, g, d) => pullback(y[0], g[0], d),
            context);
        Check(random, op, validated ?? Enumerable.Range(0, inputs.Length).ToArray());
    }

    /// <summary>The shape with its last dimension one longer (a vector for a scalar).</summary>
    public static int[] WrongShape(ReadOnlySpan<int> shape)
    {
        var wrong = shape.Length == 0 ? new[] { 2 } : shape.ToArray();
        wrong[^1]++;
        return wrong;
    }

    private static void Check(Random random, Op op, int[] validated)
    {
        var result = op.Forward();
        var tangents = op.Inputs.Select(x => DTensor.RandomUniform(random, -1.0, 1.0, x.Shape.ToArray())).ToArray();
        for (var mask = 0; mask < 1 << op.Inputs.Length; mask++)
        {
            var given = tangents.Select((t, i) => (mask & (1 << i)) != 0 ? null : t).ToArray();
            var actual = Fresh(result.Shape, double.NaN); // NaN: a rule that reads dResult instead of overwriting it fails
            op.Pushforward(result, given, actual);
            var expected = Directional(op, given);
            var error = MaxDifference(expected, actual);
            var scale = Math.Max(1.0, expected.ToArray().Select(Math.Abs).DefaultIfEmpty(0).Max());
            Assert.True(error <= Tolerance * scale, $"{op.Context}, null tangents {Convert.ToString(mask, 2)}: pushforward differs from finite differences by {error}");
        }

        CheckAdjoint(random, op, result, tangents);
        foreach (var i in validated)
        {
            var wrong = DTensor.RandomUniform(random, -1.0, 1.0, WrongShape(op.Inputs[i].Shape));
            var given = tangents.Select((t, j) => j == i ? wrong : t).ToArray();
            var dResult = Fresh(result.Shape, Sentinel);
            var exception = Assert.ThrowsAny<ArgumentException>(() => op.Pushforward(result, given, dResult));
            Assert.Contains(op.Rule, exception.Message, StringComparison.Ordinal);
            Assert.Contains(wrong.ShapeText, exception.Message, StringComparison.Ordinal);
            Assert.Contains(op.Inputs[i].ShapeText, exception.Message, StringComparison.Ordinal);
            Assert.All(dResult.ToArray(), v => Assert.Equal(Sentinel, v));
        }
    }

    /// <summary>⟨pushforward(ẋ), g⟩ = Σᵢ ⟨ẋᵢ, pullback(g)ᵢ⟩, the pullback accumulating into zeroed gradients.</summary>
    private static void CheckAdjoint(Random random, Op op, DTensor<double> result, DTensor<double>[] tangents)
    {
        var g = DTensor.RandomUniform(random, -1.0, 1.0, result.Shape.ToArray());
        var dResult = Fresh(result.Shape, double.NaN);
        op.Pushforward(result, tangents, dResult);
        var gradients = op.Inputs.Select(x => (DTensor<double>?)DTensor.Zeros<double>(x.Shape.ToArray())).ToArray();
        op.Pullback(result, g, gradients);
        var forward = RuleChecker.Dot(dResult, g);
        var reverse = tangents.Select((t, i) => RuleChecker.Dot(t, gradients[i]!)).Sum();
        Assert.True(
            Math.Abs(forward - reverse) <= 1e-10 * Math.Max(1.0, Math.Abs(forward)),
            $"{op.Context}: ⟨pushforward(ẋ), g⟩ = {forward} but ⟨ẋ, pullback(g)⟩ = {reverse}");
    }

    /// <summary>A dResult of the wrong shape throws, naming the rule and its shape, before anything is written.</summary>
    private static void CheckWrongResult(Random random, Op op)
    {
        var result = op.Forward();
        var tangents = op.Inputs.Select(x => (DTensor<double>?)DTensor.RandomUniform(random, -1.0, 1.0, x.Shape.ToArray())).ToArray();
        var dResult = Fresh(WrongShape(result.Shape), Sentinel);
        var exception = Assert.ThrowsAny<ArgumentException>(() => op.Pushforward(result, tangents, dResult));
        Assert.Contains(op.Rule, exception.Message, StringComparison.Ordinal);
        Assert.Contains(dResult.ShapeText, exception.Message, StringComparison.Ordinal);
        Assert.All(dResult.ToArray(), v => Assert.Equal(Sentinel, v));
    }

    /// <summary>(F(x + h·ẋ) − F(x − h·ẋ)) / 2h, a null tangent being zero; the inputs are restored afterwards.</summary>
    private static DTensor<double> Directional(Op op, DTensor<double>?[] tangents)
    {
        var saved = op.Inputs.Select(x => x.Clone()).ToArray();
        DTensor<double> At(double h)
        {
            for (var i = 0; i < op.Inputs.Length; i++)
            {
                for (var j = 0; j < op.Inputs[i].Length; j++)
                {
                    op.Inputs[i][j] = saved[i][j] + (h * (tangents[i]?[j] ?? 0.0));
                }
            }

            return op.Forward();
        }

        var plus = At(Step);
        var minus = At(-Step);
        for (var i = 0; i < op.Inputs.Length; i++)
        {
            op.Inputs[i].CopyFrom(saved[i]);
        }

        op.Forward(); // once more at x: an op that saves something for its rules (the softmax of CrossEntropy) saves it at x again

        return DTensor.Divide(DTensor.Subtract(plus, minus), 2 * Step);
    }

    private static DTensor<double> Fresh(ReadOnlySpan<int> shape, double value) => DTensor.Full(value, shape.ToArray());

    private static double MaxDifference(DTensor<double> expected, DTensor<double> actual)
    {
        Assert.True(expected.HasSameShape(actual));
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(expected[i] - actual[i]);
            worst = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(worst, difference);
        }

        return worst;
    }

    private sealed record Op(
        string Rule,
        DTensor<double>[] Inputs,
        Func<DTensor<double>> Forward,
        Action<DTensor<double>, DTensor<double>?[], DTensor<double>> Pushforward,
        Action<DTensor<double>, DTensor<double>, DTensor<double>?[]> Pullback,
        string Context);
}
