namespace SymDiff.Tests.Runtime;

/// <summary>
/// Checks a pullback-tangent rule, called directly in double: (1) against central finite differences of the op's
/// pullback along the direction, (P(x + h·ẋ, g + h·ġ) − P(x − h·ẋ, g − h·ġ)) / 2h, for every pattern of null (zero)
/// input tangents, the rule adding into outputs that already hold values; (2) that a null output is skipped; (3) that a
/// wrong-shaped tangent throws an <see cref="ArgumentException"/> naming the rule before anything is written. The
/// closures read the inputs as they are when called (the checker perturbs them in place); scalar inputs and a scalar
/// dResult are 1-element tensors, so that they can be perturbed.
/// </summary>
internal static class PullbackTangentChecker
{
    private const double Step = 1e-6;
    private const double Tolerance = 1e-6;
    private const double Sentinel = 12345.5;

    /// <summary>The op's pullback at the current inputs (the forward recomputed if it reads the result or saved state), adding into zeroed gradients.</summary>
    public delegate void Pullback(DTensor<double> dResult, DTensor<double>?[] gradients);

    /// <summary>The rule at the current inputs: the inputs' tangents (null: zero), dResult's tangent, and the outputs it adds into (null: skipped).</summary>
    public delegate void Tangent(DTensor<double> dResult, DTensor<double>?[] tangents, DTensor<double> vdResult, DTensor<double>?[] outputs);

    public static void Check(Random random, string rule, DTensor<double>[] inputs, int[] resultShape, Pullback pullback, Tangent tangent, string context, int[]? validated = null)
    {
        var dResult = DTensor.RandomUniform(random, -1.0, 1.0, resultShape);
        var vdResult = DTensor.RandomUniform(random, -1.0, 1.0, resultShape);
        var tangents = inputs.Select(x => DTensor.RandomUniform(random, -1.0, 1.0, x.Shape.ToArray())).ToArray();
        for (var mask = 0; mask < 1 << inputs.Length; mask++)
        {
            var given = tangents.Select((t, i) => (mask & (1 << i)) != 0 ? null : t).ToArray();
            var start = inputs.Select(x => DTensor.RandomUniform(random, -1.0, 1.0, x.Shape.ToArray())).ToArray();
            var outputs = start.Select(s => (DTensor<double>?)s.Clone()).ToArray();
            tangent(dResult, given, vdResult, outputs);
            var expected = Directional(inputs, pullback, dResult, given, vdResult);
            for (var i = 0; i < inputs.Length; i++)
            {
                var scale = Math.Max(1.0, expected[i].ToArray().Select(Math.Abs).DefaultIfEmpty(0).Max());
                for (var j = 0; j < inputs[i].Length; j++)
                {
                    var error = Math.Abs(outputs[i]![j] - start[i][j] - expected[i][j]);
                    Assert.True(error <= Tolerance * scale, $"{context}, null tangents {Convert.ToString(mask, 2)}: output {i}[{j}] is {outputs[i]![j] - start[i][j]} added, finite differences say {expected[i][j]}");
                }
            }
        }

        // A null output is skipped; the others are still written.
        for (var skipped = 0; skipped < inputs.Length; skipped++)
        {
            var all = inputs.Select(x => (DTensor<double>?)DTensor.Zeros<double>(x.Shape.ToArray())).ToArray();
            tangent(dResult, tangents, vdResult, all);
            var some = inputs.Select((x, i) => i == skipped ? null : (DTensor<double>?)DTensor.Zeros<double>(x.Shape.ToArray())).ToArray();
            tangent(dResult, tangents, vdResult, some);
            for (var i = 0; i < inputs.Length; i++)
            {
                if (i != skipped)
                {
                    Assert.Equal(all[i]!.ToArray(), some[i]!.ToArray());
                }
            }
        }

        foreach (var i in validated ?? Enumerable.Range(0, inputs.Length))
        {
            var wrong = DTensor.RandomUniform(random, -1.0, 1.0, PushforwardChecker.WrongShape(inputs[i].Shape));
            var given = tangents.Select((t, j) => j == i ? wrong : t).ToArray();
            var outputs = inputs.Select(x => (DTensor<double>?)DTensor.Full(Sentinel, x.Shape.ToArray())).ToArray();
            var exception = Assert.ThrowsAny<ArgumentException>(() => tangent(dResult, given, vdResult, outputs));
            Assert.Contains(rule, exception.Message, StringComparison.Ordinal);
            Assert.All(outputs, o => Assert.All(o!.ToArray(), v => Assert.Equal(Sentinel, v)));
        }
    }

    /// <summary>(P(x + h·ẋ, g + h·ġ) − P(x − h·ẋ, g − h·ġ)) / 2h per input; the inputs are restored afterwards.</summary>
    private static DTensor<double>[] Directional(DTensor<double>[] inputs, Pullback pullback, DTensor<double> dResult, DTensor<double>?[] tangents, DTensor<double> vdResult)
    {
        var saved = inputs.Select(x => x.Clone()).ToArray();
        DTensor<double>[] At(double h)
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                for (var j = 0; j < inputs[i].Length; j++)
                {
                    inputs[i][j] = saved[i][j] + (h * (tangents[i]?[j] ?? 0.0));
                }
            }

            var gradients = inputs.Select(x => (DTensor<double>?)DTensor.Zeros<double>(x.Shape.ToArray())).ToArray();
            pullback(DTensor.Add(dResult, DTensor.Multiply(vdResult, h)), gradients);
            return gradients.Select(g => g!).ToArray();
        }

        var plus = At(Step);
        var minus = At(-Step);
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i].CopyFrom(saved[i]);
        }

        return plus.Select((p, i) => DTensor.Divide(DTensor.Subtract(p, minus[i]), 2 * Step)).ToArray();
    }
}
