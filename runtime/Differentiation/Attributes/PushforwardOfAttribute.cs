namespace SymDiff;

/// <summary>
/// Declares the method it marks as the pushforward rule of a function (forward mode), beside its
/// <see cref="PullbackOfAttribute"/> rule: generated pushforwards and Hessian-vector products call it where the
/// function was called.
/// </summary>
/// <remarks>
/// <para>A pushforward receives the tangent of each input (its derivative along the direction) and gives the tangent of
/// the result: the Jacobian-vector product. Its parameters follow the pullback's order and are recognised by name: for
/// <c>R F(P1 x, P2 y)</c>, <c>FPushforward(P1 x, P2 y, R result, G1 dx, G2 dy, R dResult)</c>, where</para>
/// <list type="bullet">
/// <item><description>the inputs come first, named as in <c>F</c>, only those the rule reads;</description></item>
/// <item><description><c>result</c>, the value <c>F</c> returned, if the rule reads it;</description></item>
/// <item><description>one tangent per differentiable input, in order, named <c>d</c> + the input's name:
/// <c>DTensor&lt;T&gt;?</c> for a tensor input (null: a zero tangent), <c>T</c> for a <see langword="float"/> or
/// <see langword="double"/> one;</description></item>
/// <item><description>for a tensor result, a last parameter <c>DTensor&lt;T&gt; dResult</c> of the result's shape, which
/// the rule overwrites with the result's tangent (the method returns <see langword="void"/>); for a scalar result, no
/// such parameter: the rule returns the tangent.</description></item>
/// </list>
/// <para>The rule lives where a pullback rule may live (see <see cref="PullbackOfAttribute"/>).</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class PushforwardOfAttribute : Attribute
{
    /// <summary>Declares a pushforward for the function <paramref name="function"/> of the rule's own type.</summary>
    /// <param name="function">The function's name; use <see langword="nameof"/>.</param>
    public PushforwardOfAttribute(string function)
    {
        Function = function;
    }

    /// <summary>Declares a pushforward for the function <paramref name="function"/> of <paramref name="declaringType"/>.</summary>
    /// <param name="declaringType">The type that declares the function.</param>
    /// <param name="function">The function's name; use <see langword="nameof"/>.</param>
    public PushforwardOfAttribute(Type declaringType, string function)
    {
        DeclaringType = declaringType;
        Function = function;
    }

    /// <summary>The name of the function this rule differentiates.</summary>
    public string Function { get; }

    /// <summary>The type that declares the function, when it is not the rule's own type.</summary>
    public Type? DeclaringType { get; }
}
