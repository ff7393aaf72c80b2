namespace SymDiff;

/// <summary>
/// Declares the method it marks as the derivative rule (the pullback) of a function, so that
/// <see cref="DifferentiableAttribute"/> methods can call that function.
/// </summary>
/// <remarks>
/// <para>For a function <c>R F(P1 p1, ..., Pn pn)</c> the rule has the signature
/// <c>void Rule(P1 p1, ..., Pn pn, R result, R dResult, D1 d1, ..., Dk dk)</c>: the function's inputs, its result
/// (as computed by the forward sweep, so rules can reuse it), the derivative of the loss with respect to the
/// result, then one adjoint per differentiable input, in order. The rule adds <c>dResult</c> times the local
/// derivative to each adjoint (<c>+=</c>). A tensor input's adjoint is a <c>Tensor&lt;T&gt;?</c>, null when that
/// input needs no derivative; a <see langword="float"/> or <see langword="double"/> input's adjoint is a
/// <c>ref</c> parameter of that type. Inputs of other types (ids, flags) take no adjoint.</para>
/// <para>A function returning a tensor should also have a destination-passing overload with a trailing
/// <c>ref Tensor&lt;T&gt;? destination</c> parameter that reuses the destination when it has the right shape; generated
/// gradients call it so that a training step allocates nothing.</para>
/// <para>A function returning a scalar may save state for its rule (as PyTorch's <c>save_for_backward</c>): an
/// overload with a trailing <c>ref Tensor&lt;T&gt;? saved</c> fills it, and the rule takes it right after the inputs,
/// <c>void Rule(P1 p1, ..., Pn pn, Tensor&lt;T&gt; saved, R result, R dResult, adjoints...)</c>. Generated code then
/// calls that overload into a workspace buffer and passes the buffer to the rule (cross-entropy saves its softmax
/// this way).</para>
/// <para>Mark an adjoint parameter <see cref="PassThroughAttribute"/> when the rule adds exactly <c>dResult</c> to it.</para>
/// <para>The rule lives in the function's own type (<c>[DerivativeOf(nameof(F))]</c>), or in the type of the
/// <see cref="DifferentiableAttribute"/> method that calls it, for functions declared elsewhere
/// (<c>[DerivativeOf(typeof(Other), nameof(Other.F))]</c>). A rule whose signature does not fit is a compile-time
/// error at the rule.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class DerivativeOfAttribute : Attribute
{
    /// <summary>Declares a rule for the function <paramref name="function"/> of the rule's own type.</summary>
    /// <param name="function">The function's name; use <see langword="nameof"/>.</param>
    public DerivativeOfAttribute(string function)
    {
        Function = function;
    }

    /// <summary>Declares a rule for the function <paramref name="function"/> of <paramref name="declaringType"/>.</summary>
    /// <param name="declaringType">The type that declares the function.</param>
    /// <param name="function">The function's name; use <see langword="nameof"/>.</param>
    public DerivativeOfAttribute(Type declaringType, string function)
    {
        DeclaringType = declaringType;
        Function = function;
    }

    /// <summary>The name of the function this rule differentiates.</summary>
    public string Function { get; }

    /// <summary>The type that declares the function, when it is not the rule's own type.</summary>
    public Type? DeclaringType { get; }
}
