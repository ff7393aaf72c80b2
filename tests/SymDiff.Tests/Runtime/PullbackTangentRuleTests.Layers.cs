using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>The pullback-tangent rules of the transformer's ops: LayerNorm, BatchMatMul and the causal softmax.</summary>
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

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void BatchMatMul(bool transposeA, bool transposeB)
    {
        var random = new Random(42);
        foreach (var (batch, m, k, n) in new[] { (new[] { 1 }, 1, 1, 1), ([2], 3, 5, 2), ([3], 1, 4, 3), ([2], 3, 4, 1), ([2, 2], 2, 3, 4) })
        {
            var a = DTensor.RandomUniform(random, -1.0, 1.0, [.. batch, .. transposeA ? new[] { k, m } : [m, k]]);
            var b = DTensor.RandomUniform(random, -1.0, 1.0, [.. batch, .. transposeB ? new[] { n, k } : [k, n]]);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.BatchMatMulPullbackTangent),
                [a, b],
                [.. batch, m, n],
                (dy, d) => DTensorRules.BatchMatMulPullback(a, b, transposeA, transposeB, dy, d[0], d[1]),
                (dy, t, vdy, v) => DTensorRules.BatchMatMulPullbackTangent(a, b, transposeA, transposeB, dy, t[0], t[1], vdy, v[0], v[1]),
                $"[{string.Join(", ", batch)}] × {m}x{k}x{n}");
        }
    }

    [Fact]
    public void CausalSoftmax()
    {
        var random = new Random(43);
        foreach (var shape in new[] { new[] { 4, 4 }, [1, 5], [4, 1], [3, 5], [5, 3], [2, 3, 3] })
        {
            var x = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.CausalSoftmaxPullbackTangent),
                [x],
                shape,
                (dy, d) => DTensorRules.CausalSoftmaxPullback(DTensor.CausalSoftmax(x), dy, d[0]),
                (dy, t, vdy, v) =>
                {
                    var y = DTensor.CausalSoftmax(x);
                    var vy = ResultTangent([x], t, shape, (given, vr) => DTensorRules.CausalSoftmaxPushforward(y, given[0], vr));
                    DTensorRules.CausalSoftmaxPullbackTangent(y, dy, vy, vdy, v[0]);
                },
                $"CausalSoftmax {string.Join("x", shape)}");
        }
    }
}
