namespace SymDiff.Tests.TensorGradients;

/// <summary>
/// Models composed of <see cref="DifferentiableAttribute"/> methods of this type and file, which the generator
/// inlines into their callers: checked in <see cref="CompositionTests"/> against <see cref="TensorModels.Mlp"/>, the
/// same perceptron written as one body.
/// </summary>
public static partial class CompositionModels
{
    /// <summary>The perceptron's logits, for inference: tanh(x·W1 + b1)·W2 + b2.</summary>
    [Differentiable]
    public static DTensor<double> Logits(DTensor<double> w1, DTensor<double> b1, DTensor<double> w2, DTensor<double> b2, [NoDiff] DTensor<double> x)
    {
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
        return DTensor.AddRowBias(DTensor.MatMul(h, w2), b2);
    }

    /// <summary>The training loss over <see cref="Logits"/>: the natural layout of a model.</summary>
    [Differentiable]
    public static double Loss(DTensor<double> w1, DTensor<double> b1, DTensor<double> w2, DTensor<double> b2, [NoDiff] DTensor<double> x, [NoDiff] ReadOnlySpan<int> y) =>
        DTensor.CrossEntropy(Logits(w1, b1, w2, b2, x), y);

    /// <summary>One layer, x·W + b; its input is differentiable, since the second layer's is active.</summary>
    [Differentiable]
    public static DTensor<double> Dense(DTensor<double> x, DTensor<double> w, DTensor<double> b) => DTensor.AddRowBias(DTensor.MatMul(x, w), b);

    /// <summary>The same perceptron from <see cref="Dense"/> called twice.</summary>
    [Differentiable]
    public static double TwoDense(DTensor<double> w1, DTensor<double> b1, DTensor<double> w2, DTensor<double> b2, [NoDiff] DTensor<double> x, [NoDiff] ReadOnlySpan<int> y) =>
        DTensor.CrossEntropy(Dense(DTensor.Tanh(Dense(x, w1, b1)), w2, b2), y);

    [Differentiable]
    public static double Neuron(double w, double b, double x) => Math.Tanh((w * x) + b);

    /// <summary>A scalar callee called in a loop.</summary>
    [Differentiable]
    public static double NeuronsInALoop(double w, double b, [NoDiff] ReadOnlySpan<double> xs)
    {
        double sum = 0;
        for (var i = 0; i < xs.Length; i++)
        {
            sum += Neuron(w, b, xs[i]);
        }

        return sum;
    }

    /// <summary><see cref="NeuronsInALoop"/> with the callee written out.</summary>
    [Differentiable]
    public static double NeuronsInline(double w, double b, [NoDiff] ReadOnlySpan<double> xs)
    {
        double sum = 0;
        for (var i = 0; i < xs.Length; i++)
        {
            sum += Math.Tanh((w * xs[i]) + b);
        }

        return sum;
    }
}
