namespace SymDiff;

/// <summary>
/// Declares the method it marks as the pullback rule of a function, so that <see cref="DifferentiableAttribute"/>
/// methods can call that function: the generated reverse sweep calls the rule where the function was called.
/// </summary>
/// <remarks>
/// <para>A pullback receives the gradient of the loss with respect to the function's result (<c>dResult</c>) and adds
/// its vector-Jacobian product into the gradient of each input. Its parameters follow the one order SymDiff uses for
/// every pullback, its own generated ones included, and are recognised by name: for <c>R F(P1 x, P2 y)</c>,
/// <c>void FPullback(P1 x, P2 y, R result, R dResult, G1 dx, G2 dy)</c>, where</para>
/// <list type="bullet">
/// <item><description>the inputs come first, named as in <c>F</c>; a rule lists only the inputs it reads
/// (<c>TanhPullback</c> reads none), so generated code neither keeps nor passes the others;</description></item>
/// <item><description><c>result</c>, the value <c>F</c> returned, if the rule reads it (<c>tanh′ = 1 − result²</c>);</description></item>
/// <item><description><c>dResult</c>, always;</description></item>
/// <item><description>then one gradient per differentiable input, in order, named <c>d</c> + the input's name:
/// <c>DTensor&lt;T&gt;?</c> for a tensor input (null when that input needs no gradient: skip it), <c>ref T</c> for a
/// <see langword="float"/> or <see langword="double"/> one. The rule adds to them (<c>+=</c>). Inputs of other types
/// (ids, flags, seeds) take no gradient.</description></item>
/// </list>
/// <para>A function returning a tensor should also have a destination-passing overload (a trailing
/// <c>ref DTensor&lt;T&gt;? destination</c>) that reuses the destination when it has the right shape; generated
/// gradients call it so that a training step allocates nothing.</para>
/// <para>A function returning a scalar may save state for its rule (as PyTorch's <c>save_for_backward</c>): an
/// overload with a trailing <c>ref DTensor&lt;T&gt;? saved</c> fills it, and a rule that takes a <c>DTensor&lt;T&gt;
/// saved</c> parameter right after the inputs receives it (cross-entropy saves its softmax this way).</para>
/// <para>Mark a gradient parameter <see cref="PassThroughAttribute"/> when the rule adds exactly <c>dResult</c> to it.</para>
/// <para>The rule lives in the function's own type (<c>[PullbackOf(nameof(F))]</c>), in the type of the
/// <see cref="DifferentiableAttribute"/> method that calls it (<c>[PullbackOf(typeof(Other), nameof(Other.F))]</c>),
/// or in a type the function's type names with <see cref="DerivativeRulesAttribute"/>. A rule whose signature does not
/// fit is a compile-time error (SD0014) at the rule, saying which parameter is wrong.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class PullbackOfAttribute : Attribute
{
    /// <summary>Declares a pullback for the function <paramref name="function"/> of the rule's own type.</summary>
    /// <param name="function">The function's name; use <see langword="nameof"/>.</param>
    public PullbackOfAttribute(string function)
    {
        Function = function;
    }

    /// <summary>Declares a pullback for the function <paramref name="function"/> of <paramref name="declaringType"/>.</summary>
    /// <param name="declaringType">The type that declares the function.</param>
    /// <param name="function">The function's name; use <see langword="nameof"/>.</param>
    public PullbackOfAttribute(Type declaringType, string function)
    {
        DeclaringType = declaringType;
        Function = function;
    }

    /// <summary>The name of the function this rule differentiates.</summary>
    public string Function { get; }

    /// <summary>The type that declares the function, when it is not the rule's own type.</summary>
    public Type? DeclaringType { get; }
}
