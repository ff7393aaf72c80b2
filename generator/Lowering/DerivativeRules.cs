using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Finds and checks <c>[DerivativeOf]</c> rules. For a function <c>R F(P1 p1, ..., Pn pn)</c> a rule is
/// <c>void Rule(P1 p1, ..., Pn pn, R result, R dResult, adjoints...)</c> with one adjoint per differentiable input, in
/// order: <c>Tensor&lt;T&gt;?</c> for a tensor input, <c>ref float</c>/<c>ref double</c> for a scalar input. Rules live in
/// the function's type, or in the calling <c>[Differentiable]</c> method's type with <c>[DerivativeOf(typeof(F's type), ...)]</c>.
/// </summary>
internal static class DerivativeRules
{
    public const string AttributeName = "SymDiff.DerivativeOfAttribute";

    /// <summary>What a parameter or result is to a rule: a tensor, a scalar (float, double, or the element type T), or neither.</summary>
    public static AdjointKind KindOf(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { Name: "Tensor", Arity: 1, ContainingNamespace: { Name: "SymDiff", ContainingNamespace.IsGlobalNamespace: true } } tensor
            && (tensor.TypeArguments[0].SpecialType is SpecialType.System_Single or SpecialType.System_Double || tensor.TypeArguments[0] is ITypeParameterSymbol))
        {
            return AdjointKind.Tensor;
        }

        return type.SpecialType is SpecialType.System_Single or SpecialType.System_Double || type is ITypeParameterSymbol
            ? AdjointKind.Scalar
            : AdjointKind.None;
    }

    /// <summary>The rule for <paramref name="function"/> (constructed like it), or null.</summary>
    public static IMethodSymbol? Find(IMethodSymbol function, INamedTypeSymbol callerType, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return null;
        }

        var types = new List<INamedTypeSymbol> { function.ContainingType };
        if (!SymbolEqualityComparer.Default.Equals(callerType.OriginalDefinition, function.ContainingType.OriginalDefinition))
        {
            types.Add(callerType);
        }

        // A rule that takes saved state wins when the function can save it: its backward pass does less work.
        IMethodSymbol? plain = null;
        foreach (var type in types)
        {
            foreach (var rule in RulesIn(type, attribute))
            {
                if (Targets(rule.Attribute, rule.Method, function) && Fits(function, rule.Method, out var constructed, out var saved) is null)
                {
                    if (saved)
                    {
                        return constructed;
                    }

                    plain ??= constructed;
                }
            }
        }

        return plain;
    }

    /// <summary>
    /// Per input of <paramref name="function"/>: whether the rule's adjoint parameter for it is marked
    /// <c>[PassThrough]</c> (it receives exactly dResult).
    /// </summary>
    public static bool[] PassThroughInputs(IMethodSymbol function, IMethodSymbol rule)
    {
        var result = new bool[function.Parameters.Length];
        var next = function.Parameters.Length + 2 + (TakesSavedState(function, rule) ? 1 : 0);
        for (var i = 0; i < function.Parameters.Length && next < rule.Parameters.Length; i++)
        {
            if (KindOf(function.Parameters[i].Type) == AdjointKind.None)
            {
                continue;
            }

            result[i] = KindOf(function.Parameters[i].Type) == AdjointKind.Tensor
                && rule.Parameters[next].GetAttributes().Any(a => a.AttributeClass is { Name: "PassThroughAttribute", ContainingNamespace.Name: "SymDiff" });
            next++;
        }

        return result;
    }

    /// <summary>Whether a (fitting) rule takes saved state after the inputs.</summary>
    public static bool TakesSavedState(IMethodSymbol function, IMethodSymbol rule) =>
        Fits(function, rule, out _, out var saved) is null && saved;

    /// <summary>The methods of <paramref name="type"/> carrying the attribute, with each attribute instance.</summary>
    public static IEnumerable<(IMethodSymbol Method, AttributeData Attribute)> RulesIn(INamedTypeSymbol type, INamedTypeSymbol attribute) =>
        type.GetMembers()
            .OfType<IMethodSymbol>()
            .SelectMany(m => m.GetAttributes()
                .Where(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute))
                .Select(a => (m, a)));

    /// <summary>The function a rule's attribute names: (declaring type, name).</summary>
    public static (INamedTypeSymbol? Type, string? Name) Target(AttributeData attribute, IMethodSymbol rule)
    {
        var arguments = attribute.ConstructorArguments;
        return arguments.Length switch
        {
            1 => (rule.ContainingType, arguments[0].Value as string),
            2 => (arguments[0].Value as INamedTypeSymbol, arguments[1].Value as string),
            _ => (null, null),
        };
    }

    private static bool Targets(AttributeData attribute, IMethodSymbol rule, IMethodSymbol function)
    {
        var (type, name) = Target(attribute, rule);
        return name == function.Name
            && type is not null
            && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, function.ContainingType.OriginalDefinition);
    }

    /// <summary>Null if <paramref name="rule"/> fits <paramref name="function"/>, else why not.</summary>
    public static string? Fits(IMethodSymbol function, IMethodSymbol rule, out IMethodSymbol constructed) =>
        Fits(function, rule, out constructed, out _);

    /// <summary>
    /// Null if <paramref name="rule"/> fits <paramref name="function"/>, else why not; <paramref name="saved"/> tells
    /// whether it is the variant that takes saved state (a tensor right after the inputs).
    /// </summary>
    public static string? Fits(IMethodSymbol function, IMethodSymbol rule, out IMethodSymbol constructed, out bool saved)
    {
        constructed = rule;
        saved = false;
        if (rule.Arity != function.Arity)
        {
            return $"it has {rule.Arity} type parameters but the function has {function.Arity}";
        }

        if (rule.Arity > 0)
        {
            var arguments = function.IsDefinition ? function.TypeParameters.Cast<ITypeSymbol>() : function.TypeArguments;
            constructed = rule.OriginalDefinition.Construct(arguments.ToArray());
        }

        if (!constructed.ReturnsVoid)
        {
            return "it must return void";
        }

        if (KindOf(function.ReturnType) == AdjointKind.None)
        {
            return $"the function returns '{function.ReturnType.ToDisplayString()}', not a tensor, float or double";
        }

        var expected = ExpectedParameters(function).ToList();
        var actual = constructed.Parameters;
        var inputs = function.Parameters.Length;
        if (actual.Length == expected.Count + 1 && KindOf(function.ReturnType) == AdjointKind.Scalar
            && KindOf(actual[inputs].Type) == AdjointKind.Tensor && actual[inputs].RefKind == RefKind.None)
        {
            if (FindSavedForm(function) is null)
            {
                return $"it takes saved state ('{actual[inputs].Name}') but '{function.Name}' has no overload with a trailing 'ref {actual[inputs].Type.ToDisplayString()}? saved' to fill it";
            }

            saved = true;
            expected.Insert(inputs, (actual[inputs].Type, RefKind.None, "the saved state"));
        }

        if (actual.Length != expected.Count)
        {
            return $"it has {actual.Length} parameters but needs {expected.Count}";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var (type, refKind, role) = expected[i];
            if (!SymbolEqualityComparer.Default.Equals(actual[i].Type, type) || actual[i].RefKind != refKind)
            {
                return $"parameter {i + 1} ('{actual[i].Name}') must be '{(refKind == RefKind.Ref ? "ref " : string.Empty)}{type.ToDisplayString()}' ({role})";
            }
        }

        return null;
    }

    /// <summary>The parameters a rule must have, with what each one is, for messages.</summary>
    public static IEnumerable<(ITypeSymbol Type, RefKind RefKind, string Role)> ExpectedParameters(IMethodSymbol function)
    {
        foreach (var parameter in function.Parameters)
        {
            yield return (parameter.Type, RefKind.None, "the input '" + parameter.Name + "'");
        }

        yield return (function.ReturnType, RefKind.None, "the result");
        yield return (function.ReturnType, RefKind.None, "the derivative of the result");
        foreach (var parameter in function.Parameters)
        {
            var kind = KindOf(parameter.Type);
            if (kind == AdjointKind.Tensor)
            {
                yield return (parameter.Type, RefKind.None, "the adjoint of '" + parameter.Name + "'");
            }
            else if (kind == AdjointKind.Scalar)
            {
                yield return (parameter.Type, RefKind.Ref, "the adjoint of '" + parameter.Name + "', by ref");
            }
        }
    }

    /// <summary>
    /// The state-saving overload of a scalar-valued function (a trailing <c>ref Tensor&lt;T&gt;? saved</c>), or null.
    /// </summary>
    public static IMethodSymbol? FindSavedForm(IMethodSymbol function)
    {
        if (KindOf(function.ReturnType) != AdjointKind.Scalar)
        {
            return null;
        }

        foreach (var candidate in function.ContainingType.GetMembers(function.Name).OfType<IMethodSymbol>())
        {
            if (candidate.Parameters.Length != function.Parameters.Length + 1 || candidate.Arity != function.Arity)
            {
                continue;
            }

            var constructed = candidate.Arity > 0 && !function.IsDefinition ? candidate.Construct(function.TypeArguments.ToArray()) : candidate;
            var last = constructed.Parameters[constructed.Parameters.Length - 1];
            // Unconstructed generic overloads have distinct type parameters: compare them by how they print.
            bool Same(ITypeSymbol a, ITypeSymbol b) =>
                function.IsDefinition ? a.ToDisplayString() == b.ToDisplayString() : SymbolEqualityComparer.Default.Equals(a, b);
            var sameInputs = constructed.Parameters.Take(function.Parameters.Length)
                .Zip(function.Parameters, (a, b) => a.RefKind == b.RefKind && Same(a.Type, b.Type))
                .All(x => x);
            if (last.RefKind == RefKind.Ref && KindOf(last.Type) == AdjointKind.Tensor && sameInputs && Same(constructed.ReturnType, function.ReturnType))
            {
                return constructed;
            }
        }

        return null;
    }

    /// <summary>The destination-passing overload of a tensor function (trailing <c>ref Tensor&lt;T&gt;? destination</c>), or null.</summary>
    public static IMethodSymbol? FindDestination(IMethodSymbol function)
    {
        if (KindOf(function.ReturnType) != AdjointKind.Tensor)
        {
            return null;
        }

        foreach (var candidate in function.ContainingType.GetMembers(function.Name).OfType<IMethodSymbol>())
        {
            if (candidate.Parameters.Length != function.Parameters.Length + 1 || candidate.Arity != function.Arity)
            {
                continue;
            }

            var constructed = candidate.Arity > 0 && !function.IsDefinition ? candidate.Construct(function.TypeArguments.ToArray()) : candidate;
            var last = constructed.Parameters[constructed.Parameters.Length - 1];
            if (last.RefKind == RefKind.Ref
                && SymbolEqualityComparer.Default.Equals(last.Type, function.ReturnType)
                && constructed.Parameters.Take(function.Parameters.Length)
                    .Zip(function.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type) && a.RefKind == b.RefKind)
                    .All(x => x))
            {
                return constructed;
            }
        }

        return null;
    }
}

/// <summary>What kind of adjoint a rule takes for an input.</summary>
internal enum AdjointKind
{
    None,
    Scalar,
    Tensor,
}
