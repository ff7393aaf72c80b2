namespace SymDiff;

/// <summary>
/// Marks a gradient parameter of a <see cref="PullbackOfAttribute"/> rule that receives exactly <c>dResult</c>
/// (same shape, unchanged: the input of an addition or a bias add). When nothing else contributes to that input's
/// gradient, generated code uses the result's gradient for it directly and passes null to the rule, instead of
/// zeroing a buffer and copying <c>dResult</c> into it. Without <c>[SameShapeAs(nameof(dResult))]</c> the input may
/// broadcast (Add's b): generated code then decides at run time, passing dResult on when the input has its shape and
/// summing it over the broadcast axes otherwise (<c>Buffers.PassThrough</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class PassThroughAttribute : Attribute
{
}
