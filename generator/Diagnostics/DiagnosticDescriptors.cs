using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generator.Diagnostics;

/// <summary>
/// Every diagnostic SymDiff reports. Errors are <c>SD0xxx</c>, warnings <c>SD1xxx</c>; the catalogue with
/// examples and fixes is docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SymDiff";

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
        "SD0001",
        "Statement not supported in a differentiable method",
        "{0} is not supported in a [Differentiable] method; {1}");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error(
        "SD0002",
        "Expression not supported in a differentiable method",
        "{0} is not supported in a [Differentiable] method; {1}");

    public static readonly DiagnosticDescriptor NoDerivative = Error(
        "SD0003",
        "No derivative known for a call",
        "'{0}' has no known derivative, so the gradient cannot flow through it; {1}, or compute its arguments from [NoDiff] inputs only");

    public static readonly DiagnosticDescriptor WriteToNonLocal = Error(
        "SD0004",
        "Write to something other than a local variable",
        "Writing to {0} '{1}' is not supported in a [Differentiable] method, because the generated gradient replays the body and the write would happen again; assign to a local variable and return the value instead");

    public static readonly DiagnosticDescriptor ByReferenceParameter = Error(
        "SD0005",
        "Parameter passed by reference",
        "Parameter '{0}' is passed by reference ('{1}'); parameters of a [Differentiable] method must be passed by value. Remove '{1}' and return the value instead.");

    public static readonly DiagnosticDescriptor MethodNotStatic = Error(
        "SD0006",
        "Differentiable method is not static",
        "[Differentiable] method '{0}' must be static; add the 'static' modifier");

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "SD0007",
        "Containing type is not partial",
        "Type '{0}' must be partial so that SymDiff can add the gradient of '{1}' to it; add the 'partial' modifier");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "SD0008",
        "Unsupported return type",
        "[Differentiable] method '{0}' returns '{1}'; it must return double, float or a tensor (DTensor<float>, DTensor<double>)");

    public static readonly DiagnosticDescriptor Recursion = Error(
        "SD0009",
        "Recursive differentiable method",
        "'{0}' calls itself{1}; recursion is not supported in a [Differentiable] method. Rewrite it without the recursive call (a loop, for example).");

    public static readonly DiagnosticDescriptor GenericMethod = Error(
        "SD0010",
        "Generic differentiable method",
        "[Differentiable] method '{0}' is generic; write one non-generic method per element type (double or float)");

    public static readonly DiagnosticDescriptor GeneratedNameTaken = Error(
        "SD0011",
        "Generated member name already taken",
        "'{0}' already declares a member named '{1}', which SymDiff generates for '{2}'; rename the existing member");

    public static readonly DiagnosticDescriptor MissingBody = Error(
        "SD0012",
        "Differentiable method has no body",
        "[Differentiable] method '{0}' has no body to differentiate");

    public static readonly DiagnosticDescriptor RuleTargetMissing = Error(
        "SD0013",
        "Derivative rule names no function",
        "[PullbackOf] on '{0}' names '{1}', but '{2}' has no method of that name");

    public static readonly DiagnosticDescriptor RuleSignatureMismatch = Error(
        "SD0014",
        "Derivative rule signature does not fit its function",
        "Rule '{0}' does not fit '{1}': {2}. Its full form is 'static void {0}({3})', leaving out the inputs and 'result' it does not read.");

    public static readonly DiagnosticDescriptor DerivativeLost = Error(
        "SD0015",
        "Differentiated value leaves the differentiated computation",
        "{0} takes a differentiated value out of the differentiated computation ({1}), and what comes out is used to compute the result, so its derivative would be silently lost; {2}");

    public static readonly DiagnosticDescriptor InPlaceChange = Error(
        "SD0016",
        "Differentiated value changed in place",
        "'{0}' is called on the differentiated value '{1}' and may change it in place, which the gradient cannot follow (the reverse sweep reads the values the forward pass computed); compute a new value with DTensor ops instead");

    public static readonly DiagnosticDescriptor ZeroGradientFunction = Warning(
        "SD1001",
        "Gradient through a piecewise-constant function is zero",
        "'{0}' is piecewise constant, so the gradient through it is zero almost everywhere; if that is intended, compute it from [NoDiff] inputs or ignore this warning");

    public static readonly DiagnosticDescriptor LostThroughConversion = Warning(
        "SD1002",
        "Derivative lost through a conversion or comparison",
        "{0} turns a differentiated value into {1}, and that result is used in the computation of the result, so no derivative flows back through it; if a step function is intended, compute it from [NoDiff] inputs, otherwise keep the value in double or float");

    public static readonly DiagnosticDescriptor ParameterDoesNotAffectResult = Warning(
        "SD1003",
        "Differentiable parameter does not affect the result",
        "'{0}' never affects what '{1}' returns through differentiable operations, so its derivative is always zero; mark it [NoDiff] if that is intended");

    public static readonly DiagnosticDescriptor UnusedNoDiffParameter = Warning(
        "SD1004",
        "[NoDiff] parameter is never read",
        "[NoDiff] parameter '{0}' of '{1}' is never read; remove it, or move [NoDiff] to the parameter you meant");

    public static readonly DiagnosticDescriptor NoDiffArgument = Warning(
        "SD1005",
        "Differentiated value passed to a [NoDiff] parameter",
        "'{0}' is [NoDiff] in '{1}', so no derivative flows back through this argument (a stop-gradient); if that is intended, suppress SD1005 here, otherwise remove [NoDiff] from '{0}'");

    public static readonly DiagnosticDescriptor PushforwardRuleMismatch = Error(
        "SD0017",
        "Pushforward rule does not fit its function",
        "[PushforwardOf] rule '{0}' does not fit '{1}': {2}. Its full form is '{3}', leaving out the inputs and 'result' it does not read.");

    public static readonly DiagnosticDescriptor NoPushforward = Info(
        "SD2001",
        "No pushforward for this method",
        "'{0}' gets no {0}Pushforward (forward mode) and no {0}HessianVectorProduct: forward mode does not cover {1} yet; its gradient and pullback are generated as usual");

    public static readonly DiagnosticDescriptor PullbackTangentRuleMismatch = Error(
        "SD0019",
        "Pullback-tangent rule does not fit its function",
        "[PullbackTangentOf] rule '{0}' does not fit '{1}': {2}. Its full form is '{3}', leaving out what it does not read.");

    public static readonly DiagnosticDescriptor NoHessianVectorProduct = Info(
        "SD2002",
        "No Hessian-vector product for this method",
        "'{0}' gets no {0}HessianVectorProduct: {1}; its gradient, pullback and pushforward are generated as usual");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "SD9999",
        "SymDiff internal error",
        "SymDiff could not generate the gradient of '{0}' because of an internal error: {1}. Please report it with this method's source.");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = Index(
        UnsupportedStatement,
        UnsupportedExpression,
        NoDerivative,
        WriteToNonLocal,
        ByReferenceParameter,
        MethodNotStatic,
        TypeNotPartial,
        UnsupportedReturnType,
        Recursion,
        GenericMethod,
        GeneratedNameTaken,
        MissingBody,
        RuleTargetMissing,
        RuleSignatureMismatch,
        DerivativeLost,
        InPlaceChange,
        ZeroGradientFunction,
        LostThroughConversion,
        ParameterDoesNotAffectResult,
        UnusedNoDiffParameter,
        NoDiffArgument,
        PushforwardRuleMismatch,
        NoPushforward,
        PullbackTangentRuleMismatch,
        NoHessianVectorProduct,
        InternalError);

    public static DiagnosticDescriptor Get(string id) => ById[id];

    /// <summary>The diagnostics catalogue; each ID has an anchor of its own (<c>#sd0001</c>).</summary>
    public const string HelpBase = "https://github.com/symdiff/symdiff/blob/main/docs/diagnostics.md#";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Info(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static Dictionary<string, DiagnosticDescriptor> Index(params DiagnosticDescriptor[] descriptors)
    {
        var map = new Dictionary<string, DiagnosticDescriptor>();
        foreach (var descriptor in descriptors)
        {
            map.Add(descriptor.Id, descriptor);
        }

        return map;
    }
}
