using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>Every op's derivative rule against central finite differences in double, over sizes 0..40 (SIMD tails).</summary>
public sealed class OpRuleTests
{
    private static readonly int[] Sizes = Enumerable.Range(0, 41).ToArray();

    public static TheoryData<string> UnaryOps => new(ElementwiseOps.Unary);

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void UnaryElementwise(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var n in Sizes)
        {
            var x = ElementwiseOps.UnaryInput(random, op, n);
            var (forward, rule) = (ElementwiseOps.UnaryForward(op), ElementwiseOps.UnaryPullback(op));
            RuleChecker.CheckTensorOp(random, new[] { x }, () => forward(x), (y, dy, d) => rule(x, y, dy, d[0]), $"{op} n={n}");
        }
    }

    public static TheoryData<string> BinaryOps => new(ElementwiseOps.Binary);

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void BinaryElementwise(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var n in Sizes)
        {
            var (a, b) = ElementwiseOps.BinaryInputs(random, op, n);
            RuleChecker.CheckTensorOp(random, new[] { a, b }, ElementwiseOps.BinaryForward(op, a, b), ElementwiseOps.BinaryPullback(op, a, b), $"{op} n={n}");
        }
    }

    public static TheoryData<string> ScalarOperandOps => new(ElementwiseOps.Binary);

    [Theory]
    [MemberData(nameof(ScalarOperandOps))]
    public void TensorWithScalar(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal) + 1);
        foreach (var n in Sizes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, n);
            var s = DTensor.Full(random.NextDouble() + 0.5, 1); // the scalar, as a 1-element tensor so it can be perturbed
            RuleChecker.CheckTensorOp(
                random, new[] { a, s }, ElementwiseOps.WithScalarForward(op, a, s), ElementwiseOps.WithScalarPullback(op, a, s), $"{op}(tensor, scalar) n={n}");
        }
    }

    [Fact]
    public void AddRowBias()
    {
        var random = new Random(1);
        foreach (var n in Sizes)
        {
            var x = DTensor.RandomUniform(random, -1.0, 1.0, 3, n);
            var b = DTensor.RandomUniform(random, -1.0, 1.0, n);
            RuleChecker.CheckTensorOp(random, new[] { x, b }, () => DTensor.AddRowBias(x, b), (y, dy, d) => DTensorRules.AddRowBiasPullback(dy, d[0], d[1]), $"n={n}");
        }
    }

    [Fact]
    public void SumAndMean()
    {
        var random = new Random(2);
        foreach (var n in Sizes.Skip(1))
        {
            var x = DTensor.RandomUniform(random, -1.0, 1.0, n);
            RuleChecker.CheckScalarOp(random, new[] { x }, () => DTensor.Sum(x), (y, dy, d) => DTensorRules.SumPullback(dy, d[0]), $"Sum n={n}");
            RuleChecker.CheckScalarOp(random, new[] { x }, () => DTensor.Mean(x), (y, dy, d) => DTensorRules.MeanPullback(dy, d[0]), $"Mean n={n}");
        }
    }

    [Fact]
    public void SumAndMeanAlongTheLastAxis()
    {
        var random = new Random(3);
        foreach (var n in Sizes.Skip(1))
        {
            var x = DTensor.RandomUniform(random, -1.0, 1.0, 3, n);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => DTensor.SumLastAxis(x), (y, dy, d) => DTensorRules.SumLastAxisPullback(dy, d[0]), $"SumLastAxis n={n}");
            RuleChecker.CheckTensorOp(random, new[] { x }, () => DTensor.MeanLastAxis(x), (y, dy, d) => DTensorRules.MeanLastAxisPullback(dy, d[0]), $"MeanLastAxis n={n}");
        }
    }

    [Fact]
    public void SoftmaxAndLogSoftmax()
    {
        var random = new Random(4);
        foreach (var n in Sizes)
        {
            var x = DTensor.RandomUniform(random, -3.0, 3.0, 3, n);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => DTensor.Softmax(x), (y, dy, d) => DTensorRules.SoftmaxPullback(y, dy, d[0]), $"Softmax n={n}");
            RuleChecker.CheckTensorOp(random, new[] { x }, () => DTensor.LogSoftmax(x), (y, dy, d) => DTensorRules.LogSoftmaxPullback(y, dy, d[0]), $"LogSoftmax n={n}");
        }
    }

    [Fact]
    public void SoftmaxIsStableForLargeLogits()
    {
        var x = DTensor<double>.FromArray(new[] { 1000.0, 1001.0, 999.0 }, 1, 3);
        var y = DTensor.Softmax(x);
        var logY = DTensor.LogSoftmax(x);
        var expected = new[] { Math.Exp(-1) / (1 + Math.Exp(-1) + Math.Exp(-2)), 1 / (1 + Math.Exp(-1) + Math.Exp(-2)), Math.Exp(-2) / (1 + Math.Exp(-1) + Math.Exp(-2)) };
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], y[i], 12);
            Assert.Equal(Math.Log(expected[i]), logY[i], 12);
        }

        var single = DTensor.Softmax(DTensor<float>.FromArray(new[] { 100f, 200f, 300f }, 1, 3));
        Assert.All(single.ToArray(), v => Assert.False(float.IsNaN(v)));
    }

    [Fact]
    public void EmbeddingScatterAddsIntoTouchedRowsOnly()
    {
        var random = new Random(5);
        foreach (var n in Sizes)
        {
            var table = DTensor.RandomUniform(random, -1.0, 1.0, n + 1, 3);
            var ids = Enumerable.Range(0, 6).Select(_ => random.Next(n + 1)).ToArray();
            RuleChecker.CheckTensorOp(random, new[] { table }, () => DTensor.Embedding(table, ids), (y, dy, d) => DTensorRules.EmbeddingPullback(ids, dy, d[0]), $"vocabulary {n + 1}");
        }

        var big = DTensor.Zeros<double>(1000, 4);
        var gradient = DTensor.Zeros<double>(1000, 4);
        var rows = new[] { 7, 7, 42 };
        DTensorRules.EmbeddingPullback(rows, DTensor.Full(1.0, 3, 4), gradient);
        for (var v = 0; v < 1000; v++)
        {
            Assert.Equal(v == 7 ? 2.0 : v == 42 ? 1.0 : 0.0, gradient[v, 0]);
        }
    }

    [Fact]
    public void ConcatAlongTheLastAxis()
    {
        var random = new Random(6);
        foreach (var n in Sizes)
        {
            var a = DTensor.RandomUniform(random, -1.0, 1.0, 2, n);
            var b = DTensor.RandomUniform(random, -1.0, 1.0, 2, 3);
            RuleChecker.CheckTensorOp(random, new[] { a, b }, () => DTensor.Concat(a, b), (y, dy, d) => DTensorRules.ConcatPullback(a, b, dy, d[0], d[1]), $"n={n}");
        }
    }

    [Fact]
    public void ReshapeIsAViewAndItsAdjointIsElementwise()
    {
        var random = new Random(7);
        foreach (var n in Sizes)
        {
            var x = DTensor.RandomUniform(random, -1.0, 1.0, n, 2);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => DTensor.Reshape(x, 2, -1), (y, dy, d) => DTensorRules.ReshapePullback(dy, d[0]), $"n={n}");
        }

        var source = DTensor<float>.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var view = DTensor.Reshape(source, 3, 2);
        view[2, 1] = 60;
        Assert.Equal(60, source[1, 2]); // same storage, no copy
    }

    [Fact]
    public void CrossEntropy()
    {
        var random = new Random(8);
        foreach (var n in Sizes)
        {
            var logits = DTensor.RandomUniform(random, -3.0, 3.0, 4, n + 1);
            var targets = Enumerable.Range(0, 4).Select(_ => random.Next(n + 1)).ToArray();
            RuleChecker.CheckScalarOp(random, new[] { logits }, () => DTensor.CrossEntropy(logits, targets), (y, dy, d) => DTensorRules.CrossEntropyPullback(logits, targets, dy, d[0]), $"classes {n + 1}");
        }
    }

    [Fact]
    public void SquareLoss()
    {
        var random = new Random(10);
        foreach (var n in Sizes)
        {
            var prediction = DTensor.RandomUniform(random, -2.0, 2.0, 3, n);
            var target = DTensor.RandomUniform(random, -2.0, 2.0, 3, n);
            RuleChecker.CheckScalarOp(random, new[] { prediction, target }, () => DTensor.SquareLoss(prediction, target), (y, dy, d) => DTensorRules.SquareLossPullback(prediction, target, dy, d[0], d[1]), $"n={n}");
        }

        var p = DTensor<double>.FromArray(new[] { 1.0, 2.0, 3.0, 4.0 }, 2, 2);
        var t = DTensor<double>.FromArray(new[] { 0.0, 2.0, 1.0, 4.0 }, 2, 2);
        Assert.Equal((0.5 * (1 + 4)) / 2, DTensor.SquareLoss(p, t)); // mean over the 2 rows of ½‖p − t‖²
    }

    [Fact]
    public void CrossEntropyWithSavedSoftmax()
    {
        var random = new Random(12);
        foreach (var n in Sizes)
        {
            var logits = DTensor.RandomUniform(random, -3.0, 3.0, 4, n + 1);
            var targets = Enumerable.Range(0, 4).Select(_ => random.Next(n + 1)).ToArray();
            DTensor<double>? saved = null;
            RuleChecker.CheckScalarOp(
                random,
                new[] { logits },
                () => DTensor.CrossEntropy(logits, targets, ref saved),
                (y, dy, d) => DTensorRules.CrossEntropyPullback(targets, saved!, dy, d[0]),
                $"classes {n + 1}");
            Assert.Equal(DTensor.CrossEntropy(logits, targets), DTensor.CrossEntropy(logits, targets, ref saved), 12);
        }
    }

    [Fact]
    public void DropoutMasksAreReproducibleAndItsRuleMatchesFiniteDifferences()
    {
        var random = new Random(14);
        foreach (var n in Sizes)
        {
            var x = DTensor.RandomUniform(random, -2.0, 2.0, 3, n);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => DTensor.Dropout(x, 0.4, 99UL), (y, dy, d) =>
            {
                var unused = 0.0;
                DTensorRules.DropoutPullback(0.4, 99UL, dy, d[0], ref unused);
            }, $"n={n}");
        }

        var ones = DTensor.Full(1.0, 100_000);
        var dropped = DTensor.Dropout(ones, 0.25, 7UL);
        Assert.Equal(dropped.ToArray(), DTensor.Dropout(ones, 0.25, 7UL).ToArray());
        Assert.NotEqual(dropped.ToArray(), DTensor.Dropout(ones, 0.25, 8UL).ToArray());
        var keptShare = dropped.ToArray().Count(v => v != 0) / 100_000.0;
        Assert.InRange(keptShare, 0.74, 0.76);
        Assert.All(dropped.ToArray(), v => Assert.True(v == 0 || Math.Abs(v - (1 / 0.75)) < 1e-12));
        Assert.Equal(ones.ToArray(), DTensor.Dropout(ones, 0.0, 7UL).ToArray());
    }

    [Fact]
    public void FloatSoftmaxUsesAnAccurateFastExp()
    {
        var random = new Random(13);
        var x = DTensor.RandomUniform(random, -60f, 60f, 3, 1000);
        var y = DTensor.Softmax(x);
        for (var row = 0; row < 3; row++)
        {
            var max = Enumerable.Range(0, 1000).Max(j => (double)x[row, j]);
            var sum = Enumerable.Range(0, 1000).Sum(j => Math.Exp(x[row, j] - max));
            for (var j = 0; j < 1000; j++)
            {
                var expected = Math.Exp(x[row, j] - max) / sum;
                Assert.True(Math.Abs(y[row, j] - expected) <= (1e-6 * expected) + 1e-30, $"{y[row, j]} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul(bool transposeA, bool transposeB)
    {
        var random = new Random(9);
        foreach (var (m, k, n) in new[] { (1, 1, 1), (3, 5, 2), (7, 13, 5), (2, 40, 3), (17, 3, 33) })
        {
            var a = transposeA ? DTensor.RandomUniform(random, -1.0, 1.0, k, m) : DTensor.RandomUniform(random, -1.0, 1.0, m, k);
            var b = transposeB ? DTensor.RandomUniform(random, -1.0, 1.0, n, k) : DTensor.RandomUniform(random, -1.0, 1.0, k, n);
            RuleChecker.CheckTensorOp(
                random,
                new[] { a, b },
                () => DTensor.MatMul(a, b, transposeA, transposeB),
                (y, dy, d) => DTensorRules.MatMulPullback(a, b, transposeA, transposeB, dy, d[0], d[1]),
                $"{m}x{k}x{n}");
        }
    }

    [Fact]
    public void RulesSkipInputsThatNeedNoDerivative()
    {
        var a = DTensor.Full(2.0, 3);
        var b = DTensor.Full(3.0, 3);
        var db = DTensor.Zeros<double>(3);
        DTensorRules.MultiplyPullback(a, b, DTensor.Full(1.0, 3), null, db);
        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, db.ToArray());
    }

    public static TheoryData<string, bool> BroadcastOps => new()
    {
        { "Add", true }, { "Add", false }, { "Subtract", true }, { "Subtract", false }, { "Multiply", true }, { "Multiply", false }, { "Divide", true }, { "Divide", false },
    };

    /// <summary>The second operand per row ([3, 1]) or per column ([n]) of a [3, n] first one.</summary>
    [Theory]
    [MemberData(nameof(BroadcastOps))]
    public void BinaryElementwiseWithABroadcastSecondOperand(string op, bool perRow)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal) + (perRow ? 2 : 3));
        foreach (var n in Sizes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, 3, n);
            var b = perRow ? DTensor.RandomUniform(random, 0.5, 2.0, 3, 1) : DTensor.RandomUniform(random, 0.5, 2.0, n);
            RuleChecker.CheckTensorOp(random, new[] { a, b }, ElementwiseOps.BinaryForward(op, a, b), ElementwiseOps.BinaryPullback(op, a, b), $"{op} {(perRow ? "per row" : "per column")} n={n}");
        }
    }

    [Fact]
    public void MaximumAndMinimum()
    {
        var random = new Random(8);
        foreach (var n in Sizes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, n);
            var b = DTensor.RandomUniform(random, -2.0, 2.0, n);
            RuleChecker.CheckTensorOp(random, new[] { a, b }, () => DTensor.Maximum(a, b), (y, dy, d) => DTensorRules.MaximumPullback(a, b, dy, d[0], d[1]), $"Maximum n={n}");
            RuleChecker.CheckTensorOp(random, new[] { a, b }, () => DTensor.Minimum(a, b), (y, dy, d) => DTensorRules.MinimumPullback(a, b, dy, d[0], d[1]), $"Minimum n={n}");
        }
    }

    [Fact]
    public void LayerNormAndCausalSoftmaxAlongTheLastAxis()
    {
        var random = new Random(9);
        foreach (var n in Sizes)
        {
            var x = DTensor.RandomUniform(random, -2.0, 2.0, 3, n);
            var gamma = DTensor.RandomUniform(random, 0.5, 1.5, n);
            var beta = DTensor.RandomUniform(random, -0.5, 0.5, n);
            RuleChecker.CheckTensorOp(random, new[] { x, gamma, beta }, () => DTensor.LayerNorm(x, gamma, beta), (y, dy, d) => DTensorRules.LayerNormPullback(x, gamma, dy, d[0], d[1], d[2]), $"LayerNorm n={n}");
            var scores = DTensor.RandomUniform(random, -3.0, 3.0, 2, n, n);
            RuleChecker.CheckTensorOp(random, new[] { scores }, () => DTensor.CausalSoftmax(scores), (y, dy, d) => DTensorRules.CausalSoftmaxPullback(y, dy, d[0]), $"CausalSoftmax n={n}");
        }
    }

    [Fact]
    public void BatchedProductsAndAxisSwaps()
    {
        var random = new Random(10);
        foreach (var n in Sizes)
        {
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                var a = ta ? DTensor.RandomUniform(random, -1.0, 1.0, 2, n, 3) : DTensor.RandomUniform(random, -1.0, 1.0, 2, 3, n);
                var b = tb ? DTensor.RandomUniform(random, -1.0, 1.0, 2, 4, n) : DTensor.RandomUniform(random, -1.0, 1.0, 2, n, 4);
                RuleChecker.CheckTensorOp(random, new[] { a, b }, () => DTensor.BatchMatMul(a, b, ta, tb), (y, dy, d) => DTensorRules.BatchMatMulPullback(a, b, ta, tb, dy, d[0], d[1]), $"BatchMatMul {ta} {tb} k={n}");
            }

            var x = DTensor.RandomUniform(random, -1.0, 1.0, 2, n, 3, 2);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => DTensor.SwapAxes(x, 1, 2), (y, dy, d) => DTensorRules.SwapAxesPullback(1, 2, dy, d[0]), $"SwapAxes n={n}");
            RuleChecker.CheckTensorOp(random, new[] { x }, () => DTensor.Transpose(x), (y, dy, d) => DTensorRules.TransposePullback(dy, d[0]), $"Transpose n={n}");
        }
    }

    /// <summary>Each unary op and its rule, called with what that rule declares it reads (x or y).</summary>
    private static (Func<DTensor<double>, DTensor<double>> Forward, Action<DTensor<double>, DTensor<double>, DTensor<double>, DTensor<double>?> Rule) Unary(string op) => op switch
    {
        "Tanh" => (DTensor.Tanh, (x, y, dy, dx) => DTensorRules.TanhPullback(y, dy, dx)),
        "Sigmoid" => (DTensor.Sigmoid, (x, y, dy, dx) => DTensorRules.SigmoidPullback(y, dy, dx)),
        "Relu" => (DTensor.Relu, (x, y, dy, dx) => DTensorRules.ReluPullback(y, dy, dx)),
        "Exp" => (DTensor.Exp, (x, y, dy, dx) => DTensorRules.ExpPullback(y, dy, dx)),
        "Log" => (DTensor.Log, (x, y, dy, dx) => DTensorRules.LogPullback(x, dy, dx)),
        "Square" => (DTensor.Square, (x, y, dy, dx) => DTensorRules.SquarePullback(x, dy, dx)),
        "Sqrt" => (DTensor.Sqrt, (x, y, dy, dx) => DTensorRules.SqrtPullback(y, dy, dx)),
        "Abs" => (DTensor.Abs, (x, y, dy, dx) => DTensorRules.AbsPullback(x, dy, dx)),
        "Gelu" => (DTensor.Gelu, (x, y, dy, dx) => DTensorRules.GeluPullback(x, dy, dx)),
        _ => (DTensor.Negate, (x, y, dy, dx) => DTensorRules.NegatePullback(dy, dx)),
    };

    /// <summary>Moves values within <paramref name="margin"/> of zero away from it (kinks of Relu).</summary>
    private static DTensor<double> Away(DTensor<double> x, double margin)
    {
        for (var i = 0; i < x.Length; i++)
        {
            if (Math.Abs(x[i]) < margin)
            {
                x[i] = x[i] < 0 ? -margin : margin;
            }
        }

        return x;
    }
}
