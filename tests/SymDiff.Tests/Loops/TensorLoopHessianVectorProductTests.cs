using SymDiff.Tests.Infrastructure;
using SymDiff.Tests.TensorGradients;

namespace SymDiff.Tests.Loops;

/// <summary>
/// Hessian-vector products of methods whose loops carry or define tensors (issue 18): the forward sweep tapes each
/// iteration's tensors and their tangents, the reverse loop runs each gradient step's tangent beside it. Checked against
/// central finite differences of the generated gradient along the direction, (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h, element
/// by element; float against double within a looser tolerance.
/// </summary>
public sealed class TensorLoopHessianVectorProductTests
{
    public static TheoryData<int, int> Trips => new() { { 0, 3 }, { 1, 1 }, { 2, 3 }, { 3, 0 }, { 3, 2 } };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void AStateFeedingItself(int steps)
    {
        var random = new Random(1000 + steps);
        var (w, s0) = (Uniform(random, 2, 3), Uniform(random, 2, 3));
        Check(
            random,
            [w, s0],
            (v, hv) => TensorLoopModels.SelfFeedingHessianVectorProduct(w, s0, steps, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.SelfFeeding(w, s0, steps),
            g => TensorLoopModels.SelfFeedingGradient(w, s0, steps, g[0], g[1]),
            "SelfFeeding");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void AnElmanNetworkWithACrossEntropyAtEveryStep(int steps)
    {
        var random = new Random(1100 + steps);
        var (w, u, b, v, xs, h0) = (Uniform(random, 3, 4), Uniform(random, 4, 4), Uniform(random, 4), Uniform(random, 4, 3), Uniform(random, 5, 2, 3), Uniform(random, 2, 4));
        int[] labels = [2, 0];
        Check(
            random,
            [w, u, b, v],
            (d, hv) => TensorLoopModels.ElmanHessianVectorProduct(w, u, b, v, xs, h0, labels, steps, d[0], d[1], d[2], d[3], hv[0], hv[1], hv[2], hv[3]),
            () => TensorLoopModels.Elman(w, u, b, v, xs, h0, labels, steps),
            g => TensorLoopModels.ElmanGradient(w, u, b, v, xs, h0, labels, steps, g[0], g[1], g[2], g[3]),
            "Elman");
    }

    /// <summary>
    /// A Hessian-vector product reverses from the constant seed 1, so nothing reads its result's tangent: its forward
    /// sweep computes no loss tangent (no cross-entropy pushforward, a softmax recomputed per time step) and no
    /// <c>vresult</c>, while the pushforward, which returns that tangent, still does; H·v still matches central finite
    /// differences of the gradient, and the generated code compiles warning-free.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void AnElmanNetworksProductComputesNoTangentOfItsLoss(int steps)
    {
        const string source = """
            using System;
            using SymDiff;

            public static partial class Rnn
            {
                [Differentiable]
                public static double Loss(
                    DTensor<double> w, DTensor<double> u, DTensor<double> b, DTensor<double> v,
                    [NoDiff] DTensor<double> xs, [NoDiff] DTensor<double> h0, [NoDiff] ReadOnlySpan<int> labels, int steps)
                {
                    var h = h0;
                    double loss = 0;
                    for (int t = 0; t < steps; t++)
                    {
                        h = DTensor.Tanh(DTensor.AddRowBias(DTensor.Add(DTensor.MatMul(DTensor.Select(xs, t), w), DTensor.MatMul(h, u)), b));
                        loss += DTensor.CrossEntropy(DTensor.MatMul(h, v), labels);
                    }

                    return loss / steps;
                }

                // Spans cannot go through reflection: these take the labels as an array.
                public static double Value(DTensor<double>[] p, DTensor<double> xs, DTensor<double> h0, int[] labels, int steps) =>
                    Loss(p[0], p[1], p[2], p[3], xs, h0, labels, steps);

                public static double Product(DTensor<double>[] p, DTensor<double> xs, DTensor<double> h0, int[] labels, int steps, DTensor<double>[] d, DTensor<double>[] hv) =>
                    LossHessianVectorProduct(p[0], p[1], p[2], p[3], xs, h0, labels, steps, d[0], d[1], d[2], d[3], hv[0], hv[1], hv[2], hv[3]);

                public static void Gradient(DTensor<double>[] p, DTensor<double> xs, DTensor<double> h0, int[] labels, int steps, DTensor<double>[] g) =>
                    LossGradient(p[0], p[1], p[2], p[3], xs, h0, labels, steps, g[0], g[1], g[2], g[3]);
            }
            """;
        var generated = GeneratorHarness.Run(source);
        var product = generated.Method("double LossHessianVectorProduct(");
        Assert.DoesNotContain("CrossEntropyPushforward", product, StringComparison.Ordinal);
        Assert.DoesNotContain("vresult", product, StringComparison.Ordinal);
        Assert.DoesNotContain("vloss", product, StringComparison.Ordinal);
        Assert.Contains("CrossEntropyPullbackTangent", product, StringComparison.Ordinal);
        Assert.Contains("CrossEntropyPushforward", generated.Method("double LossPushforward("), StringComparison.Ordinal);

        var type = GeneratorHarness.CompileAndLoad(source).GetType("Rnn")!;
        var random = new Random(1200 + steps);
        DTensor<double>[] p = [Uniform(random, 3, 4), Uniform(random, 4, 4), Uniform(random, 4), Uniform(random, 4, 3)];
        var (xs, h0) = (Uniform(random, 5, 2, 3), Uniform(random, 2, 4));
        int[] labels = [2, 0];
        Check(
            random,
            p,
            (d, hv) => (double)type.GetMethod("Product")!.Invoke(null, [p, xs, h0, labels, steps, d, hv])!,
            () => (double)type.GetMethod("Value")!.Invoke(null, [p, xs, h0, labels, steps])!,
            g => type.GetMethod("Gradient")!.Invoke(null, [p, xs, h0, labels, steps, g]),
            "Rnn.Loss");
    }

    /// <summary>
    /// The Elman network over token ids, its inputs and targets sliced from spans in each step: the reverse iteration
    /// makes the slices again (a span cannot be taped); keeping and recomputing its iterations in the gradient alike.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void AnElmanNetworkOverSlicedTokenIds(int steps)
    {
        const int batch = 2, vocabulary = 5, embedding = 3, hidden = 4;
        var random = new Random(1150 + steps);
        DTensor<double>[] p = [Uniform(random, vocabulary, embedding), Uniform(random, embedding, hidden), Uniform(random, hidden, hidden), Uniform(random, hidden), Uniform(random, hidden, vocabulary), Uniform(random, vocabulary)];
        var h0 = Uniform(random, batch, hidden);
        var inputs = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        var targets = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        Check(
            random,
            p,
            (d, hv) => TensorModels.RnnHessianVectorProduct(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch, d[0], d[1], d[2], d[3], d[4], d[5], hv[0], hv[1], hv[2], hv[3], hv[4], hv[5]),
            () => TensorModels.Rnn(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch),
            g => TensorModels.RnnGradient(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch, g[0], g[1], g[2], g[3], g[4], g[5]),
            "Rnn");
        Check(
            random,
            p,
            (d, hv) => TensorModels.RnnRecomputedHessianVectorProduct(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch, d[0], d[1], d[2], d[3], d[4], d[5], hv[0], hv[1], hv[2], hv[3], hv[4], hv[5]),
            () => TensorModels.RnnRecomputed(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch),
            g => TensorModels.RnnRecomputedGradient(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch, g[0], g[1], g[2], g[3], g[4], g[5]),
            "RnnRecomputed");
    }

    /// <summary>
    /// The same network handing its last hidden state on (<c>hLast.CopyFrom(h)</c>, as samples/RecurrentLM does): the
    /// product's forward sweep runs the copy once, as the method does.
    /// </summary>
    [Fact]
    public void AnElmanNetworkHandingItsStateOn()
    {
        const int batch = 2, vocabulary = 5, embedding = 3, hidden = 4, steps = 3;
        var random = new Random(1170);
        DTensor<double>[] p = [Uniform(random, vocabulary, embedding), Uniform(random, embedding, hidden), Uniform(random, hidden, hidden), Uniform(random, hidden), Uniform(random, hidden, vocabulary), Uniform(random, vocabulary)];
        var h0 = Uniform(random, batch, hidden);
        var inputs = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        var targets = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        var hLast = DTensor.Zeros<double>(batch, hidden);
        Check(
            random,
            p,
            (d, hv) => TensorModels.RnnHandingOnHessianVectorProduct(p[0], p[1], p[2], p[3], p[4], p[5], h0, hLast, inputs, targets, batch, d[0], d[1], d[2], d[3], d[4], d[5], hv[0], hv[1], hv[2], hv[3], hv[4], hv[5]),
            () => TensorModels.RnnHandingOn(p[0], p[1], p[2], p[3], p[4], p[5], h0, DTensor.Zeros<double>(batch, hidden), inputs, targets, batch),
            g => TensorModels.RnnHandingOnGradient(p[0], p[1], p[2], p[3], p[4], p[5], h0, DTensor.Zeros<double>(batch, hidden), inputs, targets, batch, g[0], g[1], g[2], g[3], g[4], g[5]),
            "RnnHandingOn");

        var expected = DTensor.Zeros<double>(batch, hidden);
        TensorModels.RnnHandingOn(p[0], p[1], p[2], p[3], p[4], p[5], h0, expected, inputs, targets, batch);
        Assert.Equal(expected.ToArray(), hLast.ToArray());
    }

    /// <summary>Spans sliced in each step of a loop, and of nested loops, that grow a context.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(2, 3)]
    public void ContextsGrownFromSlicedIds(int outer, int inner)
    {
        var random = new Random(1170 + (10 * outer) + inner);
        var c = Uniform(random, 6, 3, 0.9);
        var ids = Enumerable.Range(0, 2 * (Math.Max(outer, inner) + 2)).Select(_ => random.Next(6)).ToArray();
        Check(
            random,
            [c],
            (v, hv) => TensorLoopModels.GrowingContextHessianVectorProduct(c, ids, 2, outer + 1, v[0], hv[0]),
            () => TensorLoopModels.GrowingContext(c, ids, 2, outer + 1),
            g => TensorLoopModels.GrowingContextGradient(c, ids, 2, outer + 1, g[0]),
            "GrowingContext");
        Check(
            random,
            [c],
            (v, hv) => TensorLoopModels.NestedGrowthHessianVectorProduct(c, ids, 2, outer, inner, v[0], hv[0]),
            () => TensorLoopModels.NestedGrowth(c, ids, 2, outer, inner),
            g => TensorLoopModels.NestedGrowthGradient(c, ids, 2, outer, inner, g[0]),
            "NestedGrowth");
    }

    /// <summary>The float Elman network's H·v matches the double one's (float rounding only).</summary>
    [Fact]
    public void AnElmanNetworkInFloatMatchesDouble()
    {
        var random = new Random(1200);
        DTensor<double>[] p = [Uniform(random, 3, 4), Uniform(random, 4, 4), Uniform(random, 4), Uniform(random, 4, 3)];
        DTensor<double>[] d = [.. p.Select(x => Uniform(random, x.Shape.ToArray()))];
        var (xs, h0) = (Uniform(random, 4, 2, 3), Uniform(random, 2, 4));
        int[] labels = [1, 2];
        var hv = p.Select(x => DTensor.Zeros<double>(x.Shape.ToArray())).ToArray();
        var value = TensorLoopModels.ElmanHessianVectorProduct(p[0], p[1], p[2], p[3], xs, h0, labels, 4, d[0], d[1], d[2], d[3], hv[0], hv[1], hv[2], hv[3]);

        var pf = p.Select(ToFloat).ToArray();
        var df = d.Select(ToFloat).ToArray();
        var hvf = pf.Select(x => DTensor.Zeros<float>(x.Shape.ToArray())).ToArray();
        var valuef = TensorLoopModels.ElmanFloatHessianVectorProduct(pf[0], pf[1], pf[2], pf[3], ToFloat(xs), ToFloat(h0), labels, 4, df[0], df[1], df[2], df[3], hvf[0], hvf[1], hvf[2], hvf[3]);

        Assert.Equal(value, valuef, 1e-4);
        for (var i = 0; i < hv.Length; i++)
        {
            for (var j = 0; j < hv[i].Length; j++)
            {
                Assert.True(Math.Abs(hv[i][j] - hvf[i][j]) <= 1e-4 * Math.Max(1.0, Math.Abs(hv[i][j])), $"ElmanFloat: H·v of parameter {i}, element {j}, is {hvf[i][j]}; in double {hv[i][j]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Trips))]
    public void TensorsCarriedThroughNestedLoops(int outer, int inner)
    {
        var random = new Random(1300 + (10 * outer) + inner);
        var (w, h0) = (Uniform(random, 3, 3, 0.8), Uniform(random, 2, 3, 0.8));
        var decay = DTensor.Full(0.9, 1);
        Check(
            random,
            [w],
            (v, hv) => TensorLoopModels.NestedHessianVectorProduct(w, h0, outer, inner, v[0], hv[0]),
            () => TensorLoopModels.Nested(w, h0, outer, inner),
            g => TensorLoopModels.NestedGradient(w, h0, outer, inner, g[0]),
            "Nested");
        Check(
            random,
            [w, h0],
            (v, hv) => TensorLoopModels.NestedFromStateHessianVectorProduct(w, h0, outer, inner, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.NestedFromState(w, h0, outer, inner),
            g => TensorLoopModels.NestedFromStateGradient(w, h0, outer, inner, g[0], g[1]),
            "NestedFromState");
        Check(
            random,
            [w, h0, decay],
            (v, hv) =>
            {
                var value = TensorLoopModels.ReadAfterInnerLoopHessianVectorProduct(w, h0, decay[0], outer, inner, v[0], v[1], v[2][0], hv[0], hv[1], out var hvDecay);
                hv[2][0] = hvDecay;
                return value;
            },
            () => TensorLoopModels.ReadAfterInnerLoop(w, h0, decay[0], outer, inner),
            g =>
            {
                TensorLoopModels.ReadAfterInnerLoopGradient(w, h0, decay[0], outer, inner, g[0], g[1], out var dDecay);
                g[2][0] = dDecay;
            },
            "ReadAfterInnerLoop");
        Check(
            random,
            [w, h0],
            (v, hv) => TensorLoopModels.OuterValueReadInsideHessianVectorProduct(w, h0, outer, inner, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.OuterValueReadInside(w, h0, outer, inner),
            g => TensorLoopModels.OuterValueReadInsideGradient(w, h0, outer, inner, g[0], g[1]),
            "OuterValueReadInside");
        Check(
            random,
            [w, h0],
            (v, hv) => TensorLoopModels.ThreeLevelsHessianVectorProduct(w, h0, outer, inner, 2, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.ThreeLevels(w, h0, outer, inner, 2),
            g => TensorLoopModels.ThreeLevelsGradient(w, h0, outer, inner, 2, g[0], g[1]),
            "ThreeLevels");
        Check(
            random,
            [w, h0],
            (v, hv) => TensorLoopModels.RestartedEachOuterIterationHessianVectorProduct(w, h0, outer, inner, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.RestartedEachOuterIteration(w, h0, outer, inner),
            g => TensorLoopModels.RestartedEachOuterIterationGradient(w, h0, outer, inner, g[0], g[1]),
            "RestartedEachOuterIteration");
        Check(
            random,
            [w, h0],
            (v, hv) => TensorLoopModels.RestartedThreeLevelsHessianVectorProduct(w, h0, outer, inner, 2, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.RestartedThreeLevels(w, h0, outer, inner, 2),
            g => TensorLoopModels.RestartedThreeLevelsGradient(w, h0, outer, inner, 2, g[0], g[1]),
            "RestartedThreeLevels");
    }

    [Theory]
    [MemberData(nameof(Trips))]
    public void BreakAndReturnInsideNestedTensorLoops(int outer, int inner)
    {
        var random = new Random(1400 + (10 * outer) + inner);
        var (w, h0) = (Uniform(random, 3, 3, 0.9), Uniform(random, 2, 3, 0.9));
        foreach (var limit in new[] { -0.2, 0.3, 100 })
        {
            Check(
                random,
                [w, h0],
                (v, hv) => TensorLoopModels.BreakInInnerLoopHessianVectorProduct(w, h0, limit, outer, inner, v[0], v[1], hv[0], hv[1]),
                () => TensorLoopModels.BreakInInnerLoop(w, h0, limit, outer, inner),
                g => TensorLoopModels.BreakInInnerLoopGradient(w, h0, limit, outer, inner, g[0], g[1]),
                "BreakInInnerLoop");
            Check(
                random,
                [w, h0],
                (v, hv) => TensorLoopModels.ReturnAndBranchHessianVectorProduct(w, h0, limit, outer, inner, v[0], v[1], hv[0], hv[1]),
                () => TensorLoopModels.ReturnAndBranch(w, h0, limit, outer, inner),
                g => TensorLoopModels.ReturnAndBranchGradient(w, h0, limit, outer, inner, g[0], g[1]),
                "ReturnAndBranch");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void SumsAndShapesThatChangeBetweenIterations(int steps)
    {
        var random = new Random(1500 + steps);
        var (w, x) = (Uniform(random, 3, 3, 0.8), Uniform(random, 2, 3, 0.8));
        Check(
            random,
            [w, x],
            (v, hv) => TensorLoopModels.AccumulatedHessianVectorProduct(w, x, steps, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.Accumulated(w, x, steps),
            g => TensorLoopModels.AccumulatedGradient(w, x, steps, g[0], g[1]),
            "Accumulated");

        var (x0, down, up, square) = (Uniform(random, 4, 3, 0.9), Uniform(random, 3, 2, 0.9), Uniform(random, 2, 3, 0.9), Uniform(random, 2, 2, 0.9));
        Check(
            random,
            [x0, down, square],
            (v, hv) => TensorLoopModels.ShrinkingProjectionHessianVectorProduct(x0, down, square, steps, v[0], v[1], v[2], hv[0], hv[1], hv[2]),
            () => TensorLoopModels.ShrinkingProjection(x0, down, square, steps),
            g => TensorLoopModels.ShrinkingProjectionGradient(x0, down, square, steps, g[0], g[1], g[2]),
            "ShrinkingProjection");
        Check(
            random,
            [down, up, x0],
            (v, hv) => TensorLoopModels.AlternatingColumnsHessianVectorProduct(down, up, x0, steps, v[0], v[1], v[2], hv[0], hv[1], hv[2]),
            () => TensorLoopModels.AlternatingColumns(down, up, x0, steps),
            g => TensorLoopModels.AlternatingColumnsGradient(down, up, x0, steps, g[0], g[1], g[2]),
            "AlternatingColumns");

        var scale = Uniform(random, 4, 3, 0.9);
        Check(
            random,
            [x0, scale],
            (v, hv) => TensorLoopModels.AlternatingReshapeHessianVectorProduct(x0, scale, steps, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.AlternatingReshape(x0, scale, steps),
            g => TensorLoopModels.AlternatingReshapeGradient(x0, scale, steps, g[0], g[1]),
            "AlternatingReshape");

        var halvings = Math.Min(steps, 3);
        var (wide, narrow) = (Uniform(random, 2, 8, 0.9), Uniform(random, 8 >> halvings, 2, 0.9));
        Check(
            random,
            [wide, narrow],
            (v, hv) => TensorLoopModels.HalvingWidthHessianVectorProduct(wide, narrow, halvings, v[0], v[1], hv[0], hv[1]),
            () => TensorLoopModels.HalvingWidth(wide, narrow, halvings),
            g => TensorLoopModels.HalvingWidthGradient(wide, narrow, halvings, g[0], g[1]),
            "HalvingWidth");
    }

    /// <summary>
    /// Once warm, a product with loops over tensors allocates nothing: an iteration computes what the reverse loop reads
    /// into its slots on tapes, what may outlive it into a slot of its own, the rest into buffers every iteration
    /// overwrites; and a warm call gives the very numbers of the first (the Elman network over token ids, nested loops,
    /// a value read after an inner loop, three levels, an inner loop started over each outer iteration, a tensor whose shape
    /// alternates between iterations (its gradient and pushforward too), calls to another file's method with tensor
    /// arguments, in a loop and in a branch).
    /// </summary>
    [Fact]
    public void ProductsWithTensorLoopsAllocateNothingOnceWarm()
    {
        const int batch = 2, vocabulary = 5, embedding = 3, hidden = 4, steps = 6;
        var random = new Random(1600);
        DTensor<double>[] p = [Uniform(random, vocabulary, embedding), Uniform(random, embedding, hidden), Uniform(random, hidden, hidden), Uniform(random, hidden), Uniform(random, hidden, vocabulary), Uniform(random, vocabulary)];
        var h0 = Uniform(random, batch, hidden);
        var inputs = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        var targets = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        var d = p.Select(x => Uniform(random, x.Shape.ToArray())).ToArray();
        var hv = Zeros(p);
        AssertWarmCallsAllocateNothing(hv, () => TensorModels.RnnHessianVectorProduct(p[0], p[1], p[2], p[3], p[4], p[5], h0, inputs, targets, batch, d[0], d[1], d[2], d[3], d[4], d[5], hv[0], hv[1], hv[2], hv[3], hv[4], hv[5]));

        var (w, s0) = (Uniform(random, 3, 3, 0.8), Uniform(random, 2, 3, 0.8));
        var (vw, vs0) = (Uniform(random, 3, 3, 1.0), Uniform(random, 2, 3, 1.0));
        var hvs = Zeros([w, s0]);
        AssertWarmCallsAllocateNothing(hvs, () => TensorLoopModels.NestedHessianVectorProduct(w, s0, 4, 3, vw, hvs[0]));
        AssertWarmCallsAllocateNothing(hvs, () => TensorLoopModels.ReadAfterInnerLoopHessianVectorProduct(w, s0, 0.9, 4, 3, vw, vs0, 0.5, hvs[0], hvs[1], out _));
        AssertWarmCallsAllocateNothing(hvs, () => TensorLoopModels.ThreeLevelsHessianVectorProduct(w, s0, 3, 2, 2, vw, vs0, hvs[0], hvs[1]));
        AssertWarmCallsAllocateNothing(hvs, () => TensorLoopModels.RestartedEachOuterIterationHessianVectorProduct(w, s0, 4, 3, vw, vs0, hvs[0], hvs[1]));

        // A tensor whose shape alternates between iterations (4 x 3, 3 x 4): views and buffers re-shaped in place.
        var (x0, scale) = (Uniform(random, 4, 3, 0.9), Uniform(random, 4, 3, 0.9));
        var (vx0, vscale) = (Uniform(random, 4, 3, 1.0), Uniform(random, 4, 3, 1.0));
        var hvr = Zeros([x0, scale]);
        AssertWarmCallsAllocateNothing(hvr, () => TensorLoopModels.AlternatingReshapeHessianVectorProduct(x0, scale, 5, vx0, vscale, hvr[0], hvr[1]));
        Assert.Equal(0, Allocations.OnceWarm(() => TensorLoopModels.AlternatingReshapeGradient(x0, scale, 5, hvr[0], hvr[1])));
        Assert.Equal(0, Allocations.OnceWarm(() => TensorLoopModels.AlternatingReshapePushforward(x0, scale, 5, vx0, vscale, out _)));

        // Calls to another file's method with tensor arguments: its partials and H·v go into workspace buffers, in a loop
        // into per-iteration slots (and the callee's own product and gradient reuse theirs).
        AssertWarmCallsAllocateNothing(hvs, () => TensorGradients.CrossFileCallers.UnrolledHessianVectorProduct(w, s0, 0.7, 4, vw, vs0, 0.3, hvs[0], hvs[1], out _));
        // Both calls of the callee see the same shapes here: its own workspace is one per method, so calls of different
        // shapes would re-grow its buffers in turn (as its gradient's would).
        var (w2, x) = (Uniform(random, 3, 3, 0.8), Uniform(random, 5, 3, 0.8));
        var hv2 = Zeros([w, w2]);
        AssertWarmCallsAllocateNothing(hv2, () => TensorGradients.CrossFileCallers.TwoCallsHessianVectorProduct(w, w2, 0.8, x, vw, null, 0.3, hv2[0], hv2[1], out _));

        // Their gradients and buffered forms too: the callee's value comes from its own buffered form, not the method as
        // written (which allocates its intermediates).
        Assert.Equal(0, Allocations.OnceWarm(() => TensorGradients.CrossFileCallers.UnrolledGradient(w, s0, 0.7, 4, hvs[0], hvs[1], out _)));
        Assert.Equal(0, Allocations.OnceWarm(() => TensorGradients.CrossFileCallers.UnrolledBuffered(w, s0, 0.7, 4)));
        Assert.Equal(0, Allocations.OnceWarm(() => TensorGradients.CrossFileCallers.TwoCallsGradient(w, w2, 0.8, x, hv2[0], hv2[1], out _)));
        Assert.Equal(TensorGradients.CrossFileCallers.TwoCalls(w, w2, 0.8, x), TensorGradients.CrossFileCallers.TwoCallsBuffered(w, w2, 0.8, x));
    }

    /// <summary>A product called again and again (its H·v buffers zeroed first) allocates nothing once warm, and gives the first call's numbers.</summary>
    private static void AssertWarmCallsAllocateNothing(DTensor<double>[] hv, Func<double> product)
    {
        double Call()
        {
            foreach (var buffer in hv)
            {
                buffer.Clear();
            }

            return product();
        }

        var value = Call();
        var first = hv.Select(x => x.ToArray()).ToArray();
        Assert.Equal(0, Allocations.OnceWarm(() => Call()));
        Assert.Equal(value, Call());
        for (var i = 0; i < hv.Length; i++)
        {
            Assert.Equal(first[i], hv[i].ToArray());
        }
    }

    /// <summary>
    /// Runs the product twice (the second time on warm workspace tapes and buffers) along a random direction: its value
    /// is the method's, and each time H·v is the finite difference of the gradient along the direction.
    /// </summary>
    private static void Check(
        Random random,
        DTensor<double>[] parameters,
        Func<DTensor<double>[], DTensor<double>[], double> product,
        Func<double> value,
        TensorHessianVectorProductTests.Gradient gradient,
        string model)
    {
        var v = parameters.Select(p => Uniform(random, p.Shape.ToArray())).ToArray();
        for (var run = 0; run < 2; run++)
        {
            var hv = Zeros(parameters);
            Assert.Equal(value(), product(v, hv), 12);
            TensorHessianVectorProductTests.AssertMatches(parameters, v, hv, gradient, model);
        }
    }

    private static DTensor<float> ToFloat(DTensor<double> x) => DTensor<float>.FromArray(x.ToArray().Select(e => (float)e).ToArray(), x.Shape.ToArray());

    private static DTensor<double>[] Zeros(DTensor<double>[] parameters) => parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();

    private static DTensor<double> Uniform(Random random, params int[] shape) => DTensor.RandomUniform(random, -1.0, 1.0, shape);

    private static DTensor<double> Uniform(Random random, int rows, int columns, double bound) => DTensor.RandomUniform(random, -bound, bound, rows, columns);
}
