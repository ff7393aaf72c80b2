using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generator.Lowering;

/// <summary>What a fitting pushforward rule reads: per input of the function, and the result.</summary>
internal sealed record PushforwardShape(bool[] Reads, bool ReadsResult, bool Saved = false);

/// <summary>
/// Finds and checks <c>[PushforwardOf]</c> rules (forward mode), which live where <c>[PullbackOf]</c> rules do. For
/// <c>R F(P1 x, P2 y)</c>: <c>FPushforward(inputs it reads..., [result], dx, dy, [dResult])</c>: tangents
/// <c>DTensor&lt;T&gt;?</c> or <c>T</c> per differentiable input; a tensor result's tangent is written into a last
/// <c>DTensor&lt;T&gt; dResult</c> (the rule returns void), a scalar result's tangent is returned.
/// </summary>
internal static class PushforwardRules
{
    public const string AttributeName = "SymDiff.PushforwardOfAttribute";

    /// <summary>The pushforward rule of <paramref name="function"/> (constructed like it) and what it reads, or null.</summary>
    public static (IMethodSymbol Rule, PushforwardShape Shape)? Find(IMethodSymbol function, INamedTypeSymbol callerType, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return null;
        }

        foreach (var type in DerivativeRules.RuleTypes(function, callerType))
        {
            foreach (var (rule, data) in DerivativeRules.RulesIn(type, attribute))
            {
                // A rule reading the state a saving overload keeps (as its pullback may) fits, but generated
                // pushforwards call the plain function: they use the rule that reads only inputs and result.
                if (DerivativeRules.Targets(data, rule, function) && Fits(function, rule, out var constructed, out var shape) is null && !shape.Saved)
                {
                    return (constructed, shape);
                }
            }
        }

        return null;
    }

    /// <summary>Null if <paramref name="rule"/> fits <paramref name="function"/> as its pushforward, else why not.</summary>
    public static string? Fits(IMethodSymbol function, IMethodSymbol rule, out IMethodSymbol constructed, out PushforwardShape shape)
    {
        var inputs = function.Parameters;
        var reads = new bool[inputs.Length];
        shape = new PushforwardShape(reads, false);
        if (DerivativeRules.ConstructLike(function, rule, out constructed) is { } arity)
        {
            return arity;
        }

        var resultKind = DerivativeRules.KindOf(function.ReturnType);
        if (resultKind == GradientKind.None)
        {
            return $"the function returns '{function.ReturnType.ToDisplayString()}', not a tensor, float or double";
        }

        if (resultKind == GradientKind.Tensor ? !constructed.ReturnsVoid : !DerivativeRules.Same(constructed.ReturnType, function.ReturnType))
        {
            return resultKind == GradientKind.Tensor
                ? "it must return void (it writes the result's tangent into 'dResult')"
                : $"it must return '{function.ReturnType.ToDisplayString()}', the result's tangent";
        }

        var actual = constructed.Parameters;
        var next = 0;
        if (DerivativeRules.ReadInputsAndSaved(function, actual, ref next, reads, out var saved) is { } misfit)
        {
            return misfit;
        }

        var readsResult = false;
        if (next < actual.Length && actual[next].Name == "result")
        {
            if (!DerivativeRules.Same(actual[next].Type, function.ReturnType) || actual[next].RefKind != RefKind.None)
            {
                return $"parameter 'result' must be '{function.ReturnType.ToDisplayString()}' (what '{function.Name}' returned)";
            }

            readsResult = true;
            next++;
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            var kind = DerivativeRules.KindOf(inputs[i].Type);
            if (kind == GradientKind.None)
            {
                continue;
            }

            if (next >= actual.Length || !DerivativeRules.IsGradientName(actual[next].Name, inputs[i].Name)
                || !DerivativeRules.Same(actual[next].Type, inputs[i].Type) || actual[next].RefKind != RefKind.None)
            {
                var type = inputs[i].Type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString() + (kind == GradientKind.Tensor ? "?" : string.Empty);
                return $"it needs the tangent of '{inputs[i].Name}' here: '{type} d{inputs[i].Name}'";
            }

            next++;
        }

        if (resultKind == GradientKind.Tensor)
        {
            if (next >= actual.Length || actual[next].Name != "dResult" || !DerivativeRules.Same(actual[next].Type, function.ReturnType) || actual[next].RefKind != RefKind.None)
            {
                return $"its last parameter must be '{function.ReturnType.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString()} dResult', which it overwrites with the result's tangent";
            }

            next++;
        }

        if (next < actual.Length)
        {
            return $"parameter '{actual[next].Name}' is none of the inputs of '{function.Name}', 'result', a tangent or 'dResult'";
        }

        shape = new PushforwardShape(reads, readsResult, saved);
        return null;
    }

    /// <summary>The signature a pushforward rule of <paramref name="function"/> could have, for messages.</summary>
    public static string Suggest(IMethodSymbol function)
    {
        var parameters = function.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + " " + p.Name)
            .Concat(function.Parameters.Where(p => DerivativeRules.KindOf(p.Type) != GradientKind.None)
                .Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + (DerivativeRules.KindOf(p.Type) == GradientKind.Tensor ? "?" : string.Empty) + " d" + p.Name))
            .ToList();
        var tensor = DerivativeRules.KindOf(function.ReturnType) == GradientKind.Tensor;
        var returnType = function.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        if (tensor)
        {
            parameters.Add(returnType + " dResult");
        }

        return "[PushforwardOf(typeof(" + function.ContainingType.Name + "), nameof(" + function.ContainingType.Name + "." + function.Name + "))] static "
            + (tensor ? "void" : returnType) + " " + function.Name + "Pushforward(" + string.Join(", ", parameters) + ")";
    }
}
