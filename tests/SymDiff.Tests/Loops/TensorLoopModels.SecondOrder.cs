namespace SymDiff.Tests.Loops;

/// <summary>Loops over tensors whose Hessian-vector products are checked in <see cref="TensorLoopHessianVectorProductTests"/>.</summary>
public static partial class TensorLoopModels
{
    /// <summary>A state that feeds itself: s ← s + s ⊙ w, summed at the end.</summary>
    [Differentiable]
    public static double SelfFeeding(DTensor<double> w, DTensor<double> s0, int steps)
    {
        var s = s0;
        for (int t = 0; t < steps; t++)
        {
            s = DTensor.Add(s, DTensor.Multiply(s, w));
        }

        return DTensor.Sum(DTensor.Square(s));
    }

    /// <summary>
    /// An Elman network over a sequence of inputs (x[t] a row block of xs): h ← tanh(x[t]·W + h·U + b), then a softmax
    /// cross-entropy of h·V against labels, and a cross-entropy at every step too (state saved for its rule per step).
    /// </summary>
    [Differentiable]
    public static double Elman(
        DTensor<double> w, DTensor<double> u, DTensor<double> b, DTensor<double> v,
        [NoDiff] DTensor<double> xs, [NoDiff] DTensor<double> h0, [NoDiff] ReadOnlySpan<int> labels, int steps)
    {
        var h = h0;
        double loss = 0;
        for (int t = 0; t < steps; t++)
        {
            h = DTensor.Tanh(DTensor.AddRowBias(DTensor.Add(DTensor.MatMul(DTensor.Select(xs, t), w), DTensor.MatMul(h, u)), b));
            loss += 0.5 * DTensor.CrossEntropy(DTensor.MatMul(h, v), labels);
        }

        return loss + DTensor.CrossEntropy(DTensor.MatMul(h, v), labels);
    }

    /// <summary><see cref="Elman"/> in float, as training runs it.</summary>
    [Differentiable]
    public static float ElmanFloat(
        DTensor<float> w, DTensor<float> u, DTensor<float> b, DTensor<float> v,
        [NoDiff] DTensor<float> xs, [NoDiff] DTensor<float> h0, [NoDiff] ReadOnlySpan<int> labels, int steps)
    {
        var h = h0;
        float loss = 0;
        for (int t = 0; t < steps; t++)
        {
            h = DTensor.Tanh(DTensor.AddRowBias(DTensor.Add(DTensor.MatMul(DTensor.Select(xs, t), w), DTensor.MatMul(h, u)), b));
            loss += 0.5f * DTensor.CrossEntropy(DTensor.MatMul(h, v), labels);
        }

        return loss + DTensor.CrossEntropy(DTensor.MatMul(h, v), labels);
    }
}
