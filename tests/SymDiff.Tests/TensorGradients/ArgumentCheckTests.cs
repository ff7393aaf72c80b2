namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Generated gradient methods check every differentiable tensor and its gradient buffer before writing anything, and
/// name the user's parameters: a wrong argument never leaves other gradients half-updated.
/// </summary>
public sealed class ArgumentCheckTests
{
    private static (DTensor<double> W1, DTensor<double> B1, DTensor<double> W2, DTensor<double> B2, DTensor<double> X) Parameters()
    {
        var random = new Random(7);
        return (
            DTensor.RandomUniform(random, -0.5, 0.5, 4, 6),
            DTensor.RandomUniform(random, -0.1, 0.1, 6),
            DTensor.RandomUniform(random, -0.5, 0.5, 6, 3),
            DTensor.RandomUniform(random, -0.1, 0.1, 3),
            DTensor.RandomUniform(random, -1.0, 1.0, 5, 4));
    }

    private static readonly int[] Labels = { 2, 0, 1, 2, 1 };

    [Fact]
    public void AWronglyShapedGradientBufferIsNamedAndNothingIsWritten()
    {
        var (w1, b1, w2, b2, x) = Parameters();
        var dw1 = DTensor.Zeros<double>(6, 4); // transposed
        var db1 = DTensor.Zeros<double>(6);
        var dw2 = DTensor.Zeros<double>(6, 3);
        var db2 = DTensor.Zeros<double>(3);
        var error = Assert.Throws<ArgumentException>(() => TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, dw1, db1, dw2, db2));
        Assert.Equal("dw1", error.ParamName);
        Assert.StartsWith("MlpGradient: dw1 has shape [6, 4], but w1 has [4, 6].", error.Message, StringComparison.Ordinal);
        foreach (var gradient in new[] { dw1, db1, dw2, db2 })
        {
            Assert.All(gradient.ToArray(), v => Assert.Equal(0.0, v)); // the later gradients were not added to either
        }
    }

    [Fact]
    public void ANullParameterIsNamedAsTheUserNamedIt()
    {
        var (_, b1, w2, b2, x) = Parameters();
        var error = Assert.Throws<ArgumentNullException>(() => TensorModels.MlpGradient(null!, b1, w2, b2, x, Labels, DTensor.Zeros<double>(4, 6), DTensor.Zeros<double>(6), DTensor.Zeros<double>(6, 3), DTensor.Zeros<double>(3)));
        Assert.Equal("w1", error.ParamName);
    }

    [Fact]
    public void ANullGradientBufferIsAnErrorForTheGradientMethodButMeansNotWantedForThePullback()
    {
        var (w1, b1, w2, b2, x) = Parameters();
        var error = Assert.Throws<ArgumentNullException>(() => TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, DTensor.Zeros<double>(4, 6), null!, DTensor.Zeros<double>(6, 3), DTensor.Zeros<double>(3)));
        Assert.Equal("db1", error.ParamName);
        Assert.Contains("shape [6]", error.Message, StringComparison.Ordinal);

        var dw2 = DTensor.Zeros<double>(6, 3);
        TensorModels.MlpPullback(w1, b1, w2, b2, x, Labels, 1.0, null, null, dw2, null);
        var expected = DTensor.Zeros<double>(6, 3);
        TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, DTensor.Zeros<double>(4, 6), DTensor.Zeros<double>(6), expected, DTensor.Zeros<double>(3));
        Assert.Equal(expected.ToArray(), dw2.ToArray());
    }

    [Fact]
    public void APullbackChecksTheShapesOfTheGradientsItIsGiven()
    {
        var (w1, b1, w2, b2, x) = Parameters();
        var dw2 = DTensor.Zeros<double>(6, 3);
        var error = Assert.Throws<ArgumentException>(() => TensorModels.MlpPullback(w1, b1, w2, b2, x, Labels, 1.0, null, null, dw2, DTensor.Zeros<double>(4)));
        Assert.StartsWith("MlpPullback: db2 has shape [4], but b2 has [3].", error.Message, StringComparison.Ordinal);
        Assert.All(dw2.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void AParameterPassedAsItsOwnGradientIsRefused()
    {
        var (w1, b1, w2, b2, x) = Parameters();
        var error = Assert.Throws<ArgumentException>(() => TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, DTensor.Zeros<double>(4, 6), b1, DTensor.Zeros<double>(6, 3), DTensor.Zeros<double>(3)));
        Assert.Contains("db1 is b1 itself", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMethodWithLoopsChecksOnBothOfItsPublicForms()
    {
        const int vocabulary = 5, embedding = 3, hidden = 4, batch = 2, steps = 3;
        var random = new Random(11);
        var embed = DTensor.RandomUniform(random, -0.5, 0.5, vocabulary, embedding);
        var w = DTensor.RandomUniform(random, -0.5, 0.5, embedding, hidden);
        var u = DTensor.RandomUniform(random, -0.5, 0.5, hidden, hidden);
        var b = DTensor.RandomUniform(random, -0.1, 0.1, hidden);
        var v = DTensor.RandomUniform(random, -0.5, 0.5, hidden, vocabulary);
        var c = DTensor.RandomUniform(random, -0.1, 0.1, vocabulary);
        var h0 = DTensor.Zeros<double>(batch, hidden);
        var ids = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        var gradients = new[] { embed, w, u, b, v, c }.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
        gradients[2] = DTensor.Zeros<double>(hidden, hidden + 1);
        foreach (var recompute in new[] { false, true })
        {
            var error = Assert.Throws<ArgumentException>(() => TensorModels.RnnGradient(embed, w, u, b, v, c, h0, ids, ids, batch, gradients[0], gradients[1], gradients[2], gradients[3], gradients[4], gradients[5], recompute));
            Assert.StartsWith("RnnGradient: du has shape [4, 5], but u has [4, 4].", error.Message, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentException>(() => TensorModels.RnnGradient(embed, w, u, b, v, c, h0, ids, ids, batch, gradients[0], gradients[1], gradients[2], gradients[3], gradients[4], gradients[5]));
        Assert.All(gradients.SelectMany(g => g.ToArray()), value => Assert.Equal(0.0, value));
    }
}
