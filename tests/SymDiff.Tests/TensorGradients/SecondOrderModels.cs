namespace SymDiff.Tests.TensorGradients;

/// <summary>Tensor models whose Hessian-vector products are tested (besides <see cref="TensorModels.Mlp"/>).</summary>
public static partial class SecondOrderModels
{
    /// <summary>A linear regression with a square loss: its Hessian does not depend on the weights.</summary>
    [Differentiable]
    public static double Regression(DTensor<double> w, DTensor<double> b, [NoDiff] DTensor<double> x, [NoDiff] DTensor<double> target) =>
        DTensor.SquareLoss(DTensor.AddRowBias(DTensor.MatMul(x, w), b), target);

    /// <summary>Softmax, sigmoid, exp, log, square and products of two active tensors, each op through its pullback-tangent rule.</summary>
    [Differentiable]
    public static double Mixed(DTensor<double> w, DTensor<double> u, [NoDiff] DTensor<double> x)
    {
        var z = DTensor.MatMul(x, w);
        var p = DTensor.Softmax(z);
        var gate = DTensor.Sigmoid(DTensor.MatMul(x, u));
        var mixed = DTensor.Multiply(p, gate);
        var smooth = DTensor.Log(DTensor.Exp(DTensor.Square(mixed)));
        return DTensor.Sum(DTensor.Add(smooth, DTensor.Relu(DTensor.LogSoftmax(z))));
    }

    /// <summary>One hidden layer, itself a [Differentiable] method (inlined: same type and file).</summary>
    [Differentiable]
    public static DTensor<double> Layer(DTensor<double> input, DTensor<double> w, DTensor<double> b) =>
        DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(input, w), b));

    /// <summary>Two layers through <see cref="Layer"/> and a cross-entropy, scaled by a scalar parameter.</summary>
    [Differentiable]
    public static double Stacked(DTensor<double> w1, DTensor<double> b1, DTensor<double> w2, double scale, [NoDiff] DTensor<double> x, [NoDiff] ReadOnlySpan<int> y)
    {
        var logits = DTensor.Multiply(DTensor.MatMul(Layer(x, w1, b1), w2), scale);
        return DTensor.CrossEntropy(logits, y);
    }

    /// <summary>A scalar loop reading a tensor parameter element by element, with a carried value and a scalar parameter.</summary>
    [Differentiable]
    public static double ElementRecurrence(DTensor<double> w, double a, int n)
    {
        var s = 0.0;
        for (var i = 0; i < n; i++)
        {
            s = Math.Tanh((w[i] * a) + (s * w[n - 1 - i])) + (s * 0.5);
        }

        return s * a;
    }
}

/// <summary>Models through the ops whose pullback-tangent rules came with the Transformer's ops.</summary>
public static partial class SecondOrderModels
{
    /// <summary>
    /// Dropout between two layers (its mask fixed by the seed), a division by a scalar parameter and a square loss.
    /// </summary>
    [Differentiable]
    public static double Dropped(DTensor<double> w1, DTensor<double> w2, double temperature, [NoDiff] DTensor<double> x, [NoDiff] DTensor<double> target)
    {
        var hidden = DTensor.Dropout(DTensor.Tanh(DTensor.MatMul(x, w1)), 0.3, 11UL);
        return DTensor.SquareLoss(DTensor.Divide(DTensor.MatMul(hidden, w2), temperature), target);
    }
}
