using SymDiff;

namespace SymDiff.Benchmarks;

/// <summary>
/// The output layer of <see cref="ForwardModeModels.MlpSplit"/>, in a type and file of its own: not inlined, so the
/// caller's Hessian-vector product calls this method's product and gradient with tensor arguments.
/// </summary>
public static partial class ForwardModeHeads
{
    /// <summary>Softmax cross-entropy of h·W + b against the labels.</summary>
    [Differentiable]
    public static float Head(DTensor<float> h, DTensor<float> w, DTensor<float> b, [NoDiff] ReadOnlySpan<int> y) =>
        DTensor.CrossEntropy(DTensor.AddRowBias(DTensor.MatMul(h, w), b), y);
}
