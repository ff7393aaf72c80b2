using System.Reflection;
using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// Every op's pushforward rule, called directly in double, against finite differences along the tangent, against its
/// pullback (adjoint identity) and for its argument validation; see <see cref="PushforwardChecker"/>. Each op runs over
/// several shapes, among them one row and one column.
/// </summary>
public sealed class PushforwardRuleTests
{
    private static readonly int[][] Shapes = [[3, 4], [1, 5], [4, 1], [7]];

    public static TheoryData<string> UnaryOps => new(ElementwiseOps.Unary);

    public static TheoryData<string> BinaryOps => new(ElementwiseOps.Binary);

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void UnaryElementwise(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var shape in Shapes)
        {
            var x = ElementwiseOps.UnaryInput(random, op, shape);
            var (forward, pushforward, pullback) = (ElementwiseOps.UnaryForward(op), UnaryPushforward(op), ElementwiseOps.UnaryPullback(op));
            PushforwardChecker.CheckTensorOp(
                random, op + "Pushforward", [x], () => forward(x), (y, t, dy) => pushforward(x, y, t[0], dy), (y, dy, d) => pullback(x, y, dy, d[0]), $"{op} {Text(shape)}");
        }
    }

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void BinaryElementwise(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var shape in Shapes)
        {
            var (a, b) = ElementwiseOps.BinaryInputs(random, op, shape);
            var pushforward = BinaryPushforward(op, a, b);
            PushforwardChecker.CheckTensorOp(
                random, op + "Pushforward", [a, b], ElementwiseOps.BinaryForward(op, a, b), pushforward, ElementwiseOps.BinaryPullback(op, a, b), $"{op} {Text(shape)}");
        }
    }

    private static PushforwardChecker.TensorPushforward BinaryPushforward(string op, DTensor<double> a, DTensor<double> b) => op switch
    {
        "Add" => (y, t, dy) => DTensorRules.AddPushforward(t[0], t[1], dy),
        "Subtract" => (y, t, dy) => DTensorRules.SubtractPushforward(t[0], t[1], dy),
        "Multiply" => (y, t, dy) => DTensorRules.MultiplyPushforward(a, b, t[0], t[1], dy),
        _ => (y, t, dy) => DTensorRules.DividePushforward(b, y, t[0], t[1], dy),
    };

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void TensorWithScalar(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal) + 1);
        foreach (var shape in Shapes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var s = DTensor.Full(random.NextDouble() + 0.5, 1); // the scalar, as a 1-element tensor so it can be perturbed
            PushforwardChecker.TensorPushforward pushforward = op switch
            {
                "Add" => (y, t, dy) => DTensorRules.AddPushforward(t[0], Scalar(t[1]), dy),
                "Subtract" => (y, t, dy) => DTensorRules.SubtractPushforward(t[0], Scalar(t[1]), dy),
                "Multiply" => (y, t, dy) => DTensorRules.MultiplyPushforward(a, s[0], t[0], Scalar(t[1]), dy),
                _ => (y, t, dy) => DTensorRules.DividePushforward(s[0], y, t[0], Scalar(t[1]), dy),
            };
            PushforwardChecker.CheckTensorOp(
                random,
                op + "Pushforward",
                [a, s],
                ElementwiseOps.WithScalarForward(op, a, s),
                pushforward,
                ElementwiseOps.WithScalarPullback(op, a, s),
                $"{op}(tensor, scalar) {Text(shape)}",
                validated: [0]);
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
        foreach (var (m, k, n) in new[] { (1, 1, 1), (3, 5, 2), (1, 4, 3), (3, 4, 1), (7, 13, 5), (17, 3, 33) })
        {
            var a = transposeA ? DTensor.RandomUniform(random, -1.0, 1.0, k, m) : DTensor.RandomUniform(random, -1.0, 1.0, m, k);
            var b = transposeB ? DTensor.RandomUniform(random, -1.0, 1.0, n, k) : DTensor.RandomUniform(random, -1.0, 1.0, k, n);
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.MatMulPushforward),
                [a, b],
                () => DTensor.MatMul(a, b, transposeA, transposeB),
                (y, t, dy) => DTensorRules.MatMulPushforward(a, b, transposeA, transposeB, t[0], t[1], dy),
                (y, dy, d) => DTensorRules.MatMulPullback(a, b, transposeA, transposeB, dy, d[0], d[1]),
                $"{m}x{k}x{n}");
        }
    }

    [Fact]
    public void AddRowBias()
    {
        var random = new Random(1);
        foreach (var shape in Shapes)
        {
            var x = DTensor.RandomUniform(random, -1.0, 1.0, shape);
            var b = DTensor.RandomUniform(random, -1.0, 1.0, shape[^1]);
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.AddRowBiasPushforward),
                [x, b],
                () => DTensor.AddRowBias(x, b),
                (y, t, dy) => DTensorRules.AddRowBiasPushforward(t[0], t[1], dy),
                (y, dy, d) => DTensorRules.AddRowBiasPullback(dy, d[0], d[1]),
                Text(shape));
        }
    }

    [Fact]
    public void ConcatAlongTheLastAxis()
    {
        var random = new Random(6);
        foreach (var shape in Shapes)
        {
            var a = DTensor.RandomUniform(random, -1.0, 1.0, shape);
            var other = shape.ToArray();
            other[^1] = 2;
            var b = DTensor.RandomUniform(random, -1.0, 1.0, other);
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.ConcatPushforward),
                [a, b],
                () => DTensor.Concat(a, b),
                (y, t, dy) => DTensorRules.ConcatPushforward(a, b, t[0], t[1], dy),
                (y, dy, d) => DTensorRules.ConcatPullback(a, b, dy, d[0], d[1]),
                Text(shape));
        }
    }

    [Fact]
    public void EmbeddingGathersTheTablesTangent()
    {
        var random = new Random(5);
        foreach (var (vocabulary, width) in new[] { (5, 3), (1, 4), (6, 1) })
        {
            var table = DTensor.RandomUniform(random, -1.0, 1.0, vocabulary, width);
            var ids = Enumerable.Range(0, 6).Select(_ => random.Next(vocabulary)).ToArray(); // repeats included
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.EmbeddingPushforward),
                [table],
                () => DTensor.Embedding(table, ids),
                (y, t, dy) => DTensorRules.EmbeddingPushforward(table, ids, t[0], dy),
                (y, dy, d) => DTensorRules.EmbeddingPullback(ids, dy, d[0]),
                $"[{vocabulary}, {width}]");
        }
    }

    public static TheoryData<string> OneInputOps => new() { "Softmax", "LogSoftmax", "SumLastAxis", "MeanLastAxis", "Reshape", "Reshape3", "Dropout", "Dropout0",
        "SumLastAxisKeep", "MeanLastAxisKeep", "Reshape1", "Reshape4", "ReshapeSpan", "Select", "Slice" };

    /// <summary>The ops of one tensor input other than the elementwise ones: rows, reductions, views and dropout.</summary>
    [Theory]
    [MemberData(nameof(OneInputOps))]
    public void OneInput(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var shape in Shapes)
        {
            var x = DTensor.RandomUniform(random, -3.0, 3.0, shape);
            var (rule, forward, pushforward, pullback) = OneInputOp(op, x);
            PushforwardChecker.CheckTensorOp(
                random, rule, [x], forward, (y, t, dy) => pushforward(y, t[0], dy), (y, dy, d) => pullback(x, y, dy, d[0]), $"{op} {Text(shape)}");
        }
    }

    [Theory]
    [InlineData("Sum")]
    [InlineData("Mean")]
    public void SumAndMean(string op)
    {
        var random = new Random(2);
        foreach (var shape in Shapes)
        {
            var x = DTensor.RandomUniform(random, -1.0, 1.0, shape);
            PushforwardChecker.CheckScalarOp(
                random,
                op + "Pushforward",
                [x],
                op == "Sum" ? () => DTensor.Sum(x) : () => DTensor.Mean(x),
                op == "Sum" ? (y, t) => DTensorRules.SumPushforward(x, t[0]) : (y, t) => DTensorRules.MeanPushforward(x, t[0]),
                op == "Sum" ? (y, dy, d) => DTensorRules.SumPullback(dy, d[0]) : (y, dy, d) => DTensorRules.MeanPullback(dy, d[0]),
                $"{op} {Text(shape)}");
        }
    }

    [Fact]
    public void SquareLoss()
    {
        var random = new Random(10);
        foreach (var shape in Shapes)
        {
            var prediction = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var target = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            PushforwardChecker.CheckScalarOp(
                random,
                nameof(DTensorRules.SquareLossPushforward),
                [prediction, target],
                () => DTensor.SquareLoss(prediction, target),
                (y, t) => DTensorRules.SquareLossPushforward(prediction, target, t[0], t[1]),
                (y, dy, d) => DTensorRules.SquareLossPullback(prediction, target, dy, d[0], d[1]),
                Text(shape));
        }
    }

    [Fact]
    public void CrossEntropyFromTheLogitsAndFromTheSavedSoftmax()
    {
        var random = new Random(8);
        foreach (var (rows, classes) in new[] { (4, 5), (1, 6), (3, 1) })
        {
            var logits = DTensor.RandomUniform(random, -3.0, 3.0, rows, classes);
            var targets = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
            PushforwardChecker.CheckScalarOp(
                random,
                nameof(DTensorRules.CrossEntropyPushforward),
                [logits],
                () => DTensor.CrossEntropy(logits, targets),
                (y, t) => DTensorRules.CrossEntropyPushforward(logits, targets, t[0]),
                (y, dy, d) => DTensorRules.CrossEntropyPullback(logits, targets, dy, d[0]),
                $"[{rows}, {classes}]");
            DTensor<double>? saved = null;
            PushforwardChecker.CheckScalarOp(
                random,
                nameof(DTensorRules.CrossEntropyPushforward),
                [logits],
                () => DTensor.CrossEntropy(logits, targets, ref saved),
                (y, t) => DTensorRules.CrossEntropyPushforward(targets, saved!, t[0]),
                (y, dy, d) => DTensorRules.CrossEntropyPullback(targets, saved!, dy, d[0]),
                $"saved softmax [{rows}, {classes}]");
        }
    }

    [Fact]
    public void Item()
    {
        var random = new Random(15);
        foreach (var shape in new int[][] { [3, 4], [1, 5], [4, 1] })
        {
            var x = DTensor.RandomUniform(random, -1.0, 1.0, shape);
            var (row, column) = (random.Next(shape[0]), random.Next(shape[1]));
            var index = (row * shape[1]) + column;
            PushforwardChecker.CheckScalarOp(
                random,
                nameof(DTensorRules.ItemPushforward),
                [x],
                () => x[index],
                (y, t) => DTensorRules.ItemPushforward(index, t[0]),
                (y, dy, d) => DTensorRules.ItemPullback(index, dy, d[0]),
                $"[{index}] of {Text(shape)}",
                validated: []);
            PushforwardChecker.CheckScalarOp(
                random,
                nameof(DTensorRules.ItemPushforward),
                [x],
                () => x[row, column],
                (y, t) => DTensorRules.ItemPushforward(row, column, t[0]),
                (y, dy, d) => DTensorRules.ItemPullback(row, column, dy, d[0]),
                $"[{row}, {column}] of {Text(shape)}",
                validated: []);
        }

        var tangent = DTensor.Zeros<double>(2, 3);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => DTensorRules.ItemPushforward(6, tangent));
        Assert.Contains("ItemPushforward", outside.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", outside.Message, StringComparison.Ordinal);
        outside = Assert.Throws<ArgumentOutOfRangeException>(() => DTensorRules.ItemPushforward(1, 3, tangent));
        Assert.Contains("ItemPushforward", outside.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", outside.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatRulesMatchDouble()
    {
        var random = new Random(16);
        var x = DTensor.RandomUniform(random, -1.0, 1.0, 3, 5);
        var dx = DTensor.RandomUniform(random, -1.0, 1.0, 3, 5);
        var expected = DTensor.Zeros<double>(3, 5);
        DTensorRules.TanhPushforward(DTensor.Tanh(x), dx, expected);
        var actual = DTensor.Zeros<float>(3, 5);
        DTensorRules.TanhPushforward(DTensor.Tanh(ToFloat(x)), ToFloat(dx), actual);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    /// <summary>Once warm (the scratch buffers grown), the rules allocate nothing: temporaries come from Scratch.</summary>
    [Fact]
    public void RulesAllocateNothingOnceWarm()
    {
        var random = new Random(17);
        DTensor<double> Random(params int[] shape) => DTensor.RandomUniform(random, 0.5, 1.5, shape);
        var (a, b, da, db, dResult, wide, bias) = (Random(8, 8), Random(8, 8), Random(8, 8), Random(8, 8), Random(8, 8), Random(8, 16), Random(8));
        int[] targets = [0, 1, 2, 3, 4, 5, 6, 7];
        var y = DTensor.Tanh(a);
        var sink = 0.0;
        void Step()
        {
            DTensorRules.TanhPushforward(y, da, dResult);
            DTensorRules.SigmoidPushforward(y, da, dResult);
            DTensorRules.ReluPushforward(y, null, dResult);
            DTensorRules.AddPushforward(da, db, dResult);
            DTensorRules.MultiplyPushforward(a, b, da, db, dResult);
            DTensorRules.MultiplyPushforward(a, 2.0, da, 0.5, dResult);
            DTensorRules.DividePushforward(b, y, da, db, dResult);
            DTensorRules.DividePushforward(2.0, y, da, 0.5, dResult);
            DTensorRules.MatMulPushforward(a, b, false, true, da, db, dResult);
            DTensorRules.AddRowBiasPushforward(da, bias, dResult);
            DTensorRules.ConcatPushforward(a, b, da, db, wide);
            DTensorRules.SoftmaxPushforward(y, da, dResult);
            DTensorRules.LogSoftmaxPushforward(y, da, dResult);
            DTensorRules.EmbeddingPushforward(a, targets, da, dResult);
            DTensorRules.DropoutPushforward(0.25, 3UL, da, 0.0, dResult);
            sink += DTensorRules.CrossEntropyPushforward(a, targets, da) + DTensorRules.SquareLossPushforward(a, b, da, db) + DTensorRules.MeanPushforward(a, da);
        }

        Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sink));
    }

    public static TheoryData<string> MatrixOps => new() { "Transpose", "SwapAxes", "SwapAxes02", "CausalSoftmax" };

    /// <summary>The ops of one tensor input of rank 2 or more: transposes and the causal softmax, batched or not.</summary>
    [Theory]
    [MemberData(nameof(MatrixOps))]
    public void MatrixInput(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var shape in new[] { new[] { 3, 4 }, [1, 5], [4, 1], [4, 4], [2, 3, 4], [0, 3] })
        {
            if (op == "SwapAxes02" && shape.Length < 3)
            {
                continue;
            }

            var x = DTensor.RandomUniform(random, -3.0, 3.0, shape);
            (string Rule, Func<DTensor<double>> Forward, PushforwardChecker.TensorPushforward Pushforward, RuleChecker.TensorRule Pullback) rule = op switch
            {
                "Transpose" => (nameof(DTensorRules.TransposePushforward), () => DTensor.Transpose(x), (y, t, dy) => DTensorRules.TransposePushforward(x, t[0], dy), (y, dy, d) => DTensorRules.TransposePullback(dy, d[0])),
                "SwapAxes" => (nameof(DTensorRules.SwapAxesPushforward), () => DTensor.SwapAxes(x, 0, -1), (y, t, dy) => DTensorRules.SwapAxesPushforward(x, 0, -1, t[0], dy), (y, dy, d) => DTensorRules.SwapAxesPullback(0, -1, dy, d[0])),
                "SwapAxes02" => (nameof(DTensorRules.SwapAxesPushforward), () => DTensor.SwapAxes(x, 0, 2), (y, t, dy) => DTensorRules.SwapAxesPushforward(x, 0, 2, t[0], dy), (y, dy, d) => DTensorRules.SwapAxesPullback(0, 2, dy, d[0])),
                _ => (nameof(DTensorRules.CausalSoftmaxPushforward), () => DTensor.CausalSoftmax(x), (y, t, dy) => DTensorRules.CausalSoftmaxPushforward(y, t[0], dy), (y, dy, d) => DTensorRules.CausalSoftmaxPullback(y, dy, d[0])),
            };
            PushforwardChecker.CheckTensorOp(random, rule.Rule, [x], rule.Forward, rule.Pushforward, rule.Pullback, $"{op} {Text(shape)}");
        }
    }

    [Fact]
    public void MatrixRulesRejectVectors()
    {
        var x = DTensor.Zeros<double>(3);
        var dResult = DTensor.Zeros<double>(3);
        Assert.Contains(nameof(DTensorRules.TransposePushforward), Assert.ThrowsAny<ArgumentException>(() => DTensorRules.TransposePushforward(x, null, dResult)).Message, StringComparison.Ordinal);
        Assert.Contains(nameof(DTensorRules.CausalSoftmaxPushforward), Assert.ThrowsAny<ArgumentException>(() => DTensorRules.CausalSoftmaxPushforward(x, null, dResult)).Message, StringComparison.Ordinal);
        Assert.Contains(nameof(DTensorRules.SwapAxesPushforward), Assert.ThrowsAny<ArgumentException>(() => DTensorRules.SwapAxesPushforward(x, 0, 1, null, dResult)).Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => DTensorRules.SelectPushforward(x, 3, null, DTensor.Zeros<double>()));
        Assert.ThrowsAny<ArgumentException>(() => DTensorRules.SlicePushforward(x, 2, 2, null, DTensor.Zeros<double>(2)));
        Assert.ThrowsAny<ArgumentException>(() => DTensorRules.SetRowPushforward(x, -1, DTensor.Zeros<double>(), null, null, dResult));
    }

    /// <summary>Add, Subtract, Multiply and Divide with a second operand broadcast per row ([n, 1]) or per column ([m]).</summary>
    [Theory]
    [InlineData("Add", true)]
    [InlineData("Add", false)]
    [InlineData("Subtract", true)]
    [InlineData("Subtract", false)]
    [InlineData("Multiply", true)]
    [InlineData("Multiply", false)]
    [InlineData("Divide", true)]
    [InlineData("Divide", false)]
    public void BroadcastSecondOperand(string op, bool perRow)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal) + (perRow ? 1 : 2));
        foreach (var shape in new[] { new[] { 3, 4 }, [1, 5], [4, 1], [2, 3, 4] })
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var bShape = perRow ? [.. shape[..^1], 1] : new[] { shape[^1] };
            var b = op == "Divide" ? DTensor.RandomUniform(random, 0.5, 2.0, bShape) : DTensor.RandomUniform(random, -2.0, 2.0, bShape);
            var pushforward = BinaryPushforward(op, a, b);

            // Add and Subtract read no input, so a tangent of b of the wrong shape is caught only when it does not broadcast.
            PushforwardChecker.CheckTensorOp(
                random,
                op + "Pushforward",
                [a, b],
                ElementwiseOps.BinaryForward(op, a, b),
                pushforward,
                ElementwiseOps.BinaryPullback(op, a, b),
                $"{op} {Text(shape)} with {Text(bShape)}",
                validated: op is "Add" or "Subtract" ? [0] : null);
        }
    }

    [Theory]
    [InlineData("Maximum")]
    [InlineData("Minimum")]
    public void MaximumAndMinimum(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var shape in Shapes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var b = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            for (var i = 0; i < a.Length; i++)
            {
                if (Math.Abs(a[i] - b[i]) < 0.05)
                {
                    b[i] = a[i] + 0.1; // away from the ties, where the op is not differentiable
                }
            }

            PushforwardChecker.CheckTensorOp(
                random,
                op + "Pushforward",
                [a, b],
                op == "Maximum" ? () => DTensor.Maximum(a, b) : () => DTensor.Minimum(a, b),
                op == "Maximum" ? (y, t, dy) => DTensorRules.MaximumPushforward(a, b, t[0], t[1], dy) : (y, t, dy) => DTensorRules.MinimumPushforward(a, b, t[0], t[1], dy),
                op == "Maximum" ? (y, dy, d) => DTensorRules.MaximumPullback(a, b, dy, d[0], d[1]) : (y, dy, d) => DTensorRules.MinimumPullback(a, b, dy, d[0], d[1]),
                $"{op} {Text(shape)}");
        }
    }

    [Fact]
    public void PowWithItsExponent()
    {
        var random = new Random(21);
        foreach (var shape in Shapes)
        {
            var x = DTensor.RandomUniform(random, 0.3, 2.0, shape);
            var p = DTensor.Full(1.7, 1);
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.PowPushforward),
                [x, p],
                () => DTensor.Pow(x, p[0]),
                (y, t, dy) => DTensorRules.PowPushforward(x, p[0], y, t[0], Scalar(t[1]), dy),
                (y, dy, d) =>
                {
                    var dp = d[1]![0];
                    DTensorRules.PowPullback(x, p[0], y, dy, d[0], ref dp);
                    d[1]![0] = dp;
                },
                $"Pow {Text(shape)}",
                validated: [0]);
        }
    }

    [Fact]
    public void ClampWithItsBounds()
    {
        var random = new Random(22);
        foreach (var shape in Shapes)
        {
            var x = ElementwiseOps.Away(DTensor.RandomUniform(random, -2.0, 2.0, shape), 0.05);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = Math.Abs(x[i] - 0.5) < 0.05 ? 0.6 : x[i]; // away from hi = 0.5 (lo = −0.5 is kept off by Away and the shift below)
                x[i] = Math.Abs(x[i] + 0.5) < 0.05 ? -0.6 : x[i];
            }

            var bounds = (Lo: DTensor.Full(-0.5, 1), Hi: DTensor.Full(0.5, 1));
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.ClampPushforward),
                [x, bounds.Lo, bounds.Hi],
                () => DTensor.Clamp(x, bounds.Lo[0], bounds.Hi[0]),
                (y, t, dy) => DTensorRules.ClampPushforward(x, bounds.Lo[0], bounds.Hi[0], t[0], Scalar(t[1]), Scalar(t[2]), dy),
                (y, dy, d) =>
                {
                    var (dlo, dhi) = (d[1]![0], d[2]![0]);
                    DTensorRules.ClampPullback(x, bounds.Lo[0], bounds.Hi[0], dy, d[0], ref dlo, ref dhi);
                    (d[1]![0], d[2]![0]) = (dlo, dhi);
                },
                $"Clamp {Text(shape)}",
                validated: [0]);
        }
    }

    [Fact]
    public void LayerNorm()
    {
        var random = new Random(23);
        foreach (var shape in new[] { new[] { 3, 4 }, [1, 5], [4, 1], [2, 3, 4], [7], [0, 3] })
        {
            var x = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var gamma = DTensor.RandomUniform(random, 0.5, 1.5, shape[^1]);
            var beta = DTensor.RandomUniform(random, -1.0, 1.0, shape[^1]);
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.LayerNormPushforward),
                [x, gamma, beta],
                () => DTensor.LayerNorm(x, gamma, beta),
                (y, t, dy) => DTensorRules.LayerNormPushforward(x, gamma, t[0], t[1], t[2], dy),
                (y, dy, d) => DTensorRules.LayerNormPullback(x, gamma, dy, d[0], d[1], d[2]),
                $"LayerNorm {Text(shape)}");
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void BatchMatMul(bool transposeA, bool transposeB)
    {
        var random = new Random(10);
        foreach (var (batch, m, k, n) in new[] { (new[] { 1 }, 1, 1, 1), ([2], 3, 5, 2), ([3], 1, 4, 3), ([2], 3, 4, 1), ([2, 3], 2, 3, 4), ([0], 2, 3, 4) })
        {
            var a = DTensor.RandomUniform(random, -1.0, 1.0, [.. batch, .. transposeA ? new[] { k, m } : [m, k]]);
            var b = DTensor.RandomUniform(random, -1.0, 1.0, [.. batch, .. transposeB ? new[] { n, k } : [k, n]]);
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.BatchMatMulPushforward),
                [a, b],
                () => DTensor.BatchMatMul(a, b, transposeA, transposeB),
                (y, t, dy) => DTensorRules.BatchMatMulPushforward(a, b, transposeA, transposeB, t[0], t[1], dy),
                (y, dy, d) => DTensorRules.BatchMatMulPullback(a, b, transposeA, transposeB, dy, d[0], d[1]),
                $"{Text(batch)} {m}x{k}x{n}");
        }
    }

    [Fact]
    public void SetRow()
    {
        var random = new Random(24);
        foreach (var shape in Shapes)
        {
            var x = DTensor.RandomUniform(random, -1.0, 1.0, shape);
            var index = shape[0] - 1;
            var row = DTensor.RandomUniform(random, -1.0, 1.0, shape[1..]);
            PushforwardChecker.CheckTensorOp(
                random,
                nameof(DTensorRules.SetRowPushforward),
                [x, row],
                () => DTensor.SetRow(x, index, row),
                (y, t, dy) => DTensorRules.SetRowPushforward(x, index, row, t[0], t[1], dy),
                (y, dy, d) => DTensorRules.SetRowPullback(index, dy, d[0], d[1]),
                $"SetRow {Text(shape)}");
        }
    }

    /// <summary>Each rule marked [PullbackOf] has a [PushforwardOf] beside it, for the same function, overload for overload.</summary>
    [Fact]
    public void EveryPullbackRuleHasAPushforwardRule()
    {
        var methods = typeof(DTensorRules).GetMethods(BindingFlags.Public | BindingFlags.Static);
        var pullbacks = methods.SelectMany(m => m.GetCustomAttributes<PullbackOfAttribute>()).GroupBy(a => a.Function).ToDictionary(g => g.Key, g => g.Count());
        var pushforwards = methods.SelectMany(m => m.GetCustomAttributes<PushforwardOfAttribute>()).GroupBy(a => a.Function).ToDictionary(g => g.Key, g => g.Count());
        Assert.NotEmpty(pullbacks);
        Assert.Equal(pullbacks.OrderBy(p => p.Key), pushforwards.OrderBy(p => p.Key));
        Assert.Equal(
            methods.Count(m => m.Name == nameof(DTensorRules.ItemPullback)),
            methods.Count(m => m.Name == nameof(DTensorRules.ItemPushforward)));
    }

    private static double Scalar(DTensor<double>? tangent) => tangent?[0] ?? 0.0;

    private static string Text(int[] shape) => "[" + string.Join(", ", shape) + "]";

    private static DTensor<float> ToFloat(DTensor<double> x) => DTensor<float>.FromArray(x.ToArray().Select(v => (float)v).ToArray(), x.Shape.ToArray());

    /// <summary>Each unary op's pushforward, called with what it declares it reads (x or y): (x, y, dx, dResult).</summary>
    private static Action<DTensor<double>, DTensor<double>, DTensor<double>?, DTensor<double>> UnaryPushforward(string op) => op switch
    {
        "Tanh" => (x, y, dx, dy) => DTensorRules.TanhPushforward(y, dx, dy),
        "Sigmoid" => (x, y, dx, dy) => DTensorRules.SigmoidPushforward(y, dx, dy),
        "Relu" => (x, y, dx, dy) => DTensorRules.ReluPushforward(y, dx, dy),
        "Exp" => (x, y, dx, dy) => DTensorRules.ExpPushforward(y, dx, dy),
        "Log" => (x, y, dx, dy) => DTensorRules.LogPushforward(x, dx, dy),
        "Square" => (x, y, dx, dy) => DTensorRules.SquarePushforward(x, dx, dy),
        "Sqrt" => (x, y, dx, dy) => DTensorRules.SqrtPushforward(y, dx, dy),
        "Abs" => (x, y, dx, dy) => DTensorRules.AbsPushforward(x, dx, dy),
        "Gelu" => (x, y, dx, dy) => DTensorRules.GeluPushforward(x, dx, dy),
        _ => (x, y, dx, dy) => DTensorRules.NegatePushforward(dx, dy),
    };

    /// <summary>
    /// A one-input op on x: its pushforward's name, its forward, its pushforward (y, dx, dResult) and its pullback
    /// (y, dy, dx). Dropout's rate is a constant here; its tangent is passed non-zero, to show that the rule ignores it
    /// as the pullback ignores its gradient.
    /// </summary>
    private static (string Rule, Func<DTensor<double>> Forward, Action<DTensor<double>, DTensor<double>?, DTensor<double>> Pushforward, ElementwiseOps.UnaryRule Pullback) OneInputOp(
        string op, DTensor<double> x)
    {
        var rate = op == "Dropout0" ? 0.0 : 0.4;
        var unused = 0.0;
        return op switch
        {
            "Softmax" => (nameof(DTensorRules.SoftmaxPushforward), () => DTensor.Softmax(x), DTensorRules.SoftmaxPushforward, (_, y, dy, dx) => DTensorRules.SoftmaxPullback(y, dy, dx)),
            "LogSoftmax" => (nameof(DTensorRules.LogSoftmaxPushforward), () => DTensor.LogSoftmax(x), DTensorRules.LogSoftmaxPushforward, (_, y, dy, dx) => DTensorRules.LogSoftmaxPullback(y, dy, dx)),
            "SumLastAxis" => (nameof(DTensorRules.SumLastAxisPushforward), () => DTensor.SumLastAxis(x), (y, dx, dy) => DTensorRules.SumLastAxisPushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.SumLastAxisPullback(dy, dx)),
            "MeanLastAxis" => (nameof(DTensorRules.MeanLastAxisPushforward), () => DTensor.MeanLastAxis(x), (y, dx, dy) => DTensorRules.MeanLastAxisPushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.MeanLastAxisPullback(dy, dx)),
            "Reshape" => (nameof(DTensorRules.ReshapePushforward), () => DTensor.Reshape(x, 1, -1), (y, dx, dy) => DTensorRules.ReshapePushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.ReshapePullback(dy, dx)),
            "Reshape3" => (nameof(DTensorRules.ReshapePushforward), () => DTensor.Reshape(x, -1, 1, 1), (y, dx, dy) => DTensorRules.ReshapePushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.ReshapePullback(dy, dx)),
            "Reshape1" => (nameof(DTensorRules.ReshapePushforward), () => DTensor.Reshape(x, -1), (y, dx, dy) => DTensorRules.ReshapePushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.ReshapePullback(dy, dx)),
            "Reshape4" => (nameof(DTensorRules.ReshapePushforward), () => DTensor.Reshape(x, 1, -1, 1, 1), (y, dx, dy) => DTensorRules.ReshapePushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.ReshapePullback(dy, dx)),
            "ReshapeSpan" => (nameof(DTensorRules.ReshapePushforward), () => DTensor.Reshape(x, [1, -1]), (y, dx, dy) => DTensorRules.ReshapePushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.ReshapePullback(dy, dx)),
            "SumLastAxisKeep" => (nameof(DTensorRules.SumLastAxisPushforward), () => DTensor.SumLastAxis(x, keepAxis: true), (y, dx, dy) => DTensorRules.SumLastAxisPushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.SumLastAxisPullback(dy, dx)),
            "MeanLastAxisKeep" => (nameof(DTensorRules.MeanLastAxisPushforward), () => DTensor.MeanLastAxis(x, keepAxis: true), (y, dx, dy) => DTensorRules.MeanLastAxisPushforward(x, dx, dy), (_, y, dy, dx) => DTensorRules.MeanLastAxisPullback(dy, dx)),
            "Select" => (nameof(DTensorRules.SelectPushforward), () => DTensor.Select(x, x.Dimension(0) - 1), (y, dx, dy) => DTensorRules.SelectPushforward(x, x.Dimension(0) - 1, dx, dy), (_, y, dy, dx) => DTensorRules.SelectPullback(x.Dimension(0) - 1, dy, dx)),
            "Slice" => (nameof(DTensorRules.SlicePushforward), () => DTensor.Slice(x, x.Dimension(0) / 2, x.Dimension(0) - (x.Dimension(0) / 2)), (y, dx, dy) => DTensorRules.SlicePushforward(x, x.Dimension(0) / 2, x.Dimension(0) - (x.Dimension(0) / 2), dx, dy), (_, y, dy, dx) => DTensorRules.SlicePullback(x.Dimension(0) / 2, x.Dimension(0) - (x.Dimension(0) / 2), dy, dx)),
            _ => (
                nameof(DTensorRules.DropoutPushforward),
                () => DTensor.Dropout(x, rate, 99UL),
                (y, dx, dy) => DTensorRules.DropoutPushforward(rate, 99UL, dx, drate: 0.5, dy),
                (_, y, dy, dx) => DTensorRules.DropoutPullback(rate, 99UL, dy, dx, ref unused)),
        };
    }
}
