using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

internal sealed partial class BodyLowerer
{
    /// <summary>
    /// A call is one of: a Math/MathF function differentiated by its rule (<see cref="Intrinsics"/>); another [Differentiable]
    /// method (its pullback is called in the reverse sweep); or a passive call whose result does not depend on
    /// active values. Anything else that receives an active value and returns a float is an error.
    /// </summary>
    private IrExpr LowerInvocation(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            return InlineLocalFunction(invocation);
        }

        var receiver = invocation.Instance is null ? null : LowerValue(invocation.Instance);
        var arguments = LowerArguments(invocation.Arguments, method);
        if (arguments is null || arguments.Any(IsError) || IsError(receiver))
        {
            return Unsupported(invocation, null, null); // already reported
        }

        var anyActive = arguments.Any(IsActive) || IsActive(receiver);
        var returnType = _types.Map(method.ReturnType);
        var owner = MathOwner(method);

        if (owner is not null && Intrinsics.IsPiecewiseConstant(method.Name) && anyActive)
        {
            return Lossy(
                new IrCall(MathCallee(IrCalleeKind.Passive, owner, method), null, arguments.ToEquatableArray()),
                DiagnosticDescriptors.ZeroGradientFunction,
                invocation.Syntax.GetLocation(),
                owner.Name + "." + method.Name);
        }

        if (owner is not null && Intrinsics.IsDifferentiable(method.Name, method.Parameters.Length))
        {
            var kind = anyActive && returnType.IsDifferentiable ? IrCalleeKind.Intrinsic : IrCalleeKind.Passive;
            var call = new IrCall(MathCallee(kind, owner, method), null, AtomizeIf(kind == IrCalleeKind.Intrinsic, arguments, method).ToEquatableArray());
            return kind == IrCalleeKind.Intrinsic ? NewActive(call, returnType) : call;
        }

        if (IsDifferentiableMethod(method))
        {
            WarnAboutStoppedGradients(invocation, method, arguments);
            if (SymbolEqualityComparer.Default.Equals(method.OriginalDefinition, _method.OriginalDefinition))
            {
                Report(DiagnosticDescriptors.Recursion, invocation.Syntax.GetLocation(), _method.Name, string.Empty);
                return Unsupported(invocation, null, null);
            }

            if (CallsBack(method) is { } path)
            {
                Report(DiagnosticDescriptors.Recursion, invocation.Syntax.GetLocation(), _method.Name, " through " + path);
                return Unsupported(invocation, null, null);
            }

            if (anyActive && returnType.IsDifferentiable && TryInlineDifferentiable(invocation, arguments) is { } inlined)
            {
                return inlined;
            }

            if (anyActive && returnType.IsDifferentiable)
            {
                var secondOrderGap = _compilation is null ? "its declaration could not be read"
                    : ForwardModeSupport.SecondOrderCoverage(method, _compilation, _differentiableAttribute, _derivativeOfAttribute);
                var callee = new IrCallee(
                    IrCalleeKind.Differentiable,
                    MemberTarget(method, Escape(method.Name)),
                    method.Name,
                    string.Empty,
                    null, // its generated members are named after the target by Differentiation
                    method.Parameters.Select(IsDifferentiableCalleeParameter).ToEquatableArray(),
                    HasHessianVectorProduct: secondOrderGap is null,
                    HessianVectorProductGap: secondOrderGap,
                    BufferedValue: returnType.IsScalar);
                return NewActive(new IrCall(callee, null, AtomizeIf(true, arguments, method).ToEquatableArray()), returnType);
            }
        }
        else if (anyActive && returnType.IsDifferentiable && DerivativeRules.Find(method, _method.ContainingType, _derivativeOfAttribute) is var (rule, shape))
        {
            var callee = new IrCallee(
                IrCalleeKind.Rule,
                MemberTarget(method, Escape(method.Name) + TypeArgumentsIfNeeded(method)),
                method.Name,
                string.Empty,
                MemberTarget(rule, Escape(rule.Name) + TypeArgumentsIfNeeded(rule)),
                method.Parameters.Select(p => DerivativeRules.KindOf(p.Type) != GradientKind.None).ToEquatableArray(),
                DerivativeRules.FindDestination(method) is not null,
                shape.Saved ? _types.Map(rule.Parameters.First(p => p.Name == "saved").Type).Name : null,
                shape.PassThrough.ToEquatableArray(),
                shape.Reads.ToEquatableArray(),
                shape.ReadsResult,
                shape.GradientShapes.Select(s => InputIndex(method, s) is var index && index >= 0 ? "#" + index : s).ToEquatableArray());
            if (PushforwardRules.Find(method, _method.ContainingType, _compilation?.GetTypeByMetadataName(PushforwardRules.AttributeName)) is var (pushforward, reads))
            {
                callee = callee with
                {
                    Pushforward = MemberTarget(pushforward, Escape(pushforward.Name) + TypeArgumentsIfNeeded(pushforward)),
                    PushforwardReads = reads.Reads.ToEquatableArray(),
                    PushforwardReadsResult = reads.ReadsResult,
                };
            }

            callee = callee with { LinearPullback = PullbackTangentRules.IsLinear(method, shape) };
            if (PullbackTangentRules.Find(method, _method.ContainingType, _compilation?.GetTypeByMetadataName(PullbackTangentRules.AttributeName), shape.Saved) is var (tangentRule, tangentShape))
            {
                callee = callee with
                {
                    PullbackTangent = new IrPullbackTangent(
                        MemberTarget(tangentRule, Escape(tangentRule.Name) + TypeArgumentsIfNeeded(tangentRule)),
                        tangentShape.Reads.ToEquatableArray(),
                        tangentShape.Saved,
                        tangentShape.ReadsResult,
                        tangentShape.ReadsDResult,
                        tangentShape.Tangents.ToEquatableArray(),
                        tangentShape.ReadsResultTangent),
                };
            }

            return NewActive(new IrCall(callee, null, AtomizeIf(true, arguments, method).ToEquatableArray()), returnType);
        }
        else if (IsActive(receiver) && DerivativeRules.IsTensor(method.ContainingType) && method.ReturnsVoid)
        {
            Report(DiagnosticDescriptors.InPlaceChange, invocation.Syntax.GetLocation(), SourceText.Of(invocation.Syntax), SourceText.Of(invocation.Instance!.Syntax));
            return Unsupported(invocation, null, null);
        }
        else if (IsActive(receiver) && DerivativeRules.IsTensor(method.ContainingType) && !returnType.IsDifferentiable)
        {
            // Facts about a differentiated tensor (a length, a dimension) are not functions of its values; a copy of its
            // values (an array, text) is, and loses the derivative if it comes back into the computation.
            var facts = new IrCall(PassiveCallee(method), receiver, arguments.ToEquatableArray());
            return CarriesValues(method.ReturnType) ? LostDerivative(facts, invocation, "as '" + method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'", ReadInstead(method.ReturnType)) : facts;
        }
        else if (anyActive && (returnType.IsDifferentiable || !CanDropDerivative(method.ReturnType)))
        {
            return NoDerivative(invocation, method);
        }

        // Passive: evaluated as written, never differentiated (into a reused buffer when the function can).
        var passive = PassiveCallee(method);
        if (anyActive)
        {
            return LoseQuietly(invocation, method, new IrCall(passive, receiver, arguments.ToEquatableArray()), receiver, arguments);
        }

        if (receiver is null && DerivativeRules.FindDestination(method) is not null)
        {
            passive = passive with { HasDestination = true };
            return Atomize(new IrCall(passive, null, arguments.ToEquatableArray()), returnType);
        }

        return new IrCall(passive, receiver, arguments.ToEquatableArray());
    }

    /// <summary>
    /// A call handed a differentiated value that returns no differentiated value: text (lost if it comes back, SD0015),
    /// an integer or a bool (a step, SD1002, as casts and comparisons), or nothing (an effect: it may have copied the
    /// value into a reference it was handed, which is then tainted, SD0015 if it reaches the result).
    /// </summary>
    private IrExpr LoseQuietly(IInvocationOperation invocation, IMethodSymbol method, IrCall call, IrExpr? receiver, List<IrExpr> arguments)
    {
        if (method.ReturnType.SpecialType == SpecialType.System_String)
        {
            return LostDerivative(call, invocation, "as text", "keep the computation in differentiated values (double, float, DTensor)");
        }

        if (!method.ReturnsVoid)
        {
            return Lossy(call, DiagnosticDescriptors.LostThroughConversion, invocation.Syntax.GetLocation(), "'" + SourceText.Of(invocation.Syntax) + "'", "'" + method.ReturnType.ToDisplayString() + "'");
        }

        var site = DiagnosticInfo.Create(
            DiagnosticDescriptors.DerivativeLost,
            invocation.Syntax.GetLocation(),
            "'" + SourceText.Of(invocation.Syntax) + "'",
            "into a value it was handed",
            "read what it wrote only after the method returns, or compute the value with differentiated operations instead");
        foreach (var target in new[] { receiver }.Concat(arguments))
        {
            if (ZeroGradientAnalysis.Root(target) is { } root && !_values[root].Active && !_values[root].Type.IsValueType)
            {
                _lossSites.Add(new LossSite(call, site, root));
            }
        }

        return call;
    }

    /// <summary>SD1005: a differentiated value handed to a [NoDiff] parameter gets no derivative back (a stop-gradient).</summary>
    private void WarnAboutStoppedGradients(IInvocationOperation invocation, IMethodSymbol method, List<IrExpr> arguments)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { } parameter
                && parameter.Ordinal < arguments.Count
                && IsActive(arguments[parameter.Ordinal])
                && DerivativeRules.KindOf(parameter.Type) != GradientKind.None
                && !IsDifferentiableParameter(parameter))
            {
                Report(DiagnosticDescriptors.NoDiffArgument, argument.Syntax.GetLocation(), parameter.Name, method.Name);
            }
        }
    }

    private static int InputIndex(IMethodSymbol method, string name)
    {
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            if (method.Parameters[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Explicit type arguments when C# could not infer them from the arguments (a type parameter that no parameter
    /// mentions); inferred calls read better.
    /// </summary>
    private static string TypeArgumentsIfNeeded(IMethodSymbol method)
    {
        if (!method.IsGenericMethod)
        {
            return string.Empty;
        }

        var definition = method.OriginalDefinition;
        var inferable = definition.TypeParameters.All(t => definition.Parameters.Any(p => Mentions(p.Type, t)));
        return inferable ? string.Empty : "<" + string.Join(", ", method.TypeArguments.Select(t => t.ToDisplayString(TypeMapper.Format))) + ">";
    }

    private static bool Mentions(ITypeSymbol type, ITypeParameterSymbol parameter) => type switch
    {
        ITypeParameterSymbol t => SymbolEqualityComparer.Default.Equals(t, parameter),
        INamedTypeSymbol named => named.TypeArguments.Any(a => Mentions(a, parameter)),
        IArrayTypeSymbol array => Mentions(array.ElementType, parameter),
        _ => false,
    };

    /// <summary>Lowers arguments in evaluation order and returns them in parameter order (params arrays expanded).</summary>
    private List<IrExpr>? LowerArguments(IEnumerable<IArgumentOperation> arguments, IMethodSymbol method)
    {
        var slots = new IrExpr?[method.Parameters.Length];
        List<IrExpr>? paramsValues = null;
        foreach (var argument in arguments)
        {
            var parameter = argument.Parameter;
            if (parameter is null)
            {
                Unsupported(argument, "This argument", null);
                return null;
            }

            if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                Unsupported(argument, "An argument passed by reference", "pass values and use return values");
                return null;
            }

            if (argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                if (argument.Value is IArrayCreationOperation { Initializer: { } initializer })
                {
                    paramsValues = initializer.ElementValues.Select(LowerValue).ToList();
                    continue;
                }

                Unsupported(argument, "A params array", "pass the elements separately");
                return null;
            }

            slots[parameter.Ordinal] = LowerValue(argument.Value);
        }

        var list = slots.Where(s => s is not null).Select(s => s!).ToList();
        if (paramsValues is not null)
        {
            list.AddRange(paramsValues);
        }

        return list;
    }

    /// <summary>
    /// Results that cannot carry a derivative anyway (flags, counts, text, nothing): passing an active value to such
    /// a call is fine. Any other type (a struct, an object) could carry the value on, so its derivative would be lost.
    /// </summary>
    private static bool CanDropDerivative(ITypeSymbol type) =>
        type.SpecialType == SpecialType.System_Void
        || type.SpecialType == SpecialType.System_String
        || TypeMapper.Qualified.Map(type).Kind is IrTypeKind.Boolean or IrTypeKind.Integer;

    private List<IrExpr> AtomizeIf(bool atomize, List<IrExpr> arguments, IMethodSymbol method)
    {
        if (!atomize)
        {
            return arguments;
        }

        return arguments
            .Select((a, i) => Atomize(a, _types.Map(i < method.Parameters.Length ? method.Parameters[i].Type : null)))
            .ToList();
    }

    private bool IsDifferentiableMethod(IMethodSymbol method) =>
        method.IsStatic && HasAttribute(method.OriginalDefinition, _differentiableAttribute);

    private bool IsDifferentiableCalleeParameter(IParameterSymbol parameter) => IsDifferentiableParameter(parameter);

    /// <summary>The text that names a member of <paramref name="method"/>'s type from the generated code.</summary>
    private string MemberTarget(IMethodSymbol method, string name) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingType, _method.ContainingType)
            ? name
            : QualifiedType(method.ContainingType) + "." + name;

    private IrCallee PassiveCallee(IMethodSymbol method)
    {
        var owner = MathOwner(method);
        if (owner is not null)
        {
            return MathCallee(IrCalleeKind.Passive, owner, method);
        }

        var name = Escape(method.Name);
        if (method.IsGenericMethod)
        {
            name += "<" + string.Join(", ", method.TypeArguments.Select(t => t.ToDisplayString(TypeMapper.Format))) + ">";
        }

        if (method.MethodKind is MethodKind.UserDefinedOperator or MethodKind.Conversion)
        {
            // Called through its metadata name (op_Addition); valid C# for user-defined operators.
            name = method.Name;
        }

        var target = !method.IsStatic ? name
            : SymbolEqualityComparer.Default.Equals(method.ContainingType, _method.ContainingType) ? name
            : QualifiedType(method.ContainingType) + "." + name;
        return new IrCallee(IrCalleeKind.Passive, target, method.Name, string.Empty, null, EquatableArray<bool>.Empty);
    }

    private IrCallee MathCallee(IrCalleeKind kind, MathClass owner, IMethodSymbol method) =>
        new(kind, owner.Text + "." + method.Name, method.Name, owner.Text, null, EquatableArray<bool>.Empty);

    private MathClass? MathOwner(IMethodSymbol method)
    {
        if (!method.IsStatic || method.ContainingType is not { ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } type)
        {
            return null;
        }

        return type.Name is "Math" or "MathF" ? new MathClass(type.Name, _mathPrefix + type.Name) : null;
    }

    private sealed class MathClass
    {
        public MathClass(string name, string text)
        {
            Name = name;
            Text = text;
        }

        public string Name { get; }

        public string Text { get; }
    }

    /// <summary>
    /// Mutual recursion: whether <paramref name="callee"/> reaches the method being lowered through calls between
    /// [Differentiable] methods of this compilation; returns the chain (<c>'G' and 'H'</c>) or null.
    /// </summary>
    private string? CallsBack(IMethodSymbol callee)
    {
        if (_compilation is null)
        {
            return null;
        }

        var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var path = new List<string>();
        return Visit(callee) ? string.Join(" and ", path.Select(n => "'" + n + "'")) : null;

        bool Visit(IMethodSymbol method)
        {
            if (!visited.Add(method.OriginalDefinition) || visited.Count > 200)
            {
                return false;
            }

            path.Add(method.Name);
            foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax();
                var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
                foreach (var call in syntax.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>())
                {
                    if (model.GetSymbolInfo(call).Symbol is IMethodSymbol target && IsDifferentiableMethod(target)
                        && (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _method.OriginalDefinition) || Visit(target)))
                    {
                        return true;
                    }
                }
            }

            path.RemoveAt(path.Count - 1);
            return false;
        }
    }
}
