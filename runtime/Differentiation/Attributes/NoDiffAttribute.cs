namespace SymDiff;

/// <summary>
/// Excludes a parameter of a <see cref="DifferentiableAttribute"/> method from differentiation: the generated
/// gradient and pullback take it as an input but produce no derivative for it (data, targets, hyper-parameters).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NoDiffAttribute : Attribute
{
}
