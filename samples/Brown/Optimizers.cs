using SymDiff;

namespace Brown;

/// <summary>The optimizers the samples' <c>--optimizer</c> names, built alike in both.</summary>
public static class Optimizers
{
    /// <summary>
    /// The optimizer called <paramref name="name"/> (sgd, adam, adamw or adafactor) over the parameters;
    /// <paramref name="epsilon"/> is Adam's and AdamW's ε, <paramref name="weightDecay"/> every optimizer's λ.
    /// </summary>
    public static Optimizer<float> Create(string name, ParameterSet<float> parameters, double rate, double epsilon = 1e-8, double weightDecay = 0) =>
        name switch
        {
            "sgd" => new Sgd<float>(parameters, rate, weightDecay: weightDecay),
            "adam" => new Adam<float>(parameters, rate, epsilon: epsilon, weightDecay: weightDecay),
            "adamw" => new AdamW<float>(parameters, rate, epsilon: epsilon, weightDecay: weightDecay),
            "adafactor" => new Adafactor<float>(parameters, rate, beta1: 0.9, weightDecay: weightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not an optimizer the samples know"),
        };
}
