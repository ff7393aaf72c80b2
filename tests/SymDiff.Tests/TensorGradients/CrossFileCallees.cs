namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Scalar-valued methods over tensors that <see cref="CrossFileCallers"/> calls from another file: not inlined, so the
/// callers' Hessian-vector products call their products, gradients and pullbacks.
/// </summary>
public static partial class CrossFileCallees
{
    /// <summary>Σ tanh(scale·x·w)²: tensor arguments and a scalar one.</summary>
    [Differentiable]
    public static double LayerEnergy(DTensor<double> w, DTensor<double> x, double scale) =>
        DTensor.Sum(DTensor.Square(DTensor.Tanh(DTensor.Multiply(DTensor.MatMul(x, w), scale))));

    /// <summary>A scalar function of two scalars: tanh(x·y) + x².</summary>
    [Differentiable]
    public static double Bend(double x, double y) => Math.Tanh(x * y) + (x * x);

    /// <summary>‖x·w‖², whose Hessian in w is 2·xᵀx (per column of w).</summary>
    [Differentiable]
    public static double Quadratic(DTensor<double> w, [NoDiff] DTensor<double> x) => DTensor.Sum(DTensor.Square(DTensor.MatMul(x, w)));
}
