namespace SymDiff;

/// <summary>
/// Marks a <see langword="static"/> method of a <see langword="partial"/> type whose gradient SymDiff derives at
/// compile time.
/// </summary>
/// <remarks>
/// For <c>[Differentiable] static double F(double a, double b)</c> the source generator adds, to the same type,
/// <c>double FGradient(double a, double b, out double da, out double db)</c>, which returns F's value and its partial
/// derivatives, and <c>void FPullback(double a, double b, double dResult, ref double da, ref double db)</c>, which adds
/// <c>dResult</c> times each partial derivative into <c>da</c> and <c>db</c> (a vector-Jacobian product). Parameters
/// marked <see cref="NoDiffAttribute"/> and parameters whose type is not <see langword="double"/> or
/// <see langword="float"/> get no derivative.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>
    /// Checkpointing for loops: when true, each innermost loop keeps only its carried variables per iteration (for
    /// example the hidden state of a recurrent network) and the reverse sweep recomputes the rest of each iteration
    /// from them, instead of keeping every intermediate of every iteration. Memory for the loop drops from all of an
    /// iteration's intermediates to its carried state, for about one more forward pass of the loop body in time.
    /// </summary>
    public bool RecomputeLoops { get; set; }
}
