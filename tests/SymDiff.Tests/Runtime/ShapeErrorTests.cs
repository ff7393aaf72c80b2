using System.Text.RegularExpressions;
using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>Shape mismatches throw ArgumentException naming the op and both shapes, before anything is written.</summary>
public sealed partial class ShapeErrorTests
{
    /// <summary>
    /// The rules with two or more gradients, the scalar ones (<c>ref T ds</c>) included; a case name is the rule's,
    /// with the overload in parentheses where there are two.
    /// </summary>
    private static readonly string[] TwoGradientRules =
    [
        "AddPullback", "SubtractPullback", "MultiplyPullback", "DividePullback", "MatMulPullback", "MatMulPullback(transposed)",
        "AddRowBiasPullback", "SquareLossPullback", "ConcatPullback",
        "AddPullback(scalar)", "SubtractPullback(scalar)", "MultiplyPullback(scalar)", "DividePullback(scalar)", "DropoutPullback",
    ];

    /// <summary>Every rule whose dResult is a tensor, so it can have the wrong shape.</summary>
    private static readonly string[] TensorDResultRules =
    [
        .. TwoGradientRules.Where(rule => rule != "SquareLossPullback"),
        "TanhPullback", "SigmoidPullback", "ReluPullback", "ExpPullback", "LogPullback", "SquarePullback", "SqrtPullback", "NegatePullback",
        "SoftmaxPullback", "LogSoftmaxPullback", "ReshapePullback", "SumLastAxisPullback", "MeanLastAxisPullback", "EmbeddingPullback",
    ];

    public static TheoryData<string> RulesWithTwoGradients => new(TwoGradientRules);

    public static TheoryData<string> RulesWithATensorDResult => new(TensorDResultRules);

    [Theory]
    [MemberData(nameof(RulesWithTwoGradients))]
    public void ARuleChecksEveryGradientBeforeWritingAny(string rule)
    {
        var call = Rule(rule);
        Assert.True(call.Gradients.Length >= 2, rule);
        for (var wrong = 0; wrong < call.Gradients.Length - call.Scalars; wrong++)
        {
            // The gradients before and after the wrong one are right, so a rule that writes as it checks is caught.
            var gradients = call.Gradients.Select((shape, i) => Numbered(i == wrong ? WrongShape(shape) : shape, i)).ToArray();
            var before = gradients.Select(g => g.ToArray()).ToArray();
            var error = Assert.Throws<ArgumentException>(() => call.Invoke(Numbered(call.DResult ?? [1], 9), gradients)); // a scalar dResult: any tensor, unread
            AssertNamesRuleAndShapes(error, call.Name, gradients[wrong].ShapeText);
            for (var i = 0; i < gradients.Length; i++)
            {
                Assert.Equal(before[i], gradients[i].ToArray()); // still its initial contents
            }
        }
    }

    [Theory]
    [MemberData(nameof(RulesWithATensorDResult))]
    public void ARuleChecksDResultBeforeWritingAnyGradient(string rule)
    {
        var call = Rule(rule);
        var gradients = call.Gradients.Select(Numbered).ToArray();
        var before = gradients.Select(g => g.ToArray()).ToArray();
        var dResult = Numbered(call.WrongDResult ?? WrongShape(call.DResult!), 9);
        var error = Assert.Throws<ArgumentException>(() => call.Invoke(dResult, gradients));
        AssertNamesRuleAndShapes(error, call.Name, dResult.ShapeText);
        for (var i = 0; i < gradients.Length; i++)
        {
            Assert.Equal(before[i], gradients[i].ToArray());
        }
    }

    [Fact]
    public void AMissingInputIsNamedAsTheRuleNamesIt()
    {
        var (x, dx) = (DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(2, 3));
        Assert.Equal("result", Assert.Throws<ArgumentNullException>(() => DTensorRules.TanhPullback(null!, x, dx)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => DTensorRules.LogPullback(null!, x, dx)).ParamName);
        Assert.Equal("dResult", Assert.Throws<ArgumentNullException>(() => DTensorRules.SoftmaxPullback(x, null!, dx)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => DTensor.Multiply(x, null!)).ParamName);
    }

    [Fact]
    public void TheRuleCasesAreRightAsGiven()
    {
        // Each case, called with its own shapes, succeeds and writes every gradient: the failures above come from the one wrong shape.
        foreach (var rule in TensorDResultRules.Append("SquareLossPullback"))
        {
            var call = Rule(rule);
            var gradients = call.Gradients.Select(Numbered).ToArray();
            var before = gradients.Select(g => g.ToArray()).ToArray();
            call.Invoke(Numbered(call.DResult ?? [1], 9), gradients);
            for (var i = 0; i < gradients.Length; i++)
            {
                if (!(rule == "DropoutPullback" && i == 1)) // the rate is not trained: its gradient stays
                {
                    Assert.NotEqual(before[i], gradients[i].ToArray());
                }
            }
        }
    }
    [Fact]
    public void ElementwiseMismatchNamesOpAndShapesAndWritesNothing()
    {
        DTensor<float>? destination = DTensor.Full(7f, 2, 3);
        var exception = Assert.Throws<ArgumentException>(() => DTensor.Add(DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(3, 2), ref destination));
        Assert.Contains("Add", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 2]", exception.Message, StringComparison.Ordinal);
        Assert.All(destination!.ToArray(), v => Assert.Equal(7f, v));
    }

    /// <summary>Add broadcasts a per-row or per-column second operand; any other shape is refused before anything is written.</summary>
    [Fact]
    public void AddBroadcastsRowsAndColumnsOnly()
    {
        var a = DTensor<float>.FromArray(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 2, 3);
        Assert.Equal(new[] { 11f, 12f, 13f, 24f, 25f, 26f }, DTensor.Add(a, DTensor<float>.FromArray(new[] { 10f, 20f }, 2, 1)).ToArray());
        Assert.Equal(new[] { 2f, 4f, 6f, 5f, 7f, 9f }, DTensor.Add(a, DTensor<float>.FromArray(new[] { 1f, 2f, 3f }, 3)).ToArray());
        foreach (var b in new[] { DTensor.Zeros<float>(3, 1), DTensor.Zeros<float>(2), DTensor.Zeros<float>(2, 2, 3) })
        {
            DTensor<float>? destination = DTensor.Full(7f, 2, 3);
            var exception = Assert.Throws<ArgumentException>(() => DTensor.Add(a, b, ref destination));
            Assert.StartsWith("Add: shapes [2, 3] and " + b.ShapeText + " do not broadcast", exception.Message, StringComparison.Ordinal);
            Assert.All(destination!.ToArray(), v => Assert.Equal(7f, v));
        }
    }

    [Fact]
    public void MatMulMismatchNamesBothShapes()
    {
        DTensor<float>? destination = DTensor.Full(7f, 2, 5);
        var exception = Assert.Throws<ArgumentException>(() => DTensor.MatMul(DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(4, 5), false, false, ref destination));
        Assert.Contains("MatMul", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 5]", exception.Message, StringComparison.Ordinal);
        Assert.All(destination!.ToArray(), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void OtherOpsValidateTheirShapes()
    {
        Assert.Contains("AddRowBias", Assert.Throws<ArgumentException>(() => DTensor.AddRowBias(DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(4))).Message, StringComparison.Ordinal);
        Assert.Contains("Concat", Assert.Throws<ArgumentException>(() => DTensor.Concat(DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(3, 3))).Message, StringComparison.Ordinal);
        Assert.Contains("Reshape", Assert.Throws<ArgumentException>(() => DTensor.Reshape(DTensor.Zeros<float>(2, 3), 4, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("CrossEntropy", Assert.Throws<ArgumentException>(() => DTensor.CrossEntropy(DTensor.Zeros<float>(2, 3), new[] { 0 })).Message, StringComparison.Ordinal);
        Assert.Contains("Embedding", Assert.Throws<ArgumentOutOfRangeException>(() => DTensor.Embedding(DTensor.Zeros<float>(5, 3), new[] { 5 })).Message, StringComparison.Ordinal);
        Assert.Contains("MultiplyPullback", Assert.Throws<ArgumentException>(() =>
            DTensorRules.MultiplyPullback(DTensor.Zeros<float>(3), DTensor.Zeros<float>(3), DTensor.Zeros<float>(3), DTensor.Zeros<float>(4), null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DestinationBuffersAreReusedWithoutAllocating()
    {
        var a = DTensor.Full(1f, 64, 64);
        var b = DTensor.Full(2f, 64, 64);
        DTensor<float>? destination = null;
        DTensor.Add(a, b, ref destination);
        var first = destination;
        DTensor.Tanh(a, ref destination);
        DTensor.MatMul(a, b, false, false, ref destination); // warm up (per-thread packing buffers)
        var before = GC.GetAllocatedBytesForCurrentThread();
        DTensor.Add(a, b, ref destination);
        DTensor.Tanh(a, ref destination);
        DTensor.MatMul(a, b, false, false, ref destination);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Same(first, destination);
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// A rule called on float tensors of small shapes: its gradients' shapes (the last <see cref="Scalars"/> of them are
    /// a scalar gradient's one element, passed by ref), its dResult's (null: a scalar dResult) and how to call it.
    /// </summary>
    private sealed record RuleCall(string Name, int[]? DResult, int[][] Gradients, Action<DTensor<float>, DTensor<float>[]> Invoke, int Scalars = 0, int[]? WrongDResult = null);

    private static RuleCall Rule(string rule)
    {
        int[] s = [2, 3];
        var (x, y) = (Numbered(s, 5), Numbered(s, 6)); // the op's inputs or result, where a rule reads them
        return rule switch
        {
            "AddPullback" => new(rule, s, [s, s], (dy, g) => DTensorRules.AddPullback(dy, g[0], g[1])),
            "SubtractPullback" => new(rule, s, [s, s], (dy, g) => DTensorRules.SubtractPullback(dy, g[0], g[1])),
            "MultiplyPullback" => new(rule, s, [s, s], (dy, g) => DTensorRules.MultiplyPullback(x, y, dy, g[0], g[1])),
            "DividePullback" => new(rule, s, [s, s], (dy, g) => DTensorRules.DividePullback(y, x, dy, g[0], g[1])),
            "MatMulPullback" => new(rule, [2, 4], [[2, 3], [3, 4]], (dy, g) => DTensorRules.MatMulPullback(Numbered([2, 3], 5), Numbered([3, 4], 6), false, false, dy, g[0], g[1])),
            "MatMulPullback(transposed)" => new("MatMulPullback", [2, 4], [[3, 2], [4, 3]], (dy, g) => DTensorRules.MatMulPullback(Numbered([3, 2], 5), Numbered([4, 3], 6), true, true, dy, g[0], g[1])),
            "AddRowBiasPullback" => new(rule, s, [s, [3]], (dy, g) => DTensorRules.AddRowBiasPullback(dy, g[0], g[1])),
            "SquareLossPullback" => new(rule, null, [s, s], (_, g) => DTensorRules.SquareLossPullback(x, y, 1f, g[0], g[1])),
            "ConcatPullback" => new(rule, [2, 5], [s, [2, 2]], (dy, g) => DTensorRules.ConcatPullback(x, Numbered([2, 2], 6), dy, g[0], g[1])),
            "AddPullback(scalar)" => new("AddPullback", s, [s, [1]], (dy, g) => DTensorRules.AddPullback(dy, g[0], ref g[1].Span[0]), Scalars: 1),
            "SubtractPullback(scalar)" => new("SubtractPullback", s, [s, [1]], (dy, g) => DTensorRules.SubtractPullback(dy, g[0], ref g[1].Span[0]), Scalars: 1),
            "MultiplyPullback(scalar)" => new("MultiplyPullback", s, [s, [1]], (dy, g) => DTensorRules.MultiplyPullback(x, 2f, dy, g[0], ref g[1].Span[0]), Scalars: 1),
            "DividePullback(scalar)" => new("DividePullback", s, [s, [1]], (dy, g) => DTensorRules.DividePullback(2f, x, dy, g[0], ref g[1].Span[0]), Scalars: 1),
            "DropoutPullback" => new(rule, s, [s, [1]], (dy, g) => DTensorRules.DropoutPullback(0.25f, 7UL, dy, g[0], ref g[1].Span[0]), Scalars: 1),
            "TanhPullback" => new(rule, s, [s], (dy, g) => DTensorRules.TanhPullback(x, dy, g[0])),
            "SigmoidPullback" => new(rule, s, [s], (dy, g) => DTensorRules.SigmoidPullback(x, dy, g[0])),
            "ReluPullback" => new(rule, s, [s], (dy, g) => DTensorRules.ReluPullback(x, dy, g[0])),
            "ExpPullback" => new(rule, s, [s], (dy, g) => DTensorRules.ExpPullback(x, dy, g[0])),
            "LogPullback" => new(rule, s, [s], (dy, g) => DTensorRules.LogPullback(x, dy, g[0])),
            "SquarePullback" => new(rule, s, [s], (dy, g) => DTensorRules.SquarePullback(x, dy, g[0])),
            "SqrtPullback" => new(rule, s, [s], (dy, g) => DTensorRules.SqrtPullback(x, dy, g[0])),
            "NegatePullback" => new(rule, s, [s], (dy, g) => DTensorRules.NegatePullback(dy, g[0])),
            "SoftmaxPullback" => new(rule, s, [s], (dy, g) => DTensorRules.SoftmaxPullback(x, dy, g[0])),
            "LogSoftmaxPullback" => new(rule, s, [s], (dy, g) => DTensorRules.LogSoftmaxPullback(x, dy, g[0])),
            "ReshapePullback" => new(rule, [3, 2], [s], (dy, g) => DTensorRules.ReshapePullback(dy, g[0]), WrongDResult: [4, 2]), // any shape of 6 elements is right
            "SumLastAxisPullback" => new(rule, [2], [s], (dy, g) => DTensorRules.SumLastAxisPullback(dy, g[0])),
            "MeanLastAxisPullback" => new(rule, [2], [s], (dy, g) => DTensorRules.MeanLastAxisPullback(dy, g[0])),
            "EmbeddingPullback" => new(rule, [2, 4], [[5, 4]], (dy, g) => DTensorRules.EmbeddingPullback([1, 3], dy, g[0])),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "no such case"),
        };
    }

    /// <summary>A shape with the same element count as <paramref name="shape"/> but another shape, so a rule that did not check would not notice.</summary>
    private static int[] WrongShape(int[] shape) => shape.Length >= 2 && shape[0] != shape[^1] ? [.. shape.Reverse()] : [1, .. shape];

    /// <summary>A tensor whose elements are all different and positive (Log and Sqrt read it), so any write shows.</summary>
    private static DTensor<float> Numbered(int[] shape, int index)
    {
        var tensor = DTensor.Zeros<float>(shape);
        for (var i = 0; i < tensor.Length; i++)
        {
            tensor[i] = (10 * index) + 1 + (i / 8f);
        }

        return tensor;
    }

    private static void AssertNamesRuleAndShapes(ArgumentException error, string rule, string wrongShape)
    {
        Assert.StartsWith(rule + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(wrongShape, error.Message, StringComparison.Ordinal);
        Assert.True(ShapeTexts().Count(error.Message) >= 2, "the message names the other shape too: " + error.Message);
    }

    [GeneratedRegex(@"\[[0-9, ]*\]")]
    private static partial Regex ShapeTexts();

    [Fact]
    public void KeptShapesSizeZeroedBuffersWithoutAllocatingOnceWarm()
    {
        int[]? shape = null;
        DTensor<double>? gradient = null;
        Buffers.KeepShape(DTensor.Zeros<double>(2, 3), ref shape);
        var kept = shape;
        Assert.Equal([2, 3], shape!);
        Buffers.EnsureZeroed(ref gradient, shape!).Fill(5);
        var buffer = gradient;

        var value = DTensor.Zeros<double>(2, 3);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Buffers.KeepShape(value, ref shape);
        var zeroed = Buffers.EnsureZeroed(ref gradient, shape!);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Same(kept, shape);
        Assert.Same(buffer, zeroed);
        Assert.All(zeroed.ToArray(), v => Assert.Equal(0.0, v));

        Buffers.KeepShape(DTensor.Zeros<double>(4, 1, 2), ref shape); // another rank: a new array
        Assert.Equal([4, 1, 2], shape!);
        Assert.True(Buffers.EnsureZeroed(ref gradient, shape!).HasShape([4, 1, 2]));
    }
}
