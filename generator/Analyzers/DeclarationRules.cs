using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator.Analyzers;

/// <summary>
/// What a <c>[Differentiable]</c> declaration must be: static, in partial types, returning double/float/tensor, with
/// by-value parameters, a body and free generated names. <see cref="DeclarationAnalyzer"/> reports the mistakes;
/// the generator only skips such methods.
/// </summary>
internal static class DeclarationRules
{
    /// <summary>Declaration rules: static, partial containers, double/float return, by-value parameters, free names.</summary>
    public static List<DiagnosticInfo> Check(MethodDeclarationSyntax syntax, IMethodSymbol method)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (!method.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodNotStatic, syntax.Identifier.GetLocation(), method.Name));
        }

        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, (syntax.TypeParameterList ?? (SyntaxNode)syntax).GetLocation(), method.Name));
        }

        foreach (var type in syntax.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, type.Identifier.GetLocation(), type.Identifier.Text, method.Name));
            }
        }

        if (!TypeMapper.Qualified.Map(method.ReturnType).IsDifferentiable || method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.UnsupportedReturnType,
                syntax.ReturnType.GetLocation(),
                method.Name,
                syntax.ReturnType.ToString()));
        }

        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            if (parameter.RefKind != RefKind.None && i < syntax.ParameterList.Parameters.Count)
            {
                var parameterSyntax = syntax.ParameterList.Parameters[i];
                var modifier = parameterSyntax.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.RefKeyword) || m.IsKind(SyntaxKind.OutKeyword) || m.IsKind(SyntaxKind.InKeyword));
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ByReferenceParameter,
                    parameterSyntax.GetLocation(),
                    parameter.Name,
                    modifier.Text.Length > 0 ? modifier.Text : parameter.RefKind.ToString().ToLowerInvariant()));
            }
        }

        if (syntax.Body is null && syntax.ExpressionBody is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingBody, syntax.Identifier.GetLocation(), method.Name));
        }

        foreach (var generated in GeneratedNames(method.Name))
        {
            if (method.ContainingType.GetMembers(generated).Any(member => !IsGeneratedBySymDiff(member)))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.GeneratedNameTaken,
                    syntax.Identifier.GetLocation(),
                    method.ContainingType.Name,
                    generated,
                    method.Name));
            }
        }

        return diagnostics;
    }

    /// <summary>
    /// The members SymDiff adds for <paramref name="name"/>: the gradient, the pullback, the buffered forward pass, the
    /// pushforward and the Hessian-vector product,
    /// for methods with loops one private method per loop strategy, and a workspace class for each.
    /// </summary>
    public static IEnumerable<string> GeneratedNames(string name)
    {
        foreach (var method in new[] { "Gradient", "Pullback" })
        {
            foreach (var strategy in new[] { string.Empty, "KeepingLoops", "RecomputingLoops" })
            {
                yield return name + method + strategy;
                yield return name + method + strategy + "Workspace";
            }
        }

        yield return name + "Buffered";
        yield return name + "BufferedWorkspace";
        yield return name + "Pushforward";
        yield return name + "HessianVectorProduct";
    }

    /// <summary>Members SymDiff generated carry <c>[GeneratedCode("SymDiff", ...)]</c> (analyzers see generated code too).</summary>
    private static bool IsGeneratedBySymDiff(ISymbol member) =>
        member.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
            && a.ConstructorArguments.Length > 0
            && a.ConstructorArguments[0].Value as string == "SymDiff");
}
