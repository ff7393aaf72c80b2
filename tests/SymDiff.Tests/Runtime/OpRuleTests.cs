namespace SymDiff.Tests.Runtime;

/// <summary>Every op's derivative rule against central finite differences in double, over sizes 0..40 (SIMD tails).</summary>
public sealed class OpRuleTests
{
    private static readonly int[] Sizes = Enumerable.Range(0, 41).ToArray();

    public static TheoryData<string> UnaryOps => new() { "Tanh", "Sigmoid", "Relu", "Exp", "Log", "Square", "Sqrt", "Negate" };

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void UnaryElementwise(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var n in Sizes)
        {
            var x = op is "Log" or "Sqrt"
                ? Tensor.RandomUniform(random, 0.2, 2.0, n)
                : Away(Tensor.RandomUniform(random, -2.0, 2.0, n), 0.05);
            var (forward, rule) = Unary(op);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => forward(x), (y, dy, d) => rule(x, y, dy, d[0]), $"{op} n={n}");
        }
    }

    public static TheoryData<string> BinaryOps => new() { "Add", "Subtract", "Multiply", "Divide" };

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void BinaryElementwise(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var n in Sizes)
        {
            var a = Tensor.RandomUniform(random, -2.0, 2.0, n);
            var b = op == "Divide" ? Tensor.RandomUniform(random, 0.5, 2.0, n) : Tensor.RandomUniform(random, -2.0, 2.0, n);
            Func<Tensor<double>> forward = op switch
            {
                "Add" => () => Tensor.Add(a, b),
                "Subtract" => () => Tensor.Subtract(a, b),
                "Multiply" => () => Tensor.Multiply(a, b),
                _ => () => Tensor.Divide(a, b),
            };
            RuleChecker.TensorRule rule = op switch
            {
                "Add" => (y, dy, d) => Tensor.AddBackward(a, b, y, dy, d[0], d[1]),
                "Subtract" => (y, dy, d) => Tensor.SubtractBackward(a, b, y, dy, d[0], d[1]),
                "Multiply" => (y, dy, d) => Tensor.MultiplyBackward(a, b, y, dy, d[0], d[1]),
                _ => (y, dy, d) => Tensor.DivideBackward(a, b, y, dy, d[0], d[1]),
            };
            RuleChecker.CheckTensorOp(random, new[] { a, b }, forward, rule, $"{op} n={n}");
        }
    }

    public static TheoryData<string> ScalarOperandOps => new() { "Add", "Subtract", "Multiply", "Divide" };

    [Theory]
    [MemberData(nameof(ScalarOperandOps))]
    public void TensorWithScalar(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal) + 1);
        foreach (var n in Sizes)
        {
            var a = Tensor.RandomUniform(random, -2.0, 2.0, n);
            var s = Tensor.Full(random.NextDouble() + 0.5, 1); // the scalar, as a 1-element tensor so it can be perturbed
            Func<Tensor<double>> forward = op switch
            {
                "Add" => () => Tensor.Add(a, s[0]),
                "Subtract" => () => Tensor.Subtract(a, s[0]),
                "Multiply" => () => Tensor.Multiply(a, s[0]),
                _ => () => Tensor.Divide(a, s[0]),
            };
            RuleChecker.CheckTensorOp(random, new[] { a, s }, forward, (y, dy, d) =>
            {
                var ds = d[1]![0];
                switch (op)
                {
                    case "Add":
                        Tensor.AddBackward(a, s[0], y, dy, d[0], ref ds);
                        break;
                    case "Subtract":
                        Tensor.SubtractBackward(a, s[0], y, dy, d[0], ref ds);
                        break;
                    case "Multiply":
                        Tensor.MultiplyBackward(a, s[0], y, dy, d[0], ref ds);
                        break;
                    default:
                        Tensor.DivideBackward(a, s[0], y, dy, d[0], ref ds);
                        break;
                }

                d[1]![0] = ds;
            }, $"{op}(tensor, scalar) n={n}");
        }
    }

    [Fact]
    public void AddRowBias()
    {
        var random = new Random(1);
        foreach (var n in Sizes)
        {
            var x = Tensor.RandomUniform(random, -1.0, 1.0, 3, n);
            var b = Tensor.RandomUniform(random, -1.0, 1.0, n);
            RuleChecker.CheckTensorOp(random, new[] { x, b }, () => Tensor.AddRowBias(x, b), (y, dy, d) => Tensor.AddRowBiasBackward(x, b, y, dy, d[0], d[1]), $"n={n}");
        }
    }

    [Fact]
    public void SumAndMean()
    {
        var random = new Random(2);
        foreach (var n in Sizes.Skip(1))
        {
            var x = Tensor.RandomUniform(random, -1.0, 1.0, n);
            RuleChecker.CheckScalarOp(random, new[] { x }, () => Tensor.Sum(x), (y, dy, d) => Tensor.SumBackward(x, y, dy, d[0]), $"Sum n={n}");
            RuleChecker.CheckScalarOp(random, new[] { x }, () => Tensor.Mean(x), (y, dy, d) => Tensor.MeanBackward(x, y, dy, d[0]), $"Mean n={n}");
        }
    }

    [Fact]
    public void SumAndMeanAlongTheLastAxis()
    {
        var random = new Random(3);
        foreach (var n in Sizes.Skip(1))
        {
            var x = Tensor.RandomUniform(random, -1.0, 1.0, 3, n);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => Tensor.SumLastAxis(x), (y, dy, d) => Tensor.SumLastAxisBackward(x, y, dy, d[0]), $"SumLastAxis n={n}");
            RuleChecker.CheckTensorOp(random, new[] { x }, () => Tensor.MeanLastAxis(x), (y, dy, d) => Tensor.MeanLastAxisBackward(x, y, dy, d[0]), $"MeanLastAxis n={n}");
        }
    }

    [Fact]
    public void SoftmaxAndLogSoftmax()
    {
        var random = new Random(4);
        foreach (var n in Sizes)
        {
            var x = Tensor.RandomUniform(random, -3.0, 3.0, 3, n);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => Tensor.Softmax(x), (y, dy, d) => Tensor.SoftmaxBackward(x, y, dy, d[0]), $"Softmax n={n}");
            RuleChecker.CheckTensorOp(random, new[] { x }, () => Tensor.LogSoftmax(x), (y, dy, d) => Tensor.LogSoftmaxBackward(x, y, dy, d[0]), $"LogSoftmax n={n}");
        }
    }

    [Fact]
    public void SoftmaxIsStableForLargeLogits()
    {
        var x = Tensor<double>.FromArray(new[] { 1000.0, 1001.0, 999.0 }, 1, 3);
        var y = Tensor.Softmax(x);
        var logY = Tensor.LogSoftmax(x);
        var expected = new[] { Math.Exp(-1) / (1 + Math.Exp(-1) + Math.Exp(-2)), 1 / (1 + Math.Exp(-1) + Math.Exp(-2)), Math.Exp(-2) / (1 + Math.Exp(-1) + Math.Exp(-2)) };
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], y[i], 12);
            Assert.Equal(Math.Log(expected[i]), logY[i], 12);
        }

        var single = Tensor.Softmax(Tensor<float>.FromArray(new[] { 100f, 200f, 300f }, 1, 3));
        Assert.All(single.ToArray(), v => Assert.False(float.IsNaN(v)));
    }

    [Fact]
    public void EmbeddingScatterAddsIntoTouchedRowsOnly()
    {
        var random = new Random(5);
        foreach (var n in Sizes)
        {
            var table = Tensor.RandomUniform(random, -1.0, 1.0, n + 1, 3);
            var ids = Enumerable.Range(0, 6).Select(_ => random.Next(n + 1)).ToArray();
            RuleChecker.CheckTensorOp(random, new[] { table }, () => Tensor.Embedding(table, ids), (y, dy, d) => Tensor.EmbeddingBackward(table, ids, y, dy, d[0]), $"vocabulary {n + 1}");
        }

        var big = Tensor.Zeros<double>(1000, 4);
        var gradient = Tensor.Zeros<double>(1000, 4);
        var rows = new[] { 7, 7, 42 };
        Tensor.EmbeddingBackward(big, rows, Tensor.Embedding(big, rows), Tensor.Full(1.0, 3, 4), gradient);
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
            var a = Tensor.RandomUniform(random, -1.0, 1.0, 2, n);
            var b = Tensor.RandomUniform(random, -1.0, 1.0, 2, 3);
            RuleChecker.CheckTensorOp(random, new[] { a, b }, () => Tensor.Concat(a, b), (y, dy, d) => Tensor.ConcatBackward(a, b, y, dy, d[0], d[1]), $"n={n}");
        }
    }

    [Fact]
    public void ReshapeIsAViewAndItsAdjointIsElementwise()
    {
        var random = new Random(7);
        foreach (var n in Sizes)
        {
            var x = Tensor.RandomUniform(random, -1.0, 1.0, n, 2);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => Tensor.Reshape(x, 2, -1), (y, dy, d) => Tensor.ReshapeBackward(x, 2, -1, y, dy, d[0]), $"n={n}");
        }

        var source = Tensor<float>.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var view = Tensor.Reshape(source, 3, 2);
        view[2, 1] = 60;
        Assert.Equal(60, source[1, 2]); // same storage, no copy
    }

    [Fact]
    public void CrossEntropy()
    {
        var random = new Random(8);
        foreach (var n in Sizes)
        {
            var logits = Tensor.RandomUniform(random, -3.0, 3.0, 4, n + 1);
            var targets = Enumerable.Range(0, 4).Select(_ => random.Next(n + 1)).ToArray();
            RuleChecker.CheckScalarOp(random, new[] { logits }, () => Tensor.CrossEntropy(logits, targets), (y, dy, d) => Tensor.CrossEntropyBackward(logits, targets, y, dy, d[0]), $"classes {n + 1}");
        }
    }

    [Fact]
    public void SquareLoss()
    {
        var random = new Random(10);
        foreach (var n in Sizes)
        {
            var prediction = Tensor.RandomUniform(random, -2.0, 2.0, 3, n);
            var target = Tensor.RandomUniform(random, -2.0, 2.0, 3, n);
            RuleChecker.CheckScalarOp(random, new[] { prediction, target }, () => Tensor.SquareLoss(prediction, target), (y, dy, d) => Tensor.SquareLossBackward(prediction, target, y, dy, d[0], d[1]), $"n={n}");
        }

        var p = Tensor<double>.FromArray(new[] { 1.0, 2.0, 3.0, 4.0 }, 2, 2);
        var t = Tensor<double>.FromArray(new[] { 0.0, 2.0, 1.0, 4.0 }, 2, 2);
        Assert.Equal((0.5 * (1 + 4)) / 2, Tensor.SquareLoss(p, t)); // mean over the 2 rows of ½‖p − t‖²
    }

    [Fact]
    public void CrossEntropyWithSavedSoftmax()
    {
        var random = new Random(12);
        foreach (var n in Sizes)
        {
            var logits = Tensor.RandomUniform(random, -3.0, 3.0, 4, n + 1);
            var targets = Enumerable.Range(0, 4).Select(_ => random.Next(n + 1)).ToArray();
            Tensor<double>? saved = null;
            RuleChecker.CheckScalarOp(
                random,
                new[] { logits },
                () => Tensor.CrossEntropy(logits, targets, ref saved),
                (y, dy, d) => Tensor.CrossEntropyBackward(logits, targets, saved!, y, dy, d[0]),
                $"classes {n + 1}");
            Assert.Equal(Tensor.CrossEntropy(logits, targets), Tensor.CrossEntropy(logits, targets, ref saved), 12);
        }
    }

    [Fact]
    public void DropoutMasksAreReproducibleAndItsRuleMatchesFiniteDifferences()
    {
        var random = new Random(14);
        foreach (var n in Sizes)
        {
            var x = Tensor.RandomUniform(random, -2.0, 2.0, 3, n);
            RuleChecker.CheckTensorOp(random, new[] { x }, () => Tensor.Dropout(x, 0.4, 99UL), (y, dy, d) =>
            {
                var unused = 0.0;
                Tensor.DropoutBackward(x, 0.4, 99UL, y, dy, d[0], ref unused);
            }, $"n={n}");
        }

        var ones = Tensor.Full(1.0, 100_000);
        var dropped = Tensor.Dropout(ones, 0.25, 7UL);
        Assert.Equal(dropped.ToArray(), Tensor.Dropout(ones, 0.25, 7UL).ToArray());
        Assert.NotEqual(dropped.ToArray(), Tensor.Dropout(ones, 0.25, 8UL).ToArray());
        var keptShare = dropped.ToArray().Count(v => v != 0) / 100_000.0;
        Assert.InRange(keptShare, 0.74, 0.76);
        Assert.All(dropped.ToArray(), v => Assert.True(v == 0 || Math.Abs(v - (1 / 0.75)) < 1e-12));
        Assert.Equal(ones.ToArray(), Tensor.Dropout(ones, 0.0, 7UL).ToArray());
    }

    [Fact]
    public void FloatSoftmaxUsesAnAccurateFastExp()
    {
        var random = new Random(13);
        var x = Tensor.RandomUniform(random, -60f, 60f, 3, 1000);
        var y = Tensor.Softmax(x);
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
            var a = transposeA ? Tensor.RandomUniform(random, -1.0, 1.0, k, m) : Tensor.RandomUniform(random, -1.0, 1.0, m, k);
            var b = transposeB ? Tensor.RandomUniform(random, -1.0, 1.0, n, k) : Tensor.RandomUniform(random, -1.0, 1.0, k, n);
            RuleChecker.CheckTensorOp(
                random,
                new[] { a, b },
                () => Tensor.MatMul(a, b, transposeA, transposeB),
                (y, dy, d) => Tensor.MatMulBackward(a, b, transposeA, transposeB, y, dy, d[0], d[1]),
                $"{m}x{k}x{n}");
        }
    }

    [Fact]
    public void RulesSkipInputsThatNeedNoDerivative()
    {
        var a = Tensor.Full(2.0, 3);
        var b = Tensor.Full(3.0, 3);
        var db = Tensor.Zeros<double>(3);
        Tensor.MultiplyBackward(a, b, Tensor.Multiply(a, b), Tensor.Full(1.0, 3), null, db);
        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, db.ToArray());
    }

    private static (Func<Tensor<double>, Tensor<double>> Forward, Action<Tensor<double>, Tensor<double>, Tensor<double>, Tensor<double>?> Rule) Unary(string op) => op switch
    {
        "Tanh" => (Tensor.Tanh, Tensor.TanhBackward),
        "Sigmoid" => (Tensor.Sigmoid, Tensor.SigmoidBackward),
        "Relu" => (Tensor.Relu, Tensor.ReluBackward),
        "Exp" => (Tensor.Exp, Tensor.ExpBackward),
        "Log" => (Tensor.Log, Tensor.LogBackward),
        "Square" => (Tensor.Square, Tensor.SquareBackward),
        "Sqrt" => (Tensor.Sqrt, Tensor.SqrtBackward),
        _ => (Tensor.Negate, Tensor.NegateBackward),
    };

    /// <summary>Moves values within <paramref name="margin"/> of zero away from it (kinks of Relu).</summary>
    private static Tensor<double> Away(Tensor<double> x, double margin)
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
