using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Finds and checks <c>[PullbackOf]</c> rules. Every pullback, a rule or a generated one, takes its parameters in one
/// order: for <c>R F(P1 x, P2 y)</c>, <c>void FPullback(x, y, [saved], [result], dResult, dx, dy)</c>. A rule lists only
/// the inputs it reads (by their names in <c>F</c>, in order) and <c>result</c> only if it reads it, so generated code
/// keeps and passes nothing else; <c>dResult</c> and one gradient per differentiable input (<c>d</c> + the input's
/// name: <c>DTensor&lt;T&gt;?</c> for a tensor, <c>ref T</c> for a scalar) are always there. Rules live in the
/// function's type, in the calling <c>[Differentiable]</c> method's type, or in a type that the function's type names
/// with <c>[DerivativeRules(typeof(...))]</c>.
/// </summary>
internal static class DerivativeRules
{
    public const string AttributeName = "SymDiff.PullbackOfAttribute";

    public const string RulesTypeAttributeName = "SymDiff.DerivativeRulesAttribute";

    /// <summary>What a parameter or result is to a rule: a tensor, a scalar (float, double, or the element type T), or neither.</summary>
    public static GradientKind KindOf(ITypeSymbol type)
    {
        if (IsTensor(type)
            && (((INamedTypeSymbol)type).TypeArguments[0].SpecialType is SpecialType.System_Single or SpecialType.System_Double
                || ((INamedTypeSymbol)type).TypeArguments[0] is ITypeParameterSymbol))
        {
            return GradientKind.Tensor;
        }

        return type.SpecialType is SpecialType.System_Single or SpecialType.System_Double || type is ITypeParameterSymbol
            ? GradientKind.Scalar
            : GradientKind.None;
    }

    /// <summary>Whether <paramref name="type"/> is SymDiff's <c>DTensor&lt;T&gt;</c>.</summary>
    public static bool IsTensor(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "DTensor", Arity: 1, ContainingNamespace: { Name: "SymDiff", ContainingNamespace.IsGlobalNamespace: true } };

    /// <summary>The rule for <paramref name="function"/> (constructed like it) and what it reads, or null.</summary>
    public static (IMethodSymbol Rule, RuleShape Shape)? Find(IMethodSymbol function, INamedTypeSymbol callerType, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return null;
        }

        // A rule that takes saved state wins when the function can save it: its pullback does less work.
        (IMethodSymbol, RuleShape)? plain = null;
        foreach (var type in RuleTypes(function, callerType))
        {
            foreach (var rule in RulesIn(type, attribute))
            {
                if (Targets(rule.Attribute, rule.Method, function) && Fits(function, rule.Method, out var constructed, out var shape) is null)
                {
                    if (shape.Saved)
                    {
                        return (constructed, shape);
                    }

                    plain ??= (constructed, shape);
                }
            }
        }

        return plain;
    }

    /// <summary>Where rules for <paramref name="function"/> may live, in lookup order.</summary>
    public static IEnumerable<INamedTypeSymbol> RuleTypes(IMethodSymbol function, INamedTypeSymbol callerType)
    {
        var own = function.ContainingType;
        yield return own;
        if (!SymbolEqualityComparer.Default.Equals(callerType.OriginalDefinition, own.OriginalDefinition))
        {
            yield return callerType;
        }

        foreach (var attribute in own.OriginalDefinition.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "DerivativeRulesAttribute", ContainingNamespace: { Name: "SymDiff", ContainingNamespace.IsGlobalNamespace: true } }
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is INamedTypeSymbol rules)
            {
                yield return rules;
            }
        }
    }

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

    public static bool Targets(AttributeData attribute, IMethodSymbol rule, IMethodSymbol function)
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
    /// Null if <paramref name="rule"/> fits <paramref name="function"/>, else why not (a sentence fragment naming the
    /// parameter at fault); <paramref name="shape"/> says what a fitting rule reads.
    /// </summary>
    public static string? Fits(IMethodSymbol function, IMethodSymbol rule, out IMethodSymbol constructed, out RuleShape shape)
    {
        constructed = rule;
        var inputs = function.Parameters;
        var reads = new bool[inputs.Length];
        var passThrough = new bool[inputs.Length];
        var shapes = new string[inputs.Length];
        shape = new RuleShape(reads, false, false, passThrough, shapes);
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

        if (KindOf(function.ReturnType) == GradientKind.None)
        {
            return $"the function returns '{function.ReturnType.ToDisplayString()}', not a tensor, float or double";
        }

        var actual = constructed.Parameters;
        var next = 0;

        // The inputs it reads, named as in the function, in the function's order.
        var nextInput = 0;
        while (next < actual.Length && IndexOfInput(function, actual[next].Name) is var input && input >= 0)
        {
            if (input < nextInput)
            {
                return $"parameter '{actual[next].Name}' comes after '{inputs[nextInput - 1].Name}', but the inputs it reads must keep the function's order";
            }

            if (!Same(actual[next].Type, inputs[input].Type) || actual[next].RefKind != RefKind.None)
            {
                return $"parameter '{actual[next].Name}' must be '{inputs[input].Type.ToDisplayString()}' (the input '{inputs[input].Name}')";
            }

            reads[input] = true;
            nextInput = input + 1;
            next++;
        }

        var saved = false;
        if (next < actual.Length && actual[next].Name == "saved")
        {
            if (KindOf(function.ReturnType) != GradientKind.Scalar || KindOf(actual[next].Type) != GradientKind.Tensor || actual[next].RefKind != RefKind.None)
            {
                return "parameter 'saved' is the state a scalar-valued function saves: a tensor, passed by value";
            }

            if (FindSavedForm(function) is null)
            {
                return $"it takes saved state ('saved') but '{function.Name}' has no overload with a trailing 'ref {actual[next].Type.ToDisplayString()}? saved' to fill it";
            }

            saved = true;
            next++;
        }

        var readsResult = false;
        if (next < actual.Length && actual[next].Name == "result")
        {
            if (!Same(actual[next].Type, function.ReturnType) || actual[next].RefKind != RefKind.None)
            {
                return $"parameter 'result' must be '{function.ReturnType.ToDisplayString()}' (what '{function.Name}' returned)";
            }

            readsResult = true;
            next++;
        }

        if (next >= actual.Length || actual[next].Name != "dResult")
        {
            var found = next < actual.Length ? $"'{actual[next].Name}'" : "nothing";
            return $"after the inputs it reads (named as in '{function.Name}'), 'saved' and 'result', it needs 'dResult', the gradient of the result, but has {found}";
        }

        if (!Same(actual[next].Type, function.ReturnType) || actual[next].RefKind != RefKind.None)
        {
            return $"parameter 'dResult' must be '{function.ReturnType.ToDisplayString()}' (the gradient of the result)";
        }

        next++;
        for (var i = 0; i < inputs.Length; i++)
        {
            var kind = KindOf(inputs[i].Type);
            if (kind == GradientKind.None)
            {
                continue;
            }

            var expected = GradientText(inputs[i]);
            if (next >= actual.Length)
            {
                return $"it has no gradient for the input '{inputs[i].Name}' (add '{expected}')";
            }

            var parameter = actual[next];
            if (!IsGradientName(parameter.Name, inputs[i].Name))
            {
                return $"parameter '{parameter.Name}' stands where the gradient of '{inputs[i].Name}' goes: '{expected}'";
            }

            var refKind = kind == GradientKind.Tensor ? RefKind.None : RefKind.Ref;
            if (!Same(parameter.Type, inputs[i].Type) || parameter.RefKind != refKind)
            {
                return $"parameter '{parameter.Name}' must be '{expected}' (the gradient of '{inputs[i].Name}')";
            }

            passThrough[i] = kind == GradientKind.Tensor && HasAttribute(parameter, "PassThroughAttribute");
            shapes[i] = string.Empty;
            if (parameter.GetAttributes().FirstOrDefault(a => IsSymDiffAttribute(a, "SameShapeAsAttribute")) is { } sameShape)
            {
                var other = sameShape.ConstructorArguments.Length == 1 ? sameShape.ConstructorArguments[0].Value as string : null;
                var source = actual.Take(next).FirstOrDefault(p => p.Name == other);
                if (kind != GradientKind.Tensor || source is null || KindOf(source.Type) != GradientKind.Tensor)
                {
                    return $"[SameShapeAs] on '{parameter.Name}' must name a tensor parameter before it ('dResult', 'saved', 'result' or an input), not '{other}'";
                }

                shapes[i] = source.Name;
            }

            next++;
        }

        if (next < actual.Length)
        {
            return $"parameter '{actual[next].Name}' is none of the inputs of '{function.Name}', 'saved', 'result', 'dResult' or a gradient";
        }

        shape = new RuleShape(reads, saved, readsResult, passThrough, shapes);
        return null;
    }

    /// <summary>A generic rule constructed with the function's type arguments; null, or why it cannot be.</summary>
    public static string? ConstructLike(IMethodSymbol function, IMethodSymbol rule, out IMethodSymbol constructed)
    {
        constructed = rule;
        if (rule.Arity != function.Arity)
        {
            return $"it has {rule.Arity} type parameters but the function has {function.Arity}";
        }

        if (rule.Arity > 0)
        {
            var arguments = function.IsDefinition ? function.TypeParameters.Cast<ITypeSymbol>() : function.TypeArguments;
            constructed = rule.OriginalDefinition.Construct(arguments.ToArray());
        }

        return null;
    }

    /// <summary>
    /// The leading parameters of a forward-mode rule (a pushforward or a pullback tangent): the inputs it reads, named and
    /// ordered as in the function (marked in <paramref name="reads"/>), then optionally <c>saved</c>. Null, or why not.
    /// </summary>
    public static string? ReadInputsAndSaved(IMethodSymbol function, IReadOnlyList<IParameterSymbol> actual, ref int next, bool[] reads, out bool saved)
    {
        saved = false;
        var inputs = function.Parameters;
        var nextInput = 0;
        while (next < actual.Count && IndexOfInput(function, actual[next].Name) is var input && input >= 0)
        {
            if (input < nextInput || !Same(actual[next].Type, inputs[input].Type) || actual[next].RefKind != RefKind.None)
            {
                return $"parameter '{actual[next].Name}' must be '{inputs[input].Type.ToDisplayString()}' (the input '{inputs[input].Name}'), in the function's order";
            }

            reads[input] = true;
            nextInput = input + 1;
            next++;
        }

        if (next < actual.Count && actual[next].Name == "saved")
        {
            if (KindOf(function.ReturnType) != GradientKind.Scalar || KindOf(actual[next].Type) != GradientKind.Tensor || FindSavedForm(function) is null)
            {
                return "parameter 'saved' is the state a scalar-valued function's saving overload keeps: a tensor";
            }

            saved = true;
            next++;
        }

        return null;
    }

    private static bool HasAttribute(IParameterSymbol parameter, string name) =>
        parameter.GetAttributes().Any(a => IsSymDiffAttribute(a, name));

    private static bool IsSymDiffAttribute(AttributeData attribute, string name) =>
        attribute.AttributeClass is { ContainingNamespace: { Name: "SymDiff", ContainingNamespace.IsGlobalNamespace: true } } type && type.Name == name;

    /// <summary>A rule's gradient parameter for <paramref name="input"/> is named <c>d</c> + its name (<c>dx</c> or <c>dX</c>).</summary>
    public static bool IsGradientName(string name, string input) =>
        name == "d" + input || (input.Length > 0 && name == "d" + char.ToUpperInvariant(input[0]) + input.Substring(1));

    public static int IndexOfInput(IMethodSymbol function, string name)
    {
        for (var i = 0; i < function.Parameters.Length; i++)
        {
            if (function.Parameters[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Types compare by symbol, nullable annotations aside (a gradient is <c>DTensor&lt;T&gt;?</c>).</summary>
    public static bool Same(ITypeSymbol a, ITypeSymbol b) =>
        SymbolEqualityComparer.Default.Equals(a.WithNullableAnnotation(NullableAnnotation.None), b.WithNullableAnnotation(NullableAnnotation.None));

    private static string GradientText(IParameterSymbol input) =>
        KindOf(input.Type) == GradientKind.Tensor
            ? input.Type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString() + "? d" + input.Name
            : "ref " + input.Type.ToDisplayString() + " d" + input.Name;

    /// <summary>The full parameter list of a rule for <paramref name="function"/>, as C# text, for messages.</summary>
    public static string FullForm(IMethodSymbol function)
    {
        var parts = function.Parameters.Select(p => p.Type.ToDisplayString() + " " + p.Name).ToList();
        parts.Add(function.ReturnType.ToDisplayString() + " result");
        parts.Add(function.ReturnType.ToDisplayString() + " dResult");
        parts.AddRange(function.Parameters.Where(p => KindOf(p.Type) != GradientKind.None).Select(GradientText));
        return string.Join(", ", parts);
    }

    /// <summary>
    /// The state-saving overload of a scalar-valued function (a trailing <c>ref DTensor&lt;T&gt;? saved</c>), or null.
    /// </summary>
    public static IMethodSymbol? FindSavedForm(IMethodSymbol function)
    {
        if (KindOf(function.ReturnType) != GradientKind.Scalar)
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
            bool SameType(ITypeSymbol a, ITypeSymbol b) =>
                function.IsDefinition ? a.ToDisplayString() == b.ToDisplayString() : SymbolEqualityComparer.Default.Equals(a, b);
            var sameInputs = constructed.Parameters.Take(function.Parameters.Length)
                .Zip(function.Parameters, (a, b) => a.RefKind == b.RefKind && SameType(a.Type, b.Type))
                .All(x => x);
            if (last.RefKind == RefKind.Ref && KindOf(last.Type) == GradientKind.Tensor && sameInputs && SameType(constructed.ReturnType, function.ReturnType))
            {
                return constructed;
            }
        }

        return null;
    }

    /// <summary>The destination-passing overload of a tensor function (trailing <c>ref DTensor&lt;T&gt;? destination</c>), or null.</summary>
    public static IMethodSymbol? FindDestination(IMethodSymbol function)
    {
        if (KindOf(function.ReturnType) != GradientKind.Tensor)
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

/// <summary>What kind of gradient a rule takes for an input.</summary>
internal enum GradientKind
{
    None,
    Scalar,
    Tensor,
}

/// <summary>What a fitting rule reads and how it treats each input's gradient.</summary>
/// <param name="Reads">Per input of the function: whether the rule takes it.</param>
/// <param name="Saved">Whether it takes the state the function saved.</param>
/// <param name="ReadsResult">Whether it takes the function's result.</param>
/// <param name="PassThrough">Per input: whether its gradient receives exactly dResult (<c>[PassThrough]</c>).</param>
/// <param name="GradientShapes">
/// Per input: the rule parameter whose tensor has the shape of that input's gradient (<c>[SameShapeAs]</c>), or "".
/// </param>
internal sealed record RuleShape(bool[] Reads, bool Saved, bool ReadsResult, bool[] PassThrough, string[] GradientShapes);
