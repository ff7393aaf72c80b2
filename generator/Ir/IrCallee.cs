using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Ir;

internal enum IrCalleeKind
{
    /// <summary>A <c>System.Math</c>/<c>System.MathF</c> function whose rule lives in <c>ScalarRules</c>.</summary>
    Intrinsic,

    /// <summary>Another <c>[Differentiable]</c> method: its generated pullback is called in the reverse sweep.</summary>
    Differentiable,

    /// <summary>A function with a <c>[PullbackOf]</c> rule (tensor ops, user functions): the rule is called in the reverse sweep.</summary>
    Rule,

    /// <summary>A call whose result does not depend on active values: evaluated, never differentiated.</summary>
    Passive,
}

/// <summary>The target of a call.</summary>
/// <param name="Kind">How the call is differentiated.</param>
/// <param name="Target">The C# text that names the method at the call site (for example <c>Math.Tanh</c>).</param>
/// <param name="Name">The method's simple name (the key of intrinsic rules).</param>
/// <param name="Owner">For intrinsics, the C# text of the declaring class (<c>Math</c> or <c>MathF</c>), used by rules.</param>
/// <param name="Pullback">For rule callees the rule: C# text naming it (a differentiable callee's generated members are named after <paramref name="Target"/>).</param>
/// <param name="DifferentiableParameters">For differentiable and rule callees, which parameters take an gradient.</param>
/// <param name="HasDestination">Whether a destination-passing overload (trailing <c>ref DTensor&lt;T&gt;? destination</c>) exists.</param>
/// <param name="SavedType">For a rule that takes saved state, the C# type of that state (the forward call fills it).</param>
/// <param name="PassThrough">For rule callees, per parameter: whether its gradient receives exactly dResult.</param>
/// <param name="RuleReads">For rule callees, per parameter: whether the rule takes that input (rules list only what they read).</param>
/// <param name="RuleReadsResult">For rule callees: whether the rule takes the call's result.</param>
/// <param name="GradientShapes">
/// For rule callees, per parameter: which of the rule's parameters (<c>dResult</c>, <c>saved</c>, <c>result</c>, or
/// <c>#i</c> for input i) has the shape of that parameter's gradient, or "" when only the input itself tells.
/// </param>
/// <param name="Pushforward">
/// Forward mode: for rule callees their <c>[PushforwardOf]</c> rule (null when they have none): C# text naming it.
/// </param>
/// <param name="PushforwardReads">For rule callees with a pushforward rule, per parameter: whether that rule takes the input.</param>
/// <param name="HasHessianVectorProduct">For differentiable callees: whether they have a generated Hessian-vector product.</param>
/// <param name="HessianVectorProductGap">For differentiable callees without one: why not, for the caller's SD0020.</param>
/// <param name="BufferedValue">
/// For a scalar-valued differentiable callee: where only its value is needed, its generated <c>Buffered</c> form computes
/// it (the same operations into buffers reused from call to call, so a caller's gradient does not allocate the callee's
/// intermediates as the method as written does).
/// </param>
/// <param name="PushforwardReadsResult">For rule callees with a pushforward rule: whether it takes the result.</param>
/// <param name="PullbackTangent">
/// Second order: for rule callees their <c>[PullbackTangentOf]</c> rule and what it reads (null when they have none).
/// </param>
/// <param name="LinearPullback">
/// For rule callees: whether the pullback reads no differentiable input, result or saved state (then it is linear in
/// dResult with fixed coefficients, and applied to dResult's tangent it gives its own tangent).
/// </param>
/// <param name="Indexer">For an element read of a tensor: the call is printed as <c>x[i]</c> (its first argument indexed by the rest).</param>
internal sealed record IrCallee(
    IrCalleeKind Kind,
    string Target,
    string Name,
    string Owner,
    string? Pullback,
    EquatableArray<bool> DifferentiableParameters,
    bool HasDestination = false,
    string? SavedType = null,
    EquatableArray<bool> PassThrough = default,
    EquatableArray<bool> RuleReads = default,
    bool RuleReadsResult = false,
    EquatableArray<string> GradientShapes = default,
    bool Indexer = false,
    string? Pushforward = null,
    EquatableArray<bool> PushforwardReads = default,
    bool PushforwardReadsResult = false,
    bool HasHessianVectorProduct = false,
    IrPullbackTangent? PullbackTangent = null,
    bool LinearPullback = false,
    string? HessianVectorProductGap = null,
    bool BufferedValue = false);

/// <summary>
/// A <c>[PullbackTangentOf]</c> rule: C# text naming it, and what it reads (per input: the input, its tangent; saved
/// state, the result, dResult, the result's tangent). It always takes dResult's tangent and one output per differentiable input.
/// </summary>
internal sealed record IrPullbackTangent(
    string Target,
    EquatableArray<bool> Reads,
    bool Saved,
    bool ReadsResult,
    bool ReadsDResult,
    EquatableArray<bool> Tangents,
    bool ReadsResultTangent);
