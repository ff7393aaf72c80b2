namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Hessian-vector products of methods that call another file's [Differentiable] method with tensor arguments
/// (<see cref="CrossFileCallers"/>): against central finite differences of the generated gradient along v, and
/// against a closed form; a null direction is a zero one.
/// </summary>
public sealed class CrossFileHessianVectorProductTests
{
    /// <summary>A call with a parameter and a data tensor, and one in a branch with a tensor the method computes: both branches.</summary>
    [Theory]
    [InlineData(0.8)]
    [InlineData(-0.6)]
    public void TwoCallsOneInABranch(double scale)
    {
        var random = new Random(31);
        var (w1, w2, x) = (Uniform(random, 3, 4), Uniform(random, 4, 2), Uniform(random, 5, 3));
        var a = DTensor.Full(scale, 1); // the scalar parameter, as a 1-element tensor so that the checker can perturb it
        DTensor<double>[] parameters = [w1, w2, a];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        var value = CrossFileCallers.TwoCallsHessianVectorProduct(w1, w2, a[0], x, v[0], v[1], v[2][0], hv[0], hv[1], out var hva);
        hv[2][0] = hva;

        Assert.Equal(CrossFileCallers.TwoCalls(w1, w2, a[0], x), value, 12);
        TensorHessianVectorProductTests.AssertMatches(parameters, v, hv, g =>
        {
            CrossFileCallers.TwoCallsGradient(w1, w2, a[0], x, g[0], g[1], out var da);
            g[2][0] += da;
        }, "TwoCalls");
    }

    /// <summary>A call inside a loop whose tensor argument the loop carries, with a scalar argument made from the carried sum.</summary>
    [Fact]
    public void ACallInsideALoop()
    {
        var random = new Random(32);
        var (w, h0) = (Uniform(random, 3, 3), Uniform(random, 2, 3));
        var a = DTensor.Full(0.7, 1);
        DTensor<double>[] parameters = [w, h0, a];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        var value = CrossFileCallers.UnrolledHessianVectorProduct(w, h0, a[0], 4, v[0], v[1], v[2][0], hv[0], hv[1], out var hva);
        hv[2][0] = hva;

        Assert.Equal(CrossFileCallers.Unrolled(w, h0, a[0], 4), value, 12);
        TensorHessianVectorProductTests.AssertMatches(parameters, v, hv, g =>
        {
            CrossFileCallers.UnrolledGradient(w, h0, a[0], 4, g[0], g[1], out var da);
            g[2][0] += da;
        }, "Unrolled");
    }

    /// <summary>F(w) = ½‖x·w‖² through the callee: H·v = xᵀ(x·v), added into the caller's buffer.</summary>
    [Fact]
    public void AQuadraticCalleeGivesTheClosedForm()
    {
        var random = new Random(33);
        var (w, x, v) = (Uniform(random, 3, 2), Uniform(random, 6, 3), Uniform(random, 3, 2));
        var start = Uniform(random, 3, 2);
        var hv = start.Clone();

        CrossFileCallers.HalfQuadraticHessianVectorProduct(w, x, v, hv);

        var expected = DTensor.Add(start, DTensor.MatMul(x, DTensor.MatMul(x, v), transposeA: true));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], hv[i], 12);
        }
    }

    /// <summary>
    /// A data tensor handed to the callee's differentiable parameter reaches it with a null (zero) direction; and a caller
    /// passing null for a direction gets the product along zero there, as with a tensor of zeros.
    /// </summary>
    [Fact]
    public void NullDirectionsAreZeroOnes()
    {
        var random = new Random(34);
        var (w, x) = (Uniform(random, 4, 3), Uniform(random, 3, 2));
        var a = DTensor.Full(1.1, 1);
        DTensor<double>[] parameters = [w, a];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        CrossFileCallers.DataThroughTheCalleeHessianVectorProduct(w, a[0], x, v[0], v[1][0], hv[0], out var hva);
        hv[1][0] = hva;

        TensorHessianVectorProductTests.AssertMatches(parameters, v, hv, g =>
        {
            CrossFileCallers.DataThroughTheCalleeGradient(w, a[0], x, g[0], out var da);
            g[1][0] += da;
        }, "DataThroughTheCallee");

        var (w1, w2, data) = (Uniform(random, 3, 4), Uniform(random, 4, 2), Uniform(random, 5, 3));
        var vw1 = Uniform(random, 3, 4);
        var (nullHv1, nullHv2, zeroHv1, zeroHv2) = (DTensor.Zeros<double>(3, 4), DTensor.Zeros<double>(4, 2), DTensor.Zeros<double>(3, 4), DTensor.Zeros<double>(4, 2));
        CrossFileCallers.TwoCallsHessianVectorProduct(w1, w2, 0.8, data, vw1, null, 0.3, nullHv1, nullHv2, out var nullHva);
        CrossFileCallers.TwoCallsHessianVectorProduct(w1, w2, 0.8, data, vw1, DTensor.Zeros<double>(4, 2), 0.3, zeroHv1, zeroHv2, out var zeroHva);
        Assert.Equal(zeroHv1.ToArray(), nullHv1.ToArray());
        Assert.Equal(zeroHv2.ToArray(), nullHv2.ToArray());
        Assert.Equal(zeroHva, nullHva);
        Assert.Contains(nullHv2.ToArray(), h => h != 0); // w2's row of H·v along vw1 and va is not zero
    }

    /// <summary>
    /// Float tensors, the callee called twice: F(w) = E(w)² with E(w) = Σw², so H·v = 8w(w·v) + 4E·v. Compiled from
    /// source (two files) so that both are float.
    /// </summary>
    [Fact]
    public void FloatTensorsThroughACalleeCalledTwice()
    {
        const string callee = """
            using SymDiff;

            public static partial class E
            {
                [Differentiable]
                public static float Squares(DTensor<float> w) => DTensor.Sum(DTensor.Square(w));
            }
            """;
        const string caller = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static float F(DTensor<float> w) => E.Squares(w) * E.Squares(w);
            }
            """;
        var type = Infrastructure.GeneratorHarness.CompileAndLoad(callee, caller).GetType("C")!;
        float[] w = [0.5f, -1.5f, 2f], v = [1f, 0.25f, -0.5f];
        var hv = DTensor.Zeros<float>(3);
        var value = (float)type.GetMethod("FHessianVectorProduct")!.Invoke(null, [DTensor<float>.FromArray(w, 3), DTensor<float>.FromArray(v, 3), hv])!;
        var squares = w.Sum(x => x * x);
        var wv = w.Zip(v, (a, b) => a * b).Sum();
        Assert.Equal(squares * squares, value, 4);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((8 * w[i] * wv) + (4 * squares * v[i]), hv[i], 4);
        }
    }

    private static DTensor<double>[] Directions(Random random, DTensor<double>[] parameters) =>
        parameters.Select(p => Uniform(random, p.Shape.ToArray())).ToArray();

    private static DTensor<double>[] Zeros(DTensor<double>[] parameters) =>
        parameters.Select(p => DTensor.Zeros<double>(p.Shape.ToArray())).ToArray();

    private static DTensor<double> Uniform(Random random, params int[] shape) => DTensor.RandomUniform(random, -1.0, 1.0, shape);
}
