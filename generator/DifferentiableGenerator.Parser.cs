using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Analyzers;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator;

public sealed partial class DifferentiableGenerator
{
    private const string NoDiffAttributeName = "SymDiff.NoDiffAttribute";

    /// <summary>
    /// The pipeline's transform: checks the declaration, lowers the body to IR, and returns only equatable data.
    /// Never throws: failures become diagnostics.
    /// </summary>
    private static LoweringResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var method = (IMethodSymbol)context.TargetSymbol;
        try
        {
            return ParseMethod(context.SemanticModel, syntax, method, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (InsufficientExecutionStackException)
        {
            return Failure(DiagnosticInfo.Create(
                DiagnosticDescriptors.UnsupportedExpression,
                syntax.Identifier.GetLocation(),
                "An expression nested this deeply",
                "split it into local variables"));
        }
        catch (Exception exception)
        {
            return Failure(DiagnosticInfo.Create(
                DiagnosticDescriptors.InternalError,
                syntax.Identifier.GetLocation(),
                method.Name,
                exception.GetType().Name + ": " + exception.Message));
        }
    }

    private static LoweringResult Failure(DiagnosticInfo diagnostic) =>
        new(null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));

    private static LoweringResult ParseMethod(
        SemanticModel semanticModel,
        MethodDeclarationSyntax syntax,
        IMethodSymbol method,
        CancellationToken cancellationToken)
    {
        // Declaration mistakes are DeclarationAnalyzer's to report (while typing); no code for such a method.
        if (DeclarationRules.Check(syntax, method).Count > 0)
        {
            return new LoweringResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        // A body that does not compile is the compiler's to report; adding our errors would only be noise.
        if (syntax.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)
            || semanticModel.GetOperation(syntax, cancellationToken) is not IMethodBodyOperation { } bodyOperation
            || (bodyOperation.BlockBody ?? bodyOperation.ExpressionBody) is not { } body
            || HasBindingErrors(body)
            || HasDeclarationErrors(method))
        {
            return new LoweringResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var compilation = semanticModel.Compilation;
        var mathPrefix = CanShorten(semanticModel, body.Syntax.SpanStart, "System", "Math", "MathF") ? string.Empty : "global::System.";
        var symDiffPrefix = CanShorten(semanticModel, body.Syntax.SpanStart, "SymDiff", "DTensor") ? string.Empty : TypeMapper.SymDiffNamespace;
        // The helpers only generated code calls live in SymDiff.CompilerServices: the file imports it unless one of
        // their names already means something else where the method is.
        var compilerServicesPrefix = CanShorten(semanticModel, body.Syntax.SpanStart, "SymDiff.CompilerServices", "Arguments", "Buffers", "Tape", "DTensorRules")
            ? string.Empty
            : TypeMapper.CompilerServicesNamespace;
        var types = new TypeMapper(symDiffPrefix, compilerServicesPrefix);
        var lowerer = new BodyLowerer(
            method,
            compilation.GetTypeByMetadataName(DifferentiableAttributeName),
            compilation.GetTypeByMetadataName(NoDiffAttributeName),
            compilation.GetTypeByMetadataName(DerivativeRules.AttributeName),
            mathPrefix,
            types,
            compilation);
        var lowered = lowerer.Lower(body);
        var bodyDiagnostics = lowerer.Diagnostics.ToEquatableArray();
        if (lowerer.HasErrors || lowered is null)
        {
            return new LoweringResult(null, bodyDiagnostics);
        }

        var parameters = method.Parameters
            .Select(p => new ParameterFacts(p.Name, types.Map(p.Type), lowerer.IsDifferentiableParameter(p)))
            .ToList();

        // Generated locals must not shadow members the generated code calls by simple name.
        var reserved = method.ContainingType.MemberNames.Concat(new[] { "Math", "MathF", "DTensor", "DTensorRules", "Arguments", "Buffers", "Tape", "workspace" });
        var usings = new List<string>();
        if (mathPrefix.Length == 0)
        {
            usings.Add("System");
        }

        // Values keep clear of the derivative parameters the generated signatures declare (Differentiation names them).
        var signature = DerivativeNames.Declared(reserved.Concat(parameters.Select(p => p.Name)), parameters.Select(p => (p.Name, p.Differentiable)));
        var keptFree = signature.Parameters.OfType<string>().Append(signature.Seed);
        var ir = IrFinisher.Finish(lowered, parameters, types.Map(method.ReturnType), reserved, keptFree);
        if (symDiffPrefix.Length == 0 && ir.Values.Any(v => v.Type.IsTensor))
        {
            usings.Add("SymDiff");
        }

        if (compilerServicesPrefix.Length == 0 && (ir.Values.Any(v => v.Type.IsTensor) || IrWalker.Loops(ir.Body.Statements).Any()))
        {
            usings.Add("SymDiff.CompilerServices");
        }

        // Warnings inside an inlined callee are the callee's own build's to report (once).
        bodyDiagnostics = bodyDiagnostics
            .Concat(ZeroGradientAnalysis.Run(ir, lowerer.LossSites))
            .Concat(ParametersWithoutEffect(ir, method))
            .Concat(LoopSpans.Check(ir, body, syntax.Identifier.GetLocation()))
            .Where(d => d.Location is null || (d.Location.FilePath == syntax.SyntaxTree.FilePath && syntax.Span.Contains(d.Location.Span)))
            .ToEquatableArray();
        if (bodyDiagnostics.Any(d => DiagnosticDescriptors.Get(d.Id).DefaultSeverity == DiagnosticSeverity.Error))
        {
            return new LoweringResult(null, bodyDiagnostics); // a derivative would be lost (SD0015): generate nothing
        }

        // Forward mode: a pushforward when it covers the method; when it does not, say why (Info).
        var forwardGap = ForwardModeSupport.Gap(method, compilation, compilation.GetTypeByMetadataName(DifferentiableAttributeName), compilation.GetTypeByMetadataName(DerivativeRules.AttributeName));
        if (forwardGap is var (what, where))
        {
            bodyDiagnostics = bodyDiagnostics.Append(DiagnosticInfo.Create(DiagnosticDescriptors.NoPushforward, where, method.Name, what)).ToEquatableArray();
        }

        // Second order: a Hessian-vector product when forward over reverse covers the method; else what it does not.
        string? secondOrderGap = null;
        if (forwardGap is var (notForward, _))
        {
            secondOrderGap = "forward mode does not cover " + notForward;
        }
        else if (ForwardModeSupport.SecondOrderGap(ir) is var (gap, ruleOf))
        {
            secondOrderGap = gap;
            if (ruleOf is not null && ir.ReturnType.IsScalar && ForwardModeSupport.MissingPullbackTangent(method, compilation, ruleOf) is var (at, rule))
            {
                secondOrderGap += "; add one beside its pullback: " + rule;
                bodyDiagnostics = bodyDiagnostics.Append(DiagnosticInfo.Create(DiagnosticDescriptors.NoHessianVectorProduct, at, method.Name, secondOrderGap)).ToEquatableArray();
            }
        }

        var model = new MethodModel(
            HintName(method, compilation.GetTypeByMetadataName(DifferentiableAttributeName)),
            method.ContainingNamespace.IsGlobalNamespace ? null : method.ContainingNamespace.ToDisplayString(),
            ContainingTypes(method.ContainingType).ToEquatableArray(),
            Accessibility(method.DeclaredAccessibility),
            method.Name,
            MethodReference(method),
            usings.ToEquatableArray(),
            ir,
            RecomputeLoops(method, compilation.GetTypeByMetadataName(DifferentiableAttributeName)),
            HasPushforward: forwardGap is null,
            HasHessianVectorProduct: forwardGap is null && secondOrderGap is null,
            forwardGap?.What,
            ir.ReturnType.IsScalar ? secondOrderGap : null);
        return new LoweringResult(model, bodyDiagnostics);
    }

    /// <summary>
    /// Whether the compiler could not bind the body (unknown names, failed overload resolution, impossible conversions).
    /// Read from the operation tree the generator needs anyway: asking the semantic model for the method's diagnostics
    /// would compile every declaration and body of the file again, on every edit.
    /// </summary>
    private static bool HasBindingErrors(IOperation body) =>
        body.Descendants().Any(o => o is IInvalidOperation
            || o.Type?.TypeKind == TypeKind.Error
            || o is IConversionOperation { Conversion.Exists: false });

    /// <summary>Whether a parameter's or the return's type, or an attribute of a parameter, did not bind.</summary>
    private static bool HasDeclarationErrors(IMethodSymbol method) =>
        method.ReturnType.TypeKind == TypeKind.Error
        || method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Error
            || p.GetAttributes().Any(a => a.AttributeClass is null or { TypeKind: TypeKind.Error }));

    /// <summary>SD1003 for each differentiable parameter that the result does not depend on through differentiable operations.</summary>
    private static IEnumerable<DiagnosticInfo> ParametersWithoutEffect(IrMethod ir, IMethodSymbol method)
    {
        if (ir.Result is null)
        {
            yield break; // every path throws: there is no result to depend on
        }

        var useful = IrUsefulness.Mark(ir);
        for (var i = 0; i < ir.Parameters.Count; i++)
        {
            var parameter = ir.Parameters[i];
            if (parameter.Differentiable && !useful[parameter.Value])
            {
                yield return DiagnosticInfo.Create(
                    DiagnosticDescriptors.ParameterDoesNotAffectResult,
                    method.Parameters[i].Locations.FirstOrDefault(),
                    method.Parameters[i].Name,
                    method.Name);
            }
        }
    }

    /// <summary>The <c>RecomputeLoops</c> argument of the method's <c>[Differentiable]</c>.</summary>
    private static bool RecomputeLoops(IMethodSymbol method, INamedTypeSymbol? attribute) =>
        method.GetAttributes()
            .Where(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute))
            .SelectMany(a => a.NamedArguments)
            .Any(n => n.Key == "RecomputeLoops" && n.Value.Value is true);

    /// <summary>
    /// Whether the generated file can say <c>using {namespace};</c> and write <paramref name="names"/> unqualified:
    /// true when, at the method, each name is unknown or means only types of that namespace. Anything else in
    /// scope with that name (a member, a type of the user's namespace, a global using) keeps the names qualified.
    /// </summary>
    private static bool CanShorten(SemanticModel semanticModel, int position, string @namespace, params string[] names)
    {
        foreach (var name in names)
        {
            var symbols = semanticModel.LookupSymbols(position, name: name);
            if (!symbols.All(s => s is INamedTypeSymbol { ContainingNamespace: { } ns } && ns.ToDisplayString() == @namespace))
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<ContainingType> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new List<ContainingType>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            var keyword = current.IsRecord
                ? current.TypeKind == TypeKind.Struct ? "record struct" : "record"
                : current.TypeKind switch
                {
                    TypeKind.Struct => "struct",
                    TypeKind.Interface => "interface",
                    _ => "class",
                };
            var name = current.Name;
            if (current.TypeParameters.Length > 0)
            {
                name += "<" + string.Join(", ", current.TypeParameters.Select(t => t.Name)) + ">";
            }

            chain.Add(new ContainingType((current.IsRefLikeType ? "ref " : string.Empty) + "partial " + keyword, name));
        }

        chain.Reverse();
        return chain;
    }

    /// <summary><c>Namespace.Type.Method.g.cs</c>, made unique among differentiable overloads of the same name.</summary>
    private static string HintName(IMethodSymbol method, INamedTypeSymbol? differentiable)
    {
        var parts = new List<string>();
        if (!method.ContainingNamespace.IsGlobalNamespace)
        {
            parts.Add(method.ContainingNamespace.ToDisplayString());
        }

        var types = new List<string>();
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            types.Insert(0, type.Arity > 0 ? type.Name + "_" + type.Arity : type.Name);
        }

        parts.AddRange(types);
        var name = method.Name;
        var siblings = method.ContainingType.GetMembers()
            .OfType<IMethodSymbol>()
            .Where(m => string.Equals(m.Name, method.Name, StringComparison.OrdinalIgnoreCase)
                && m.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, differentiable)))
            .ToList();
        if (siblings.Count > 1)
        {
            name += "_" + (siblings.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, method)) + 1);
        }

        parts.Add(name);
        return string.Join(".", parts) + ".g.cs";
    }

    private static string MethodReference(IMethodSymbol method)
    {
        if (method.Parameters.All(p => p.Type.SpecialType != SpecialType.None))
        {
            var types = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString()));
            return "<see cref=\"" + method.Name + "(" + types + ")\"/>";
        }

        return "<c>" + method.Name + "</c>";
    }

    private static string Accessibility(Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };
}
