namespace SymDiff.Tests.Training;

/// <summary>A small model trained by the loop in these tests.</summary>
public static partial class TrainingModels
{
    /// <summary>A one-hidden-layer regression with the square loss, over rows gathered from the data by id.</summary>
    [Differentiable]
    public static float Regression(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, [NoDiff] DTensor<float> inputs, [NoDiff] DTensor<float> targets, [NoDiff] ReadOnlySpan<int> batch)
    {
        var x = DTensor.Embedding(inputs, batch);
        var y = DTensor.Embedding(targets, batch);
        var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
        return DTensor.SquareLoss(DTensor.MatMul(h, w2), y);
    }
}

/// <summary>A regression problem and its parameters, built the same way from a seed.</summary>
internal sealed class RegressionSetup
{
    public RegressionSetup(int examples = 200)
    {
        var rng = new Rng(42);
        Inputs = DTensor.RandomUniform(rng, -1f, 1f, examples, 3);
        Targets = new DTensor<float>(examples, 1);
        for (var i = 0; i < examples; i++)
        {
            Targets[i, 0] = MathF.Sin(2 * Inputs[i, 0]) + (0.5f * Inputs[i, 1] * Inputs[i, 2]);
        }

        Parameters = new ParameterSet<float>();
        W1 = Parameters.Add("w1", DTensor.RandomNormal(rng, 0.5f, 3, 16));
        B1 = Parameters.Add("b1", DTensor.Zeros<float>(16));
        W2 = Parameters.Add("w2", DTensor.RandomNormal(rng, 0.3f, 16, 1));
    }

    public DTensor<float> Inputs { get; }

    public DTensor<float> Targets { get; }

    public ParameterSet<float> Parameters { get; }

    public Parameter<float> W1 { get; }

    public Parameter<float> B1 { get; }

    public Parameter<float> W2 { get; }

    public int Count => Inputs.Dimension(0);

    public float Step(ReadOnlySpan<int> batch) => TrainingModels.RegressionGradient(
        W1.Value, B1.Value, W2.Value, Inputs, Targets, batch, W1.Gradient, B1.Gradient, W2.Gradient);

    /// <summary>The loss over every example (a stand-in for a validation metric).</summary>
    public double FullLoss() => Loss(Enumerable.Range(0, Count).ToArray());

    /// <summary>The loss over the given examples.</summary>
    public double Loss(int[] examples) => TrainingModels.Regression(W1.Value, B1.Value, W2.Value, Inputs, Targets, examples);
}
