namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Generated Hessian-vector products through the pullback-tangent rules of LayerNorm, Gelu, BatchMatMul, the causal
/// softmax, Divide, Sqrt, Pow, Clamp, Maximum, Minimum and Dropout, against finite differences of the generated gradient.
/// Scalar parameters are 1-element tensors so that the checker can perturb them.
/// </summary>
public sealed partial class TensorHessianVectorProductTests
{
    [Theory]
    [InlineData(3, 5)]
    [InlineData(1, 4)]
    [InlineData(3, 1)]
    public void LayerNormAndGelu(int rows, int columns)
    {
        var random = new Random(26 + rows + columns);
        var (x, gamma, beta, weights) = (Uniform(random, rows, columns), Uniform(random, columns), Uniform(random, columns), Uniform(random, rows, columns));
        DTensor<double>[] parameters = [x, gamma, beta];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        var value = TransformerOpModels.LayerNormGeluHessianVectorProduct(x, gamma, beta, weights, v[0], v[1], v[2], hv[0], hv[1], hv[2]);

        Assert.Equal(TransformerOpModels.LayerNormGelu(x, gamma, beta, weights), value, 12);
        AssertMatches(parameters, v, hv, g => TransformerOpModels.LayerNormGeluGradient(x, gamma, beta, weights, g[0], g[1], g[2]), $"LayerNormGelu {rows}x{columns}");
    }

    [Theory]
    [InlineData(2, 4, 2, 6)]
    [InlineData(1, 1, 1, 3)]
    [InlineData(1, 5, 3, 3)]
    public void MultiHeadCausalAttention(int batch, int time, int heads, int model)
    {
        var random = new Random(27 + time);
        var x = Uniform(random, batch * time, model);
        var (wq, wk, wv) = (Uniform(random, model, model), Uniform(random, model, model), Uniform(random, model, model));
        var weights = Uniform(random, batch * time, model);
        DTensor<double>[] parameters = [x, wq, wk, wv];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        TransformerOpModels.AttentionHessianVectorProduct(x, wq, wk, wv, weights, batch, time, heads, v[0], v[1], v[2], v[3], hv[0], hv[1], hv[2], hv[3]);

        AssertMatches(
            parameters,
            v,
            hv,
            g => TransformerOpModels.AttentionGradient(x, wq, wk, wv, weights, batch, time, heads, g[0], g[1], g[2], g[3]),
            $"Attention {batch}x{time}x{heads}x{model}");
    }

    [Fact]
    public void StandardizationDividesByABroadcastDeviation()
    {
        var random = new Random(28);
        var (x, scale, shift, weights) = (Uniform(random, 4, 5), Uniform(random, 5), Uniform(random, 5), Uniform(random, 4, 5));
        DTensor<double>[] parameters = [x, scale, shift];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        TransformerOpModels.StandardizeHessianVectorProduct(x, scale, shift, weights, v[0], v[1], v[2], hv[0], hv[1], hv[2]);

        AssertMatches(parameters, v, hv, g => TransformerOpModels.StandardizeGradient(x, scale, shift, weights, g[0], g[1], g[2]), "Standardize");
    }

    [Fact]
    public void PowerWithItsExponent()
    {
        var random = new Random(29);
        var (x, p, weights) = (DTensor.RandomUniform(random, 0.5, 2.0, 3, 4), DTensor.Full(1.7, 1), Uniform(random, 3, 4));
        DTensor<double>[] parameters = [x, p];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        TransformerOpModels.PowerHessianVectorProduct(x, p[0], weights, v[0], v[1][0], hv[0], out var hvp);
        hv[1][0] = hvp;

        AssertMatches(parameters, v, hv, g =>
        {
            TransformerOpModels.PowerGradient(x, p[0], weights, g[0], out var dp);
            g[1][0] += dp;
        }, "Power");
    }

    [Fact]
    public void ClampMaximumAndMinimumArePiecewiseLinear()
    {
        var random = new Random(30);
        var (x, lo, hi, weights) = (Uniform(random, 3, 4), DTensor.Full(-0.5, 1), DTensor.Full(0.8, 1), Uniform(random, 3, 4));
        DTensor<double>[] clamped = [x, lo, hi];
        var v = Directions(random, clamped);
        var hv = Zeros(clamped);

        TransformerOpModels.ClampedHessianVectorProduct(x, lo[0], hi[0], weights, v[0], v[1][0], v[2][0], hv[0], out var hvlo, out var hvhi);
        (hv[1][0], hv[2][0]) = (hvlo, hvhi);

        AssertMatches(clamped, v, hv, g =>
        {
            TransformerOpModels.ClampedGradient(x, lo[0], hi[0], weights, g[0], out var dlo, out var dhi);
            (g[1][0], g[2][0]) = (g[1][0] + dlo, g[2][0] + dhi);
        }, "Clamped");

        var (a, b, readout) = (Uniform(random, 2, 7), Uniform(random, 2, 7), Uniform(random, 2, 7));
        DTensor<double>[] extremes = [a, b];
        v = Directions(random, extremes);
        hv = Zeros(extremes);

        TransformerOpModels.ExtremesHessianVectorProduct(a, b, readout, v[0], v[1], hv[0], hv[1]);

        AssertMatches(extremes, v, hv, g => TransformerOpModels.ExtremesGradient(a, b, readout, g[0], g[1]), "Extremes");
    }

    [Fact]
    public void ThroughDropoutAndADivisionByAScalar()
    {
        var random = new Random(31);
        var (w1, w2, temperature) = (Uniform(random, 3, 6), Uniform(random, 6, 2), DTensor.Full(1.4, 1));
        var (x, target) = (Uniform(random, 5, 3), Uniform(random, 5, 2));
        DTensor<double>[] parameters = [w1, w2, temperature];
        var v = Directions(random, parameters);
        var hv = Zeros(parameters);

        SecondOrderModels.DroppedHessianVectorProduct(w1, w2, temperature[0], x, target, v[0], v[1], v[2][0], hv[0], hv[1], out var hvTemperature);
        hv[2][0] = hvTemperature;

        AssertMatches(parameters, v, hv, g =>
        {
            SecondOrderModels.DroppedGradient(w1, w2, temperature[0], x, target, g[0], g[1], out var dTemperature);
            g[2][0] += dTemperature;
        }, "Dropped");
    }
}
