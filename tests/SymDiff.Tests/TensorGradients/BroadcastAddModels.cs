namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Add with a second operand broadcast per row ([n, 1]) or per column ([m]) (issue 21): a parameter (its gradient
/// filled by the rule), a computed value used once (passed dResult itself only when it has dResult's shape, checked at
/// run time), and the same inside a loop, whose iterations keep that value's shape alone.
/// </summary>
public static partial class BroadcastAddModels
{
    /// <summary>x + rowBias + columnBias, then centred per row: x − mean written as an addition of the negated mean.</summary>
    [Differentiable]
    public static double Centered(DTensor<double> x, DTensor<double> rowBias, DTensor<double> columnBias)
    {
        var shifted = DTensor.Add(DTensor.Add(x, rowBias), columnBias);
        var centered = DTensor.Add(shifted, DTensor.Negate(DTensor.Reshape(DTensor.MeanLastAxis(shifted), -1, 1)));
        return DTensor.Sum(DTensor.Square(DTensor.Tanh(centered)));
    }

    /// <summary>A state centred per row on every step, and a per-column bias added to it.</summary>
    [Differentiable]
    public static double CenteredSteps(DTensor<double> w, DTensor<double> bias, DTensor<double> h0, int steps)
    {
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            var z = DTensor.MatMul(h, w);
            var centered = DTensor.Add(z, DTensor.Negate(DTensor.Reshape(DTensor.MeanLastAxis(z), -1, 1)));
            h = DTensor.Tanh(DTensor.Add(centered, DTensor.Multiply(bias, 0.5)));
        }

        return DTensor.Sum(DTensor.Square(h));
    }
}
