using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator;

public sealed partial class DifferentiableGenerator
{
    /// <summary>
    /// Checks one <c>[PullbackOf]</c> rule: it must name an existing function and fit one of its overloads
    /// (<see cref="DerivativeRules.Fits"/>). Errors are reported at the rule, where the fix is.
    /// </summary>
    private static EquatableArray<DiagnosticInfo> CheckRule(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.Attributes.Any(a => a.AttributeClass?.Name == "PushforwardOfAttribute"))
        {
            return CheckForwardRule(context, DiagnosticDescriptors.PushforwardRuleMismatch, (f, r) => PushforwardRules.Fits(f, r, out _, out _), PushforwardRules.Suggest, cancellationToken);
        }

        if (context.Attributes.Any(a => a.AttributeClass?.Name == "PullbackTangentOfAttribute"))
        {
            return CheckForwardRule(context, DiagnosticDescriptors.PullbackTangentRuleMismatch, (f, r) => PullbackTangentRules.Fits(f, r, out _, out _), PullbackTangentRules.Suggest, cancellationToken);
        }

        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var rule = (IMethodSymbol)context.TargetSymbol;
        var location = syntax.Identifier.GetLocation();
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            foreach (var attribute in context.Attributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (type, name) = DerivativeRules.Target(attribute, rule);
                var functions = type is null || name is null
                    ? new List<IMethodSymbol>()
                    : type.GetMembers(name).OfType<IMethodSymbol>().Where(f => !IsDestinationForm(f)).ToList();
                if (functions.Count == 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.RuleTargetMissing, location, rule.Name, name ?? "?", type?.ToDisplayString() ?? "?"));
                    continue;
                }

                var reasons = functions.Select(f => (Function: f, Reason: rule.IsStatic ? DerivativeRules.Fits(f, rule, out _) : "it must be static")).ToList();
                if (reasons.Any(r => r.Reason is null))
                {
                    continue;
                }

                // Explain against the overload whose inputs the rule names, else the first.
                var named = rule.Parameters.Select(p => p.Name).Where(n => n is not ("saved" or "result" or "dResult")).ToList();
                var closest = reasons.FirstOrDefault(r => named.All(n => r.Function.Parameters.Any(p => p.Name == n || "d" + p.Name == n || n.Length > 1 && n[0] == 'd' && string.Equals(p.Name, n.Substring(1), StringComparison.OrdinalIgnoreCase))));
                if (closest.Function is null)
                {
                    closest = reasons[0];
                }

                var expected = DerivativeRules.FullForm(closest.Function);
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.RuleSignatureMismatch,
                    location,
                    rule.Name,
                    closest.Function.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
                    closest.Reason!,
                    expected));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, rule.Name, exception.GetType().Name + ": " + exception.Message));
        }

        return diagnostics.ToEquatableArray();
    }

    /// <summary>
    /// Checks one <c>[PushforwardOf]</c> or <c>[PullbackTangentOf]</c> rule: it must name an existing function and fit one
    /// of its overloads (<paramref name="fits"/>); <paramref name="mismatch"/> (SD0017, SD0019) at the rule otherwise,
    /// with the signature that would fit.
    /// </summary>
    private static EquatableArray<DiagnosticInfo> CheckForwardRule(
        GeneratorAttributeSyntaxContext context,
        DiagnosticDescriptor mismatch,
        Func<IMethodSymbol, IMethodSymbol, string?> fits,
        Func<IMethodSymbol, string> suggest,
        CancellationToken cancellationToken)
    {
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var rule = (IMethodSymbol)context.TargetSymbol;
        var location = syntax.Identifier.GetLocation();
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            foreach (var attribute in context.Attributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (type, name) = DerivativeRules.Target(attribute, rule);
                var functions = type is null || name is null
                    ? new List<IMethodSymbol>()
                    : type.GetMembers(name).OfType<IMethodSymbol>().Where(f => !IsDestinationForm(f)).ToList();
                if (functions.Count == 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        mismatch, location, rule.Name, name ?? "?", "'" + (type?.ToDisplayString() ?? "?") + "' has no method of that name", "?"));
                    continue;
                }

                var reasons = functions.Select(f => (Function: f, Reason: rule.IsStatic ? fits(f, rule) : "it must be static")).ToList();
                if (reasons.Any(r => r.Reason is null))
                {
                    continue;
                }

                // Explain against the overload whose parameter types the rule mentions, else the first.
                var closest = reasons.FirstOrDefault(r => r.Function.Parameters.All(p => rule.Parameters.Any(q => DerivativeRules.Same(q.Type, p.Type))));
                if (closest.Function is null)
                {
                    closest = reasons[0];
                }

                diagnostics.Add(DiagnosticInfo.Create(
                    mismatch,
                    location,
                    rule.Name,
                    closest.Function.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
                    closest.Reason!,
                    suggest(closest.Function)));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, rule.Name, exception.GetType().Name + ": " + exception.Message));
        }

        return diagnostics.ToEquatableArray();
    }

    /// <summary>A destination-passing overload (trailing <c>ref DTensor&lt;T&gt;</c>) is not a function rules target.</summary>
    private static bool IsDestinationForm(IMethodSymbol method) =>
        method.Parameters.Length > 0 && method.Parameters[method.Parameters.Length - 1].RefKind == RefKind.Ref
        && DerivativeRules.KindOf(method.Parameters[method.Parameters.Length - 1].Type) == GradientKind.Tensor;
}
