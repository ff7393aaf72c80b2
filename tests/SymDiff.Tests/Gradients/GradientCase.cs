namespace SymDiff.Tests.Gradients;

/// <summary>
/// A differentiable function under test, seen through <c>double[]</c>: its value, its generated gradient (value and
/// partials of the differentiable inputs, in order), its generated pullback, the inputs to check it at, and where
/// it is known, the hand-derived gradient.
/// </summary>
public sealed class GradientCase
{
    public required string Name { get; init; }

    public required Func<double[], double> Function { get; init; }

    public required Func<double[], (double Value, double[] Gradient)> Gradient { get; init; }

    /// <summary>(inputs, dResult, accumulators): adds dResult·∂F into the accumulators.</summary>
    public required Action<double[], double, double[]> Pullback { get; init; }

    /// <summary>Which inputs are differentiated (the rest are [NoDiff] or not floating point).</summary>
    public int[]? Differentiated { get; init; }

    public required double[][] Points { get; init; }

    public Func<double[], double[]>? Analytic { get; init; }

    /// <summary>Relative finite-difference step; larger for functions that round to float inside.</summary>
    public double FiniteDifferenceStep { get; init; } = 1e-6;

    public double FiniteDifferenceTolerance { get; init; } = 1e-6;

    public override string ToString() => Name;
}
