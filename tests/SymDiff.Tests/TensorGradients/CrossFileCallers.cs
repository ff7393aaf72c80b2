namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Methods calling <see cref="CrossFileCallees"/>, declared in another file, with tensor arguments: their
/// Hessian-vector products take each call's value, H·v and partials from the callee's own generated methods.
/// </summary>
public static partial class CrossFileCallers
{
    /// <summary>Two calls, one with a parameter and a tensor the method computes, one inside a branch; a scalar argument too.</summary>
    [Differentiable]
    public static double TwoCalls(DTensor<double> w1, DTensor<double> w2, double a, [NoDiff] DTensor<double> x)
    {
        var e = CrossFileCallees.LayerEnergy(w1, x, a);
        var h = DTensor.Tanh(DTensor.MatMul(x, w1));
        var total = Math.Sin(e) + (a * e);
        if (a > 0)
        {
            total += e * CrossFileCallees.LayerEnergy(w2, h, 1.3);
        }

        return total;
    }

    /// <summary>A call in a loop whose tensor argument the loop carries: each iteration keeps the callee's partials and H·v.</summary>
    [Differentiable]
    public static double Unrolled(DTensor<double> w, DTensor<double> h0, double a, int steps)
    {
        var h = h0;
        var s = 0.0;
        for (var t = 0; t < steps; t++)
        {
            s += CrossFileCallees.LayerEnergy(w, h, a + (0.1 * s));
            h = DTensor.Tanh(DTensor.MatMul(h, w));
        }

        return s * s;
    }

    /// <summary>Half the callee: H·v = xᵀx·v in closed form.</summary>
    [Differentiable]
    public static double HalfQuadratic(DTensor<double> w, [NoDiff] DTensor<double> x) => 0.5 * CrossFileCallees.Quadratic(w, x);

    /// <summary>
    /// A data tensor handed to the callee's differentiable parameter: its direction there is zero (null), and the
    /// callee's partials for it feed nothing.
    /// </summary>
    [Differentiable]
    public static double DataThroughTheCallee(DTensor<double> w, double a, [NoDiff] DTensor<double> x) =>
        CrossFileCallees.LayerEnergy(x, w, a) * a;

    /// <summary>Scalar arguments only, in a loop: the call's value is read twice (a product with the carried sum).</summary>
    [Differentiable]
    public static double ScalarLoop(double a, double b, int n)
    {
        var s = 0.5;
        for (var i = 1; i <= n; i++)
        {
            var e = CrossFileCallees.Bend(a * i, b + (0.1 * s));
            s += (e * s) + e;
        }

        return s;
    }

    /// <summary>A call whose value only chooses the branch: the reverse sweep never reaches it.</summary>
    [Differentiable]
    public static double OnlyChooses(DTensor<double> w, [NoDiff] DTensor<double> x) =>
        CrossFileCallees.Quadratic(w, x) > 1.0 ? DTensor.Sum(DTensor.Square(w)) : DTensor.Sum(w);

    /// <summary>A call with scalar arguments inside a branch: its partials are declared ahead of the branch.</summary>
    [Differentiable]
    public static double InABranch(double a, double b)
    {
        var s = a;
        if (a > 0)
        {
            s += CrossFileCallees.Bend(a, b) * b;
        }

        return s * b;
    }
}
