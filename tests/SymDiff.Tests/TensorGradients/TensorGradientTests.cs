namespace SymDiff.Tests.TensorGradients;

/// <summary>Generated gradients of tensor models against central finite differences (<see cref="GradientCheck"/>).</summary>
public sealed class TensorGradientTests
{
    private static readonly int[] Labels = { 2, 0, 1, 2, 1 };

    [Fact]
    public void MlpWithSoftmaxCrossEntropyMatchesFiniteDifferences()
    {
        var (w1, b1, w2, b2, x) = MlpParameters(new Random(1));
        var gradients = new[] { w1, b1, w2, b2 }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        var loss = TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, gradients[0], gradients[1], gradients[2], gradients[3]);

        Assert.Equal(TensorModels.Mlp(w1, b1, w2, b2, x, Labels), loss);
        var check = GradientCheck.Run(() => TensorModels.Mlp(w1, b1, w2, b2, x, Labels), new[] { w1, b1, w2, b2 }, gradients);
        Assert.True(check.Passed, check.ToString());
        Assert.Equal(4 * 6 + 6 + (6 * 3) + 3, check.CheckedElements);
    }

    /// <summary>Add(x, rowBias) and Add(x, columnBias) with parameters, and of a per-row value computed once (issue 21), one row or one column included.</summary>
    [Theory]
    [InlineData(3, 4)]
    [InlineData(1, 4)]
    [InlineData(3, 1)]
    public void AddOfBroadcastOperandsMatchesFiniteDifferences(int rows, int columns)
    {
        var random = new Random((10 * rows) + columns);
        var parameters = new[] { DTensor.RandomUniform(random, -1.0, 1.0, rows, columns), DTensor.RandomUniform(random, -1.0, 1.0, rows, 1), DTensor.RandomUniform(random, -1.0, 1.0, columns) };
        var gradients = parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        var loss = BroadcastAddModels.CenteredGradient(parameters[0], parameters[1], parameters[2], gradients[0], gradients[1], gradients[2]);

        Assert.Equal(BroadcastAddModels.Centered(parameters[0], parameters[1], parameters[2]), loss);
        var check = GradientCheck.Run(() => BroadcastAddModels.Centered(parameters[0], parameters[1], parameters[2]), parameters, gradients);
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void ALocalFunctionLayerGivesTheSameGradientsAsTheInlineModel()
    {
        var (w1, b1, w2, b2, x) = MlpParameters(new Random(2));
        var inline = new[] { w1, b1, w2, b2 }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        var local = new[] { w1, b1, w2, b2 }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        var expected = TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, inline[0], inline[1], inline[2], inline[3]);
        var actual = TensorModels.MlpWithLocalLayersGradient(w1, b1, w2, b2, x, Labels, local[0], local[1], local[2], local[3]);
        Assert.Equal(expected, actual);
        for (var i = 0; i < inline.Length; i++)
        {
            Assert.Equal(inline[i].ToArray(), local[i].ToArray());
        }

        var check = GradientCheck.Run(() => TensorModels.MlpWithLocalLayers(w1, b1, w2, b2, x, Labels), new[] { w1, b1, w2, b2 }, local);
        Assert.True(check.Passed, check.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(25)]
    [InlineData(50)]
    public void RecurrentNetworkThroughTimeMatchesFiniteDifferences(int steps)
    {
        const int vocabulary = 5, embedding = 3, hidden = 4, batch = 2;
        var random = new Random(steps);
        var parameters = new[]
        {
            DTensor.RandomUniform(random, -0.5, 0.5, vocabulary, embedding),
            DTensor.RandomUniform(random, -0.5, 0.5, embedding, hidden),
            DTensor.RandomUniform(random, -0.5, 0.5, hidden, hidden),
            DTensor.RandomUniform(random, -0.1, 0.1, hidden),
            DTensor.RandomUniform(random, -0.5, 0.5, hidden, vocabulary),
            DTensor.RandomUniform(random, -0.1, 0.1, vocabulary),
        };
        var h0 = DTensor.RandomUniform(random, -0.2, 0.2, batch, hidden);
        var inputs = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        var targets = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        var g = parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        var (e, w, u, b, v, c) = (parameters[0], parameters[1], parameters[2], parameters[3], parameters[4], parameters[5]);

        var loss = TensorModels.RnnGradient(e, w, u, b, v, c, h0, inputs, targets, batch, g[0], g[1], g[2], g[3], g[4], g[5]);

        Assert.Equal(TensorModels.Rnn(e, w, u, b, v, c, h0, inputs, targets, batch), loss, 12);
        var check = GradientCheck.Run(() => TensorModels.Rnn(e, w, u, b, v, c, h0, inputs, targets, batch), parameters, g);
        Assert.True(check.Passed, check.ToString());

        // Checkpointing recomputes each step from the kept hidden state: the very same numbers.
        var recomputed = parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        var again = TensorModels.RnnRecomputedGradient(e, w, u, b, v, c, h0, inputs, targets, batch, recomputed[0], recomputed[1], recomputed[2], recomputed[3], recomputed[4], recomputed[5]);
        Assert.Equal(loss, again);
        for (var i = 0; i < g.Length; i++)
        {
            Assert.Equal(g[i].ToArray(), recomputed[i].ToArray());
        }
    }

    [Fact]
    public void GradientAccumulatesIntoCallerTensorsAndPullbackScales()
    {
        var (w1, b1, w2, b2, x) = MlpParameters(new Random(2));
        var once = new[] { w1, b1, w2, b2 }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, once[0], once[1], once[2], once[3]);

        var twice = new[] { w1, b1, w2, b2 }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, twice[0], twice[1], twice[2], twice[3]);
        TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, twice[0], twice[1], twice[2], twice[3]);

        var pulled = new[] { w1, b1, w2, b2 }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        TensorModels.MlpPullback(w1, b1, w2, b2, x, Labels, 3.0, pulled[0], null, pulled[2], pulled[3]);
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < once[i].Length; j++)
            {
                Assert.Equal(2 * once[i][j], twice[i][j], 12);
                Assert.Equal(i == 1 ? 0 : 3 * once[i][j], pulled[i][j], 12); // a null adjoint is skipped
            }
        }
    }

    [Fact]
    public void FloatMlpMatchesTheDoubleOne()
    {
        var (w1, b1, w2, b2, x) = MlpParameters(new Random(3));
        var doubles = new[] { w1, b1, w2, b2 }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        var expected = TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, doubles[0], doubles[1], doubles[2], doubles[3]);

        var floats = new[] { w1, b1, w2, b2, x }.Select(ToFloat).ToArray();
        var gradients = floats.Take(4).Select(p => DTensor.Zeros<float>(p.Shape.ToArray())).ToArray();
        var loss = TensorModels.MlpFloatGradient(floats[0], floats[1], floats[2], floats[3], floats[4], Labels, gradients[0], gradients[1], gradients[2], gradients[3]);
        Assert.Equal(expected, loss, 5);
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < doubles[i].Length; j++)
            {
                Assert.Equal(doubles[i][j], gradients[i][j], 5);
            }
        }
    }

    [Fact]
    public void EmbeddingConcatenationTanhLayerMatchesFiniteDifferences()
    {
        var random = new Random(4);
        var table = DTensor.RandomUniform(random, -1.0, 1.0, 7, 3);
        var w = DTensor.RandomUniform(random, -0.5, 0.5, (2 * 3) + 2, 4);
        var b = DTensor.RandomUniform(random, -0.5, 0.5, 4);
        var extra = DTensor.RandomUniform(random, -1.0, 1.0, 3, 2);
        var context = new[] { 1, 4, 4, 0, 6, 1 }; // 3 examples × 2 context words; word 4 twice, words 2, 3, 5 never
        var gradients = new[] { table, w, b }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        TensorModels.EmbeddingLayerGradient(table, w, b, extra, context, 3, gradients[0], gradients[1], gradients[2]);

        var check = GradientCheck.Run(() => TensorModels.EmbeddingLayer(table, w, b, extra, context, 3), new[] { table, w, b }, gradients);
        Assert.True(check.Passed, check.ToString());
        foreach (var unused in new[] { 2, 3, 5 })
        {
            Assert.All(Enumerable.Range(0, 3), j => Assert.Equal(0.0, gradients[0][unused, j]));
        }
    }

    [Fact]
    public void ScalarParametersMixedWithTensorsMatchFiniteDifferences()
    {
        var random = new Random(5);
        var x = DTensor.RandomUniform(random, -1.0, 1.0, 2, 5);
        var weights = DTensor.RandomUniform(random, 0.0, 1.0, 2, 5);
        var temperature = DTensor.Full(1.7, 1);
        var dx = DTensor.Zeros<double>(2, 5);
        TensorModels.ScaledSoftmaxGradient(x, temperature[0], weights, dx, out var dTemperature);

        var check = GradientCheck.Run(
            () => TensorModels.ScaledSoftmax(x, temperature[0], weights),
            new[] { x, temperature },
            new[] { dx, DTensor.Full(dTemperature, 1) });
        Assert.True(check.Passed, check.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CustomOpsWithTheirOwnRulesMatchFiniteDifferences(bool cube)
    {
        var random = new Random(6);
        var x = DTensor.RandomUniform(random, -1.0, 1.0, 3, 4);
        var s = DTensor.Full(0.8, 1);
        var dx = DTensor.Zeros<double>(3, 4);
        TensorModels.CustomGradient(x, s[0], cube, dx, out var ds);

        var check = GradientCheck.Run(() => TensorModels.Custom(x, s[0], cube), new[] { x, s }, new[] { dx, DTensor.Full(ds, 1) });
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void RuleDeclaredForAFunctionOfAnotherType()
    {
        TensorModels.ScaleBGradient(1.5, out var dx);
        Assert.Equal(9.0, dx);
    }

    [Fact]
    public void TrainingStepAllocatesNothingAfterTheFirstCall()
    {
        var random = new Random(7);
        var parameters = new[]
        {
            DTensor.RandomUniform(random, -0.5f, 0.5f, 64, 128),
            DTensor.RandomUniform(random, -0.5f, 0.5f, 128),
            DTensor.RandomUniform(random, -0.5f, 0.5f, 128, 50),
            DTensor.RandomUniform(random, -0.5f, 0.5f, 50),
        };
        var x = DTensor.RandomUniform(random, -1f, 1f, 32, 64);
        var labels = Enumerable.Range(0, 32).Select(i => i % 50).ToArray();
        var gradients = parameters.Select(p => DTensor.Zeros<float>(p.Shape.ToArray())).ToArray();

        float Step()
        {
            foreach (var g in gradients)
            {
                g.Clear();
            }

            return TensorModels.MlpFloatGradient(parameters[0], parameters[1], parameters[2], parameters[3], x, labels, gradients[0], gradients[1], gradients[2], gradients[3]);
        }

        Step();
        Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (DTensor<double> W1, DTensor<double> B1, DTensor<double> W2, DTensor<double> B2, DTensor<double> X) MlpParameters(Random random) => (
        DTensor.RandomUniform(random, -1.0, 1.0, 4, 6),
        DTensor.RandomUniform(random, -0.5, 0.5, 6),
        DTensor.RandomUniform(random, -1.0, 1.0, 6, 3),
        DTensor.RandomUniform(random, -0.5, 0.5, 3),
        DTensor.RandomUniform(random, -1.0, 1.0, 5, 4));

    private static DTensor<float> ToFloat(DTensor<double> tensor) =>
        DTensor<float>.FromArray(tensor.ToArray().Select(v => (float)v).ToArray(), tensor.Shape.ToArray());
}
