namespace SymDiff;

/// <summary>
/// Declares the method it marks as the pullback-tangent rule of a function (second order), beside its
/// <see cref="PullbackOfAttribute"/> rule: generated Hessian-vector products call it where the gradient calls the
/// pullback. It gives the tangent of the pullback's outputs (the derivative of the gradients it adds) along a direction,
/// given the tangents of what the pullback reads, dResult's tangent included.
/// </summary>
/// <remarks>
/// <para>Its parameters follow the pullback's order and are recognised by name: for <c>R F(P1 x, P2 y)</c>,
/// <c>FPullbackTangent(P1 x, P2 y, [saved], [R result], [R dResult], G1 vx, G2 vy, [R vresult], R vdResult, vdx, vdy)</c>, where</para>
/// <list type="bullet">
/// <item><description>the inputs come first, named as in <c>F</c>, only those the rule reads; then <c>saved</c> (the
/// state a saving overload keeps, as the pullback may read it), <c>result</c> and <c>dResult</c>, each if it reads it;</description></item>
/// <item><description>the tangents of the differentiable inputs it reads, <c>v</c> + the input's name (<c>DTensor&lt;T&gt;?</c>,
/// null for a zero tangent, or <c>T</c>), then <c>vresult</c>, the result's tangent, if it reads it;</description></item>
/// <item><description><c>vdResult</c>, the tangent of dResult (<c>DTensor&lt;T&gt;</c> or <c>T</c>), always;</description></item>
/// <item><description>one output per differentiable input, named <c>vd</c> + the input's name, which the rule adds
/// (<c>+=</c>) the tangent of that input's gradient to, as the pullback adds to the gradient: <c>DTensor&lt;T&gt;?</c>
/// (null: not wanted) or <c>ref T</c>.</description></item>
/// </list>
/// <para>An op whose pullback reads no differentiable input, no result and no saved state (additions, sums, reshapes,
/// slices) is linear in dResult with fixed coefficients: its pullback applied to dResult's tangent is the tangent, and
/// it needs no such rule. The rule lives where a pullback rule may live (see <see cref="PullbackOfAttribute"/>).</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class PullbackTangentOfAttribute : Attribute
{
    /// <summary>Declares a pullback tangent for the function <paramref name="function"/> of the rule's own type.</summary>
    /// <param name="function">The function's name; use <see langword="nameof"/>.</param>
    public PullbackTangentOfAttribute(string function)
    {
        Function = function;
    }

    /// <summary>Declares a pullback tangent for the function <paramref name="function"/> of <paramref name="declaringType"/>.</summary>
    /// <param name="declaringType">The type that declares the function.</param>
    /// <param name="function">The function's name; use <see langword="nameof"/>.</param>
    public PullbackTangentOfAttribute(Type declaringType, string function)
    {
        DeclaringType = declaringType;
        Function = function;
    }

    /// <summary>The name of the function whose pullback this rule differentiates.</summary>
    public string Function { get; }

    /// <summary>The type that declares the function, when it is not the rule's own type.</summary>
    public Type? DeclaringType { get; }
}
