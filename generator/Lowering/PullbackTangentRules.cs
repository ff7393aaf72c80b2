using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generator.Lowering;

/// <summary>What a fitting pullback-tangent rule reads: per input, the input and its tangent; saved state, result, dResult and the result's tangent.</summary>
internal sealed record PullbackTangentShape(bool[] Reads, bool Saved, bool ReadsResult, bool ReadsDResult, bool[] Tangents, bool ReadsResultTangent);

/// <summary>
/// Finds and checks <c>[PullbackTangentOf]</c> rules (second order), which live where <c>[PullbackOf]</c> rules do. For
/// <c>R F(P1 x, P2 y)</c>: <c>FPullbackTangent(inputs it reads..., [saved], [result], [dResult], [vx], [vy], [vresult],
/// vdResult, vdx, vdy)</c>: the tangents of what the pullback reads (<c>v</c> + name), then the tangents of its
/// outputs, added into (<c>vd</c> + the input's name: <c>DTensor&lt;T&gt;?</c> or <c>ref T</c>).
/// </summary>
internal static class PullbackTangentRules
{
    public const string AttributeName = "SymDiff.PullbackTangentOfAttribute";

    /// <summary>
    /// The pullback-tangent rule of <paramref name="function"/> (constructed like it), or null. A rule reading saved state
    /// fits only when the pullback reads it too (<paramref name="savedForm"/>): then the forward sweep keeps that state.
    /// </summary>
    public static (IMethodSymbol Rule, PullbackTangentShape Shape)? Find(IMethodSymbol function, INamedTypeSymbol callerType, INamedTypeSymbol? attribute, bool savedForm)
    {
        if (attribute is null)
        {
            return null;
        }

        (IMethodSymbol, PullbackTangentShape)? plain = null;
        foreach (var type in DerivativeRules.RuleTypes(function, callerType))
        {
            foreach (var (rule, data) in DerivativeRules.RulesIn(type, attribute))
            {
                if (DerivativeRules.Targets(data, rule, function) && Fits(function, rule, out var constructed, out var shape) is null)
                {
                    if (shape.Saved && savedForm)
                    {
                        return (constructed, shape);
                    }

                    if (!shape.Saved)
                    {
                        plain ??= (constructed, shape);
                    }
                }
            }
        }

        return plain;
    }

    /// <summary>
    /// Whether a pullback is linear in dResult with coefficients that do not change along any direction: it reads no
    /// differentiable input, no result and no saved state. Its tangent is then itself applied to dResult's tangent.
    /// </summary>
    public static bool IsLinear(IMethodSymbol function, RuleShape pullback) =>
        !pullback.Saved && !pullback.ReadsResult
        && !function.Parameters.Where((p, i) => pullback.Reads[i] && DerivativeRules.KindOf(p.Type) != GradientKind.None).Any();

    /// <summary>Null if <paramref name="rule"/> fits <paramref name="function"/> as its pullback tangent, else why not.</summary>
    public static string? Fits(IMethodSymbol function, IMethodSymbol rule, out IMethodSymbol constructed, out PullbackTangentShape shape)
    {
        var inputs = function.Parameters;
        var reads = new bool[inputs.Length];
        var tangents = new bool[inputs.Length];
        shape = new PullbackTangentShape(reads, false, false, false, tangents, false);
        if (DerivativeRules.ConstructLike(function, rule, out constructed) is { } arity)
        {
            return arity;
        }

        if (!constructed.ReturnsVoid)
        {
            return "it must return void (it adds into the 'vd' outputs)";
        }

        var resultKind = DerivativeRules.KindOf(function.ReturnType);
        if (resultKind == GradientKind.None)
        {
            return $"the function returns '{function.ReturnType.ToDisplayString()}', not a tensor, float or double";
        }

        var actual = constructed.Parameters;
        var next = 0;
        if (DerivativeRules.ReadInputsAndSaved(function, actual, ref next, reads, out var saved) is { } misfit)
        {
            return misfit;
        }

        var readsResult = Optional(actual, ref next, "result", function.ReturnType);
        var readsDResult = Optional(actual, ref next, "dResult", function.ReturnType);
        var lastTangent = -1;
        while (next < actual.Length && TangentInput(function, actual[next].Name, "v") is var tangentOf && tangentOf >= 0)
        {
            if (tangentOf <= lastTangent || !DerivativeRules.Same(actual[next].Type, inputs[tangentOf].Type) || actual[next].RefKind != RefKind.None)
            {
                return $"parameter '{actual[next].Name}' must be '{TangentType(inputs[tangentOf])} {actual[next].Name}' (the tangent of '{inputs[tangentOf].Name}'), in the function's order";
            }

            tangents[tangentOf] = true;
            lastTangent = tangentOf;
            next++;
        }

        var readsResultTangent = Optional(actual, ref next, "vresult", function.ReturnType) || Optional(actual, ref next, "vResult", function.ReturnType);
        var returnType = function.ReturnType.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString();
        if (next >= actual.Length || actual[next].Name != "vdResult" || !DerivativeRules.Same(actual[next].Type, function.ReturnType) || actual[next].RefKind != RefKind.None)
        {
            var found = next < actual.Length ? $"'{actual[next].Name}'" : "nothing";
            return $"after the inputs, 'saved', 'result' and 'dResult' it reads and their tangents ('v' + the name), it needs '{returnType} vdResult', the tangent of dResult, but has {found}";
        }

        next++;
        for (var i = 0; i < inputs.Length; i++)
        {
            var kind = DerivativeRules.KindOf(inputs[i].Type);
            if (kind == GradientKind.None)
            {
                continue;
            }

            var expected = OutputText(inputs[i]);
            if (next >= actual.Length || TangentInput(function, actual[next].Name, "vd") != i)
            {
                return $"it needs the tangent of the gradient of '{inputs[i].Name}' here: '{expected}'";
            }

            var refKind = kind == GradientKind.Tensor ? RefKind.None : RefKind.Ref;
            if (!DerivativeRules.Same(actual[next].Type, inputs[i].Type) || actual[next].RefKind != refKind)
            {
                return $"parameter '{actual[next].Name}' must be '{expected}' (the tangent of the gradient of '{inputs[i].Name}', added into)";
            }

            next++;
        }

        if (next < actual.Length)
        {
            return $"parameter '{actual[next].Name}' is none of the inputs of '{function.Name}', 'saved', 'result', 'dResult', a tangent ('v' + a name) or an output ('vd' + an input's name)";
        }

        shape = new PullbackTangentShape(reads, saved, readsResult, readsDResult, tangents, readsResultTangent);
        return null;
    }

    /// <summary>The signature a pullback-tangent rule of <paramref name="function"/> could have, for messages.</summary>
    public static string Suggest(IMethodSymbol function)
    {
        var differentiable = function.Parameters.Where(p => DerivativeRules.KindOf(p.Type) != GradientKind.None).ToList();
        var result = function.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var parameters = function.Parameters.Select(p => Text(p.Type) + " " + p.Name)
            .Append(result + " result")
            .Append(result + " dResult")
            .Concat(differentiable.Select(p => TangentType(p) + " v" + p.Name))
            .Append(TangentType(function.ReturnType) + " vresult")
            .Append(result + " vdResult")
            .Concat(differentiable.Select(OutputText));
        return "[PullbackTangentOf(typeof(" + function.ContainingType.Name + "), nameof(" + function.ContainingType.Name + "." + function.Name + "))] static void "
            + function.Name + "PullbackTangent(" + string.Join(", ", parameters) + ")";
    }

    private static bool Optional(IReadOnlyList<IParameterSymbol> actual, ref int next, string name, ITypeSymbol type)
    {
        if (next < actual.Count && actual[next].Name == name && DerivativeRules.Same(actual[next].Type, type) && actual[next].RefKind == RefKind.None)
        {
            next++;
            return true;
        }

        return false;
    }

    /// <summary>The input <paramref name="name"/> is <paramref name="prefix"/> + the name of (<c>vx</c>, <c>vX</c>), or -1.</summary>
    private static int TangentInput(IMethodSymbol function, string name, string prefix)
    {
        for (var i = 0; i < function.Parameters.Length; i++)
        {
            var input = function.Parameters[i].Name;
            if (DerivativeRules.KindOf(function.Parameters[i].Type) != GradientKind.None
                && (name == prefix + input || (input.Length > 0 && name == prefix + char.ToUpperInvariant(input[0]) + input.Substring(1))))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Text(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    private static string TangentType(IParameterSymbol input) => TangentType(input.Type);

    private static string TangentType(ITypeSymbol type) =>
        Text(type.WithNullableAnnotation(NullableAnnotation.None)) + (DerivativeRules.KindOf(type) == GradientKind.Tensor ? "?" : string.Empty);

    private static string OutputText(IParameterSymbol input) =>
        DerivativeRules.KindOf(input.Type) == GradientKind.Tensor ? TangentType(input) + " vd" + input.Name : "ref " + Text(input.Type) + " vd" + input.Name;
}
