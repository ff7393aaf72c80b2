using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>The pullback-tangent rules of the transformer's ops: LayerNorm.</summary>
public sealed partial class PullbackTangentRuleTests
{
    [Fact]
    public void LayerNorm()
    {
        var random = new Random(41);
        foreach (var shape in new[] { new[] { 3, 4 }, [1, 5], [4, 1], [7], [2, 3, 4] })
        {
            var x = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var gamma = DTensor.RandomUniform(random, 0.5, 1.5, shape[^1]);
            var beta = DTensor.RandomUniform(random, -1.0, 1.0, shape[^1]);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.LayerNormPullbackTangent),
                [x, gamma, beta],
                shape,
                (dy, d) => DTensorRules.LayerNormPullback(x, gamma, dy, d[0], d[1], d[2]),
                (dy, t, vdy, v) => DTensorRules.LayerNormPullbackTangent(x, gamma, dy, t[0], t[1], vdy, v[0], v[1], v[2]),
                $"LayerNorm {string.Join("x", shape)}",
                validated: [0, 1]); // it reads no tangent of β: the pullback does not read β
        }
    }
}
