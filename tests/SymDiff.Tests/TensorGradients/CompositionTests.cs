using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// A model split into <see cref="DifferentiableAttribute"/> methods has the gradient of the model written as one
/// body, to the last bit, and costs nothing more: no allocation once warm (the callees are inlined, their
/// intermediates kept in the caller's workspace).
/// </summary>
public sealed class CompositionTests
{
    private static readonly int[] Labels = { 2, 0, 1, 2, 1 };

    [Theory]
    [InlineData("Loss")]
    [InlineData("TwoDense")]
    public void AComposedPerceptronHasTheGradientOfTheWholeBody(string model)
    {
        var (parameters, x) = Perceptron(new Random(11));
        var whole = Zeros(parameters);
        var expected = TensorModels.MlpGradient(parameters[0], parameters[1], parameters[2], parameters[3], x, Labels, whole[0], whole[1], whole[2], whole[3]);

        var composed = Zeros(parameters);
        var loss = Gradient(model, parameters, x, composed);
        Assert.Equal(expected, loss);
        for (var i = 0; i < parameters.Length; i++)
        {
            Assert.Equal(whole[i].ToArray(), composed[i].ToArray());
        }

        var check = GradientCheck.Run(() => Value(model, parameters, x), parameters, composed);
        Assert.True(check.Passed, check.ToString());
        Assert.Equal(parameters.Sum(p => p.Length), check.CheckedElements);
    }

    [Fact]
    public void AScalarCalleeInALoopMatchesFiniteDifferencesAndTheLoopWrittenOut()
    {
        var xs = new[] { -1.5, -0.2, 0.0, 0.7, 2.0, 0.3 };
        var parameters = new[] { DTensor.Full(0.8, 1), DTensor.Full(-0.3, 1) }; // w and b, as 1-element tensors to perturb
        var loss = CompositionModels.NeuronsInALoopGradient(parameters[0][0], parameters[1][0], xs, out var dw, out var db);
        var inline = CompositionModels.NeuronsInlineGradient(parameters[0][0], parameters[1][0], xs, out var dwInline, out var dbInline);
        Assert.Equal((inline, dwInline, dbInline), (loss, dw, db));
        Assert.Equal(CompositionModels.NeuronsInALoop(parameters[0][0], parameters[1][0], xs), loss);

        var check = GradientCheck.Run(
            () => CompositionModels.NeuronsInALoop(parameters[0][0], parameters[1][0], xs), parameters, new[] { DTensor.Full(dw, 1), DTensor.Full(db, 1) });
        Assert.True(check.Passed, check.ToString());
    }

    [Theory]
    [InlineData("Loss")]
    [InlineData("TwoDense")]
    [InlineData("NeuronsInALoop")]
    public void AComposedGradientAllocatesNothingOnceWarm(string model)
    {
        var (parameters, x) = Perceptron(new Random(12));
        var gradients = Zeros(parameters);
        var xs = Enumerable.Range(0, 64).Select(i => (i - 32) / 16.0).ToArray();
        void Step()
        {
            if (model == "NeuronsInALoop")
            {
                CompositionModels.NeuronsInALoopGradient(0.8, -0.3, xs, out _, out _);
            }
            else
            {
                Gradient(model, parameters, x, gradients);
            }
        }

        Assert.Equal(0, Allocations.OnceWarm(Step));
    }

    private static double Gradient(string model, DTensor<double>[] p, DTensor<double> x, DTensor<double>[] g) => model switch
    {
        "Loss" => CompositionModels.LossGradient(p[0], p[1], p[2], p[3], x, Labels, g[0], g[1], g[2], g[3]),
        _ => CompositionModels.TwoDenseGradient(p[0], p[1], p[2], p[3], x, Labels, g[0], g[1], g[2], g[3]),
    };

    private static double Value(string model, DTensor<double>[] p, DTensor<double> x) => model switch
    {
        "Loss" => CompositionModels.Loss(p[0], p[1], p[2], p[3], x, Labels),
        _ => CompositionModels.TwoDense(p[0], p[1], p[2], p[3], x, Labels),
    };

    /// <summary>W1 [4, 6], b1 [6], W2 [6, 3], b2 [3] and a batch of 5 inputs.</summary>
    private static (DTensor<double>[] Parameters, DTensor<double> X) Perceptron(Random random) => (
        [
            DTensor.RandomUniform(random, -1.0, 1.0, 4, 6),
            DTensor.RandomUniform(random, -0.5, 0.5, 6),
            DTensor.RandomUniform(random, -1.0, 1.0, 6, 3),
            DTensor.RandomUniform(random, -0.5, 0.5, 3),
        ],
        DTensor.RandomUniform(random, -1.0, 1.0, 5, 4));

    private static DTensor<double>[] Zeros(DTensor<double>[] parameters) => parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();
}
