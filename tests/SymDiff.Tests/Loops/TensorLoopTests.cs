namespace SymDiff.Tests.Loops;

/// <summary>
/// Tensors carried through nested loops, and carried tensors that change shape between iterations (issue 17): the
/// gradient, keeping and recomputing the iterations, against central finite differences; the pullback against the
/// gradient; the buffered forward pass against the method itself; the pushforward against the gradient along a direction.
/// </summary>
public sealed class TensorLoopTests
{
    public static TheoryData<int, int> Trips => new() { { 0, 3 }, { 1, 1 }, { 2, 3 }, { 3, 0 }, { 3, 2 }, { 4, 3 } };

    [Theory]
    [MemberData(nameof(Trips))]
    public void TensorCarriedThroughNestedLoops(int outer, int inner)
    {
        var random = new Random((10 * outer) + inner);
        var w = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var h0 = DTensor.RandomUniform(random, -0.8, 0.8, 2, 3);

        Verify(
            () => TensorLoopModels.Nested(w, h0, outer, inner),
            () => TensorLoopModels.NestedBuffered(w, h0, outer, inner),
            [w],
            (g, recompute) => TensorLoopModels.NestedGradient(w, h0, outer, inner, g[0], recompute),
            (seed, g, recompute) => TensorLoopModels.NestedPullback(w, h0, outer, inner, seed, g[0], recompute),
            d => (TensorLoopModels.NestedPushforward(w, h0, outer, inner, d[0], out var tangent), tangent));
        Verify(
            () => TensorLoopModels.NestedFromState(w, h0, outer, inner),
            () => TensorLoopModels.NestedFromStateBuffered(w, h0, outer, inner),
            [w, h0],
            (g, recompute) => TensorLoopModels.NestedFromStateGradient(w, h0, outer, inner, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.NestedFromStatePullback(w, h0, outer, inner, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.NestedFromStatePushforward(w, h0, outer, inner, d[0], d[1], out var tangent), tangent));
    }

    [Theory]
    [MemberData(nameof(Trips))]
    public void TensorReadAndUpdatedInTheOuterBody(int outer, int inner)
    {
        var random = new Random((10 * outer) + inner + 100);
        var w = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var h0 = DTensor.RandomUniform(random, -0.8, 0.8, 2, 3);
        var decay = DTensor.Full(0.9, 1);

        Verify(
            () => TensorLoopModels.ReadAfterInnerLoop(w, h0, decay[0], outer, inner),
            () => TensorLoopModels.ReadAfterInnerLoopBuffered(w, h0, decay[0], outer, inner),
            [w, h0, decay],
            (g, recompute) =>
            {
                var value = TensorLoopModels.ReadAfterInnerLoopGradient(w, h0, decay[0], outer, inner, g[0], g[1], out var dDecay, recompute);
                g[2][0] = dDecay;
                return value;
            },
            (seed, g, recompute) =>
            {
                var dDecay = g[2][0];
                TensorLoopModels.ReadAfterInnerLoopPullback(w, h0, decay[0], outer, inner, seed, g[0], g[1], ref dDecay, recompute);
                g[2][0] = dDecay;
            },
            d => (TensorLoopModels.ReadAfterInnerLoopPushforward(w, h0, decay[0], outer, inner, d[0], d[1], d[2][0], out var tangent), tangent));
        Verify(
            () => TensorLoopModels.OuterValueReadInside(w, h0, outer, inner),
            () => TensorLoopModels.OuterValueReadInsideBuffered(w, h0, outer, inner),
            [w, h0],
            (g, recompute) => TensorLoopModels.OuterValueReadInsideGradient(w, h0, outer, inner, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.OuterValueReadInsidePullback(w, h0, outer, inner, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.OuterValueReadInsidePushforward(w, h0, outer, inner, d[0], d[1], out var tangent), tangent));
    }

    [Theory]
    [MemberData(nameof(Trips))]
    public void TensorCarriedThroughThreeLevels(int a, int b)
    {
        var random = new Random((10 * a) + b + 200);
        var w = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var h0 = DTensor.RandomUniform(random, -0.8, 0.8, 2, 3);

        Verify(
            () => TensorLoopModels.ThreeLevels(w, h0, a, b, 2),
            () => TensorLoopModels.ThreeLevelsBuffered(w, h0, a, b, 2),
            [w, h0],
            (g, recompute) => TensorLoopModels.ThreeLevelsGradient(w, h0, a, b, 2, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.ThreeLevelsPullback(w, h0, a, b, 2, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.ThreeLevelsPushforward(w, h0, a, b, 2, d[0], d[1], out var tangent), tangent));
        Verify(
            () => TensorLoopModels.RestartedThreeLevels(w, h0, a, b, 2),
            () => TensorLoopModels.RestartedThreeLevelsBuffered(w, h0, a, b, 2),
            [w, h0],
            (g, recompute) => TensorLoopModels.RestartedThreeLevelsGradient(w, h0, a, b, 2, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.RestartedThreeLevelsPullback(w, h0, a, b, 2, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.RestartedThreeLevelsPushforward(w, h0, a, b, 2, d[0], d[1], out var tangent), tangent));
    }

    [Theory]
    [MemberData(nameof(Trips))]
    public void TensorRestartedInEachOuterIteration(int outer, int inner)
    {
        var random = new Random((10 * outer) + inner + 300);
        var w = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var h0 = DTensor.RandomUniform(random, -0.8, 0.8, 2, 3);

        Verify(
            () => TensorLoopModels.RestartedEachOuterIteration(w, h0, outer, inner),
            () => TensorLoopModels.RestartedEachOuterIterationBuffered(w, h0, outer, inner),
            [w, h0],
            (g, recompute) => TensorLoopModels.RestartedEachOuterIterationGradient(w, h0, outer, inner, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.RestartedEachOuterIterationPullback(w, h0, outer, inner, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.RestartedEachOuterIterationPushforward(w, h0, outer, inner, d[0], d[1], out var tangent), tangent));
    }

    [Theory]
    [MemberData(nameof(Trips))]
    public void BreakAndReturnInsideNestedTensorLoops(int outer, int inner)
    {
        var random = new Random((10 * outer) + inner + 400);
        var w = DTensor.RandomUniform(random, -0.9, 0.9, 3, 3);
        var h0 = DTensor.RandomUniform(random, -0.9, 0.9, 2, 3);
        foreach (var limit in new[] { -0.2, 0.3, 100 })
        {
            Verify(
                () => TensorLoopModels.BreakInInnerLoop(w, h0, limit, outer, inner),
                () => TensorLoopModels.BreakInInnerLoopBuffered(w, h0, limit, outer, inner),
                [w, h0],
                (g, recompute) => TensorLoopModels.BreakInInnerLoopGradient(w, h0, limit, outer, inner, g[0], g[1], recompute),
                (seed, g, recompute) => TensorLoopModels.BreakInInnerLoopPullback(w, h0, limit, outer, inner, seed, g[0], g[1], recompute),
                d => (TensorLoopModels.BreakInInnerLoopPushforward(w, h0, limit, outer, inner, d[0], d[1], out var tangent), tangent));
            Verify(
                () => TensorLoopModels.ReturnAndBranch(w, h0, limit, outer, inner),
                () => TensorLoopModels.ReturnAndBranchBuffered(w, h0, limit, outer, inner),
                [w, h0],
                (g, recompute) => TensorLoopModels.ReturnAndBranchGradient(w, h0, limit, outer, inner, g[0], g[1], recompute),
                (seed, g, recompute) => TensorLoopModels.ReturnAndBranchPullback(w, h0, limit, outer, inner, seed, g[0], g[1], recompute),
                d => (TensorLoopModels.ReturnAndBranchPushforward(w, h0, limit, outer, inner, d[0], d[1], out var tangent), tangent));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void SumCarriedThroughTheLoopUnread(int steps)
    {
        var random = new Random(450 + steps);
        var w = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var x = DTensor.RandomUniform(random, -0.8, 0.8, 2, 3);

        Verify(
            () => TensorLoopModels.Accumulated(w, x, steps),
            () => TensorLoopModels.AccumulatedBuffered(w, x, steps),
            [w, x],
            (g, recompute) => TensorLoopModels.AccumulatedGradient(w, x, steps, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.AccumulatedPullback(w, x, steps, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.AccumulatedPushforward(w, x, steps, d[0], d[1], out var tangent), tangent));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(6)]
    public void AStateABranchKeepsForTheRestOfTheLoop(int steps)
    {
        var random = new Random(510 + steps);
        var w = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var h0 = DTensor.RandomUniform(random, -0.8, 0.8, 2, 3);

        Verify(
            () => TensorLoopModels.KeptOnce(w, h0, steps),
            () => TensorLoopModels.KeptOnceBuffered(w, h0, steps),
            [w, h0],
            (g, recompute) => TensorLoopModels.KeptOnceGradient(w, h0, steps, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.KeptOncePullback(w, h0, steps, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.KeptOncePushforward(w, h0, steps, d[0], d[1], out var tangent), tangent));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void CarriedTensorsGoingRoundInACycle(int steps)
    {
        var random = new Random(490 + steps);
        var w = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var u = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var h0 = DTensor.RandomUniform(random, -0.8, 0.8, 2, 3);

        Verify(
            () => TensorLoopModels.Alternating(w, u, h0, steps),
            () => TensorLoopModels.AlternatingBuffered(w, u, h0, steps),
            [w, u, h0],
            (g, recompute) => TensorLoopModels.AlternatingGradient(w, u, h0, steps, g[0], g[1], g[2], recompute),
            (seed, g, recompute) => TensorLoopModels.AlternatingPullback(w, u, h0, steps, seed, g[0], g[1], g[2], recompute),
            d => (TensorLoopModels.AlternatingPushforward(w, u, h0, steps, d[0], d[1], d[2], out var tangent), tangent));
        Verify(
            () => TensorLoopModels.Rotating(w, u, h0, steps),
            () => TensorLoopModels.RotatingBuffered(w, u, h0, steps),
            [w, u, h0],
            (g, recompute) => TensorLoopModels.RotatingGradient(w, u, h0, steps, g[0], g[1], g[2], recompute),
            (seed, g, recompute) => TensorLoopModels.RotatingPullback(w, u, h0, steps, seed, g[0], g[1], g[2], recompute),
            d => (TensorLoopModels.RotatingPushforward(w, u, h0, steps, d[0], d[1], d[2], out var tangent), tangent));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void CarriedPreviousState(int steps)
    {
        var random = new Random(470 + steps);
        var w = DTensor.RandomUniform(random, -0.8, 0.8, 3, 3);
        var h0 = DTensor.RandomUniform(random, -0.8, 0.8, 2, 3);

        Verify(
            () => TensorLoopModels.PreviousStep(w, h0, steps),
            () => TensorLoopModels.PreviousStepBuffered(w, h0, steps),
            [w, h0],
            (g, recompute) => TensorLoopModels.PreviousStepGradient(w, h0, steps, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.PreviousStepPullback(w, h0, steps, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.PreviousStepPushforward(w, h0, steps, d[0], d[1], out var tangent), tangent));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void GrowingContextWindow(int steps)
    {
        var random = new Random(500 + steps);
        var c = DTensor.RandomUniform(random, -0.9, 0.9, 6, 3);
        var ids = Enumerable.Range(0, 2 * steps).Select(_ => random.Next(6)).ToArray();

        Verify(
            () => TensorLoopModels.GrowingContext(c, ids, 2, steps),
            () => TensorLoopModels.GrowingContextBuffered(c, ids, 2, steps),
            [c],
            (g, recompute) => TensorLoopModels.GrowingContextGradient(c, ids, 2, steps, g[0], recompute),
            (seed, g, recompute) => TensorLoopModels.GrowingContextPullback(c, ids, 2, steps, seed, g[0], recompute),
            d => (TensorLoopModels.GrowingContextPushforward(c, ids, 2, steps, d[0], out var tangent), tangent));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void ShrinkingAndAlternatingShapes(int steps)
    {
        var random = new Random(600 + steps);
        var x0 = DTensor.RandomUniform(random, -0.9, 0.9, 4, 3);
        var down = DTensor.RandomUniform(random, -0.9, 0.9, 3, 2);
        var up = DTensor.RandomUniform(random, -0.9, 0.9, 2, 3);
        var square = DTensor.RandomUniform(random, -0.9, 0.9, 2, 2);

        Verify(
            () => TensorLoopModels.ShrinkingProjection(x0, down, square, steps),
            () => TensorLoopModels.ShrinkingProjectionBuffered(x0, down, square, steps),
            [x0, down, square],
            (g, recompute) => TensorLoopModels.ShrinkingProjectionGradient(x0, down, square, steps, g[0], g[1], g[2], recompute),
            (seed, g, recompute) => TensorLoopModels.ShrinkingProjectionPullback(x0, down, square, steps, seed, g[0], g[1], g[2], recompute),
            d => (TensorLoopModels.ShrinkingProjectionPushforward(x0, down, square, steps, d[0], d[1], d[2], out var tangent), tangent));
        Verify(
            () => TensorLoopModels.AlternatingColumns(down, up, x0, steps),
            () => TensorLoopModels.AlternatingColumnsBuffered(down, up, x0, steps),
            [down, up, x0],
            (g, recompute) => TensorLoopModels.AlternatingColumnsGradient(down, up, x0, steps, g[0], g[1], g[2], recompute),
            (seed, g, recompute) => TensorLoopModels.AlternatingColumnsPullback(down, up, x0, steps, seed, g[0], g[1], g[2], recompute),
            d => (TensorLoopModels.AlternatingColumnsPushforward(down, up, x0, steps, d[0], d[1], d[2], out var tangent), tangent));

        var scale = DTensor.RandomUniform(random, -0.9, 0.9, 4, 3);
        Verify(
            () => TensorLoopModels.AlternatingReshape(x0, scale, steps),
            () => TensorLoopModels.AlternatingReshapeBuffered(x0, scale, steps),
            [x0, scale],
            (g, recompute) => TensorLoopModels.AlternatingReshapeGradient(x0, scale, steps, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.AlternatingReshapePullback(x0, scale, steps, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.AlternatingReshapePushforward(x0, scale, steps, d[0], d[1], out var tangent), tangent));

        var halvings = Math.Min(steps, 3);
        var wide = DTensor.RandomUniform(random, -0.9, 0.9, 2, 8);
        var w = DTensor.RandomUniform(random, -0.9, 0.9, 8 >> halvings, 2);
        Verify(
            () => TensorLoopModels.HalvingWidth(wide, w, halvings),
            () => TensorLoopModels.HalvingWidthBuffered(wide, w, halvings),
            [wide, w],
            (g, recompute) => TensorLoopModels.HalvingWidthGradient(wide, w, halvings, g[0], g[1], recompute),
            (seed, g, recompute) => TensorLoopModels.HalvingWidthPullback(wide, w, halvings, seed, g[0], g[1], recompute),
            d => (TensorLoopModels.HalvingWidthPushforward(wide, w, halvings, d[0], d[1], out var tangent), tangent));
    }

    [Theory]
    [MemberData(nameof(Trips))]
    public void GrowingContextInsideAnOuterLoop(int outer, int inner)
    {
        var random = new Random((10 * outer) + inner + 700);
        var c = DTensor.RandomUniform(random, -0.9, 0.9, 6, 2);
        var ids = Enumerable.Range(0, 2 * Math.Max(outer, inner)).Select(_ => random.Next(6)).ToArray();

        Verify(
            () => TensorLoopModels.NestedGrowth(c, ids, 2, outer, inner),
            () => TensorLoopModels.NestedGrowthBuffered(c, ids, 2, outer, inner),
            [c],
            (g, recompute) => TensorLoopModels.NestedGrowthGradient(c, ids, 2, outer, inner, g[0], recompute),
            (seed, g, recompute) => TensorLoopModels.NestedGrowthPullback(c, ids, 2, outer, inner, seed, g[0], recompute),
            d => (TensorLoopModels.NestedGrowthPushforward(c, ids, 2, outer, inner, d[0], out var tangent), tangent));
    }

    /// <summary>Add of a per-row value computed in the loop and of a per-column bias (issue 21), for 0, 1 and 4 steps.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void AddBroadcastInsideALoop(int steps)
    {
        var random = new Random(900 + steps);
        var w = DTensor.RandomUniform(random, -0.9, 0.9, 3, 3);
        var bias = DTensor.RandomUniform(random, -0.5, 0.5, 3);
        var h0 = DTensor.RandomUniform(random, -0.9, 0.9, 2, 3);

        Verify(
            () => TensorGradients.BroadcastAddModels.CenteredSteps(w, bias, h0, steps),
            () => TensorGradients.BroadcastAddModels.CenteredStepsBuffered(w, bias, h0, steps),
            [w, bias, h0],
            (g, recompute) => TensorGradients.BroadcastAddModels.CenteredStepsGradient(w, bias, h0, steps, g[0], g[1], g[2], recompute),
            (seed, g, recompute) => TensorGradients.BroadcastAddModels.CenteredStepsPullback(w, bias, h0, steps, seed, g[0], g[1], g[2], recompute));
    }

    [Fact]
    public void TensorLoopsAllocateNothingOnceWarm()
    {
        var random = new Random(800);
        var w = DTensor.RandomUniform(random, -0.5, 0.5, 16, 16);
        var h0 = DTensor.RandomUniform(random, -0.5, 0.5, 4, 16);
        var dw = DTensor.Zeros<double>(16, 16);
        var dh0 = DTensor.Zeros<double>(4, 16);
        var bias = DTensor.RandomUniform(random, -0.5, 0.5, 16);
        var dbias = DTensor.Zeros<double>(16);
        foreach (var step in new Func<double>[]
        {
            () => TensorLoopModels.ReadAfterInnerLoopGradient(w, h0, 0.9, 5, 4, dw, dh0, out _, recomputeLoops: false),
            () => TensorLoopModels.ReadAfterInnerLoopGradient(w, h0, 0.9, 5, 4, dw, dh0, out _, recomputeLoops: true),
            () => TensorLoopModels.OuterValueReadInsideGradient(w, h0, 5, 4, dw, dh0, recomputeLoops: true),
            () => TensorLoopModels.RestartedEachOuterIterationGradient(w, h0, 5, 4, dw, dh0, recomputeLoops: true),
            () => TensorLoopModels.AccumulatedGradient(w, h0, 6, dw, dh0, recomputeLoops: true),
            () => TensorLoopModels.OuterValueReadInsideBuffered(w, h0, 5, 4),
            () => TensorLoopModels.PreviousStepPushforward(w, h0, 5, dw, dh0, out _), // three buffers in turn
            // carried tensors going round in a cycle add no buffer
            () => TensorLoopModels.AlternatingPushforward(w, w, h0, 5, dw, dw, dh0, out _),
            () => TensorLoopModels.RotatingPushforward(w, w, h0, 5, dw, dw, dh0, out _),
            // nested loops: what an inner loop leaves is copied into a buffer of the enclosing iteration's
            () => TensorLoopModels.NestedFromStatePushforward(w, h0, 5, 4, dw, dh0, out _),
            () => TensorLoopModels.ReadAfterInnerLoopPushforward(w, h0, 0.9, 5, 4, dw, dh0, 0.5, out _),
            () => TensorLoopModels.OuterValueReadInsidePushforward(w, h0, 5, 4, dw, dh0, out _),
            () => TensorLoopModels.ThreeLevelsPushforward(w, h0, 3, 4, 2, dw, dh0, out _),
            () => TensorLoopModels.RestartedEachOuterIterationPushforward(w, h0, 5, 4, dw, dh0, out _),
            () => TensorGradients.BroadcastAddModels.CenteredStepsGradient(w, bias, h0, 5, dw, dbias, dh0, recomputeLoops: false),
        })
        {
            step();
            step();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 5; i++)
            {
                step();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    /// <summary>
    /// The gradient (keeping and recomputing loops) matches finite differences and returns the value; both strategies
    /// give the very same numbers; the pullback adds seed × gradient; the buffered forward pass returns the value; the
    /// pushforward (given: it reuses buffers across iterations and calls) returns the value and the gradient along a
    /// random direction, the same on a second call.
    /// </summary>
    private static void Verify(
        Func<double> value,
        Func<double> buffered,
        DTensor<double>[] inputs,
        Func<DTensor<double>[], bool, double> gradient,
        Action<double, DTensor<double>[], bool> pullback,
        Func<DTensor<double>[], (double Value, double Tangent)>? pushforward = null)
    {
        var expected = value();
        Assert.Equal(expected, buffered());
        var kept = Zeros(inputs);
        Assert.Equal(expected, gradient(kept, false));
        var check = GradientCheck.Run(value, inputs, kept);
        Assert.True(check.Passed, check.ToString());

        var recomputed = Zeros(inputs);
        Assert.Equal(expected, gradient(recomputed, true));
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(kept[i].ToArray(), recomputed[i].ToArray());
        }

        foreach (var recompute in new[] { false, true })
        {
            var accumulated = inputs.Select(p => DTensor.Full(1.0, p.Shape.ToArray())).ToArray();
            pullback(2.0, accumulated, recompute);
            for (var i = 0; i < inputs.Length; i++)
            {
                var want = kept[i].ToArray().Select(g => 1 + (2 * g)).ToArray();
                var got = accumulated[i].ToArray();
                for (var j = 0; j < want.Length; j++)
                {
                    Assert.True(Math.Abs(want[j] - got[j]) <= 1e-12 * (1 + Math.Abs(want[j])), $"pullback (recomputeLoops: {recompute}), input {i}[{j}]: {got[j]:R}, expected {want[j]:R}");
                }
            }
        }

        if (pushforward is not null)
        {
            var random = new Random(inputs.Sum(p => p.Length));
            var direction = inputs.Select(p => DTensor.RandomUniform(random, -1.0, 1.0, p.Shape.ToArray())).ToArray();
            var along = kept.Zip(direction, (g, d) => g.ToArray().Zip(d.ToArray(), (a, b) => a * b).Sum()).Sum();
            var (pushedValue, tangent) = pushforward(direction);
            Assert.Equal(expected, pushedValue);
            Assert.True(Math.Abs(tangent - along) <= 1e-10 * (1 + Math.Abs(along)), $"pushforward: {tangent:R}, gradient along the direction: {along:R}");
            Assert.Equal((pushedValue, tangent), pushforward(direction));
        }
    }

    private static DTensor<double>[] Zeros(DTensor<double>[] inputs) => inputs.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
}
