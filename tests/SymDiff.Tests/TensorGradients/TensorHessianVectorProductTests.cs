namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Generated Hessian-vector products of tensor models against central finite differences of the generated gradient
/// along the direction, (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h, component by component; and their argument checks.
/// </summary>
public sealed partial class TensorHessianVectorProductTests
{
    private const double Step = 1e-5;
    private static readonly int[] Labels = { 2, 0, 1, 2, 1 };

    /// <summary>The gradient at the parameters as they are (the checker perturbs them in place), added into zeroed buffers.</summary>
    internal delegate void Gradient(DTensor<double>[] gradients);

    [Fact]
    public void MlpWithTanhAndSoftmaxCrossEntropy()
    {
        var random = new Random(21);
        var (w1, b1, w2, b2, x) = (Uniform(random, 4, 6), Uniform(random, 6), Uniform(random, 6, 3), Uniform(random, 3), Uniform(random, 5, 4));
        DTensor<double>[] parameters = [w1, b1, w2, b2];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        var value = TensorModels.MlpHessianVectorProduct(w1, b1, w2, b2, x, Labels, v[0], v[1], v[2], v[3], hv[0], hv[1], hv[2], hv[3]);

        Assert.Equal(TensorModels.Mlp(w1, b1, w2, b2, x, Labels), value);
        AssertMatches(parameters, v, hv, g => TensorModels.MlpGradient(w1, b1, w2, b2, x, Labels, g[0], g[1], g[2], g[3]), "Mlp");
    }

    /// <summary>A null direction is a zero one, as in the pushforward: the product along it equals the product along zeros.</summary>
    [Fact]
    public void ANullDirectionIsAZeroOne()
    {
        var random = new Random(27);
        var (w1, b1, w2, b2, x) = (Uniform(random, 4, 6), Uniform(random, 6), Uniform(random, 6, 3), Uniform(random, 3), Uniform(random, 5, 4));
        DTensor<double>[] parameters = [w1, b1, w2, b2];
        var v = Directions(random, parameters);
        var (withNulls, withZeros) = (Zeros(parameters), Zeros(parameters));

        TensorModels.MlpHessianVectorProduct(w1, b1, w2, b2, x, Labels, null, v[1], null, v[3], withNulls[0], withNulls[1], withNulls[2], withNulls[3]);
        TensorModels.MlpHessianVectorProduct(w1, b1, w2, b2, x, Labels, Zeros([w1])[0], v[1], Zeros([w2])[0], v[3], withZeros[0], withZeros[1], withZeros[2], withZeros[3]);

        for (var i = 0; i < parameters.Length; i++)
        {
            Assert.Equal(withZeros[i].ToArray(), withNulls[i].ToArray());
        }
    }

    [Fact]
    public void SquareLossRegressionAddsIntoTheBuffers()
    {
        var random = new Random(22);
        var (w, b, x, target) = (Uniform(random, 3, 2), Uniform(random, 2), Uniform(random, 6, 3), Uniform(random, 6, 2));
        DTensor<double>[] parameters = [w, b];
        var v = Directions(random, parameters);
        var start = Directions(random, parameters);
        var hv = start.Select(s => s.Clone()).ToArray();

        SecondOrderModels.RegressionHessianVectorProduct(w, b, x, target, v[0], v[1], hv[0], hv[1]);

        var added = hv.Select((h, i) => DTensor.Subtract(h, start[i])).ToArray();
        AssertMatches(parameters, v, added, g => SecondOrderModels.RegressionGradient(w, b, x, target, g[0], g[1]), "Regression");

        // Closed form: L = Σ‖xw + b − t‖² / (2n), so H·v for w is xᵀ(x·vw + vb)/n.
        var expected = DTensor.Divide(DTensor.MatMul(x, DTensor.AddRowBias(DTensor.MatMul(x, v[0]), v[1]), transposeA: true), 6.0);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], added[0][i], 1e-12);
        }
    }

    [Fact]
    public void SoftmaxSigmoidExpLogSquareAndProducts()
    {
        var random = new Random(23);
        var (w, u, x) = (Uniform(random, 3, 4), Uniform(random, 3, 4), Uniform(random, 5, 3));
        DTensor<double>[] parameters = [w, u];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        SecondOrderModels.MixedHessianVectorProduct(w, u, x, v[0], v[1], hv[0], hv[1]);

        AssertMatches(parameters, v, hv, g => SecondOrderModels.MixedGradient(w, u, x, g[0], g[1]), "Mixed");
    }

    [Fact]
    public void AMethodCallingAnotherDifferentiableMethodWithAScalarParameter()
    {
        var random = new Random(24);
        var (w1, b1, w2, x) = (Uniform(random, 4, 6), Uniform(random, 6), Uniform(random, 6, 3), Uniform(random, 5, 4));
        var scale = DTensor.Full(1.3, 1); // the scalar parameter, as a 1-element tensor so that the checker can perturb it
        DTensor<double>[] parameters = [w1, b1, w2, scale];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        SecondOrderModels.StackedHessianVectorProduct(w1, b1, w2, scale[0], x, Labels, v[0], v[1], v[2], v[3][0], hv[0], hv[1], hv[2], out var hvScale);
        hv[3][0] = hvScale;

        AssertMatches(parameters, v, hv, g =>
        {
            SecondOrderModels.StackedGradient(w1, b1, w2, scale[0], x, Labels, g[0], g[1], g[2], out var dscale);
            g[3][0] += dscale;
        }, "Stacked");
    }

    /// <summary>A loop over scalars reading tensor elements: each iteration tapes what the reverse loop reads, values and tangents.</summary>
    [Fact]
    public void AScalarLoopReadingTensorElements()
    {
        var random = new Random(26);
        var w = Uniform(random, 5);
        var a = DTensor.Full(0.8, 1); // the scalar parameter, as a 1-element tensor so that the checker can perturb it
        DTensor<double>[] parameters = [w, a];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        SecondOrderModels.ElementRecurrenceHessianVectorProduct(w, a[0], 5, v[0], v[1][0], hv[0], out var hva);
        hv[1][0] = hva;

        AssertMatches(parameters, v, hv, g =>
        {
            SecondOrderModels.ElementRecurrenceGradient(w, a[0], 5, g[0], out var da);
            g[1][0] += da;
        }, "ElementRecurrence");
    }

    [Fact]
    public void AWrongShapedBufferIsReportedUnderTheParametersNamesBeforeAnythingIsWritten()
    {
        var random = new Random(25);
        var (w, b, x, target) = (Uniform(random, 3, 2), Uniform(random, 2), Uniform(random, 6, 3), Uniform(random, 6, 2));
        var hvw = DTensor.Full(7.0, 3, 2);
        var wrong = DTensor.Zeros<double>(3);

        var exception = Assert.ThrowsAny<ArgumentException>(() => SecondOrderModels.RegressionHessianVectorProduct(w, b, x, target, Uniform(random, 3, 2), Uniform(random, 2), hvw, wrong));

        Assert.Contains("RegressionHessianVectorProduct", exception.Message, StringComparison.Ordinal);
        Assert.Contains("hvb", exception.Message, StringComparison.Ordinal);
        Assert.All(hvw.ToArray(), value => Assert.Equal(7.0, value));
    }

    /// <summary>Add with per-row and per-column parameters and a per-row value it computes (issue 21).</summary>
    [Fact]
    public void AddOfBroadcastOperands()
    {
        var random = new Random(26);
        var (x, rowBias, columnBias) = (Uniform(random, 3, 4), Uniform(random, 3, 1), Uniform(random, 4));
        DTensor<double>[] parameters = [x, rowBias, columnBias];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        BroadcastAddModels.CenteredHessianVectorProduct(x, rowBias, columnBias, v[0], v[1], v[2], hv[0], hv[1], hv[2]);

        AssertMatches(parameters, v, hv, g => BroadcastAddModels.CenteredGradient(x, rowBias, columnBias, g[0], g[1], g[2]), "Centered");
    }

    /// <summary>H·v against central finite differences of the gradient along v, element by element (shared with the loop tests).</summary>
    internal static void AssertMatches(DTensor<double>[] parameters, DTensor<double>[] v, DTensor<double>[] hv, Gradient gradient, string model)
    {
        var saved = parameters.Select(p => p.Clone()).ToArray();
        DTensor<double>[] At(double h)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].CopyFrom(DTensor.Add(saved[i], DTensor.Multiply(v[i], h)));
            }

            var g = Zeros(parameters);
            gradient(g);
            return g;
        }

        var plus = At(Step);
        var minus = At(-Step);
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].CopyFrom(saved[i]);
            for (var j = 0; j < parameters[i].Length; j++)
            {
                var expected = (plus[i][j] - minus[i][j]) / (2 * Step);
                Assert.True(
                    Math.Abs(expected - hv[i][j]) <= 1e-6 * Math.Max(1.0, Math.Abs(expected)),
                    $"{model}: H·v of parameter {i}, element {j}, is {hv[i][j]}; finite differences of the gradient say {expected}");
            }
        }
    }

    private static DTensor<double>[] Directions(Random random, DTensor<double>[] parameters) =>
        parameters.Select(p => Uniform(random, p.Shape.ToArray())).ToArray();

    private static DTensor<double>[] Zeros(DTensor<double>[] parameters) =>
        parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();

    private static DTensor<double> Uniform(Random random, params int[] shape) => DTensor.RandomUniform(random, -1.0, 1.0, shape);
}
