using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;

namespace SymDiff.Generator.Analyzers;

/// <summary>
/// Reports misuse of <c>[Differentiable]</c> declarations while the user types (SD0005-SD0008, SD0010-SD0012), and
/// <c>[NoDiff]</c> parameters the body never reads (SD1004). Errors in method bodies come from the generator.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class DeclarationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ByReferenceParameter,
        DiagnosticDescriptors.MethodNotStatic,
        DiagnosticDescriptors.TypeNotPartial,
        DiagnosticDescriptors.UnsupportedReturnType,
        DiagnosticDescriptors.GenericMethod,
        DiagnosticDescriptors.GeneratedNameTaken,
        DiagnosticDescriptors.MissingBody,
        DiagnosticDescriptors.UnusedNoDiffParameter);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var differentiable = start.Compilation.GetTypeByMetadataName(DifferentiableGenerator.DifferentiableAttributeName);
            var noDiff = start.Compilation.GetTypeByMetadataName("SymDiff.NoDiffAttribute");
            if (differentiable is null)
            {
                return;
            }

            start.RegisterSymbolAction(context => AnalyzeDeclaration(context, differentiable), SymbolKind.Method);
            start.RegisterOperationBlockAction(context => AnalyzeNoDiffUse(context, differentiable, noDiff));
        });
    }

    private static void AnalyzeDeclaration(SymbolAnalysisContext context, INamedTypeSymbol differentiable)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (!HasAttribute(method, differentiable))
        {
            return;
        }

        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is MethodDeclarationSyntax syntax)
            {
                foreach (var info in DeclarationRules.Check(syntax, method))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.Get(info.Id),
                        info.Location is { } location ? Location.Create(syntax.SyntaxTree, location.Span) : syntax.Identifier.GetLocation(),
                        info.Arguments.Cast<object>().ToArray()));
                }
            }
        }
    }

    /// <summary>SD1004: a [NoDiff] parameter that the body never reads is probably a mistake (a misplaced attribute).</summary>
    private static void AnalyzeNoDiffUse(OperationBlockAnalysisContext context, INamedTypeSymbol differentiable, INamedTypeSymbol? noDiff)
    {
        if (noDiff is null || context.OwningSymbol is not IMethodSymbol method || !HasAttribute(method, differentiable))
        {
            return;
        }

        var read = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (var block in context.OperationBlocks)
        {
            foreach (var reference in block.DescendantsAndSelf().OfType<IParameterReferenceOperation>())
            {
                read.Add(reference.Parameter);
            }
        }

        foreach (var parameter in method.Parameters.Where(p => HasAttribute(p, noDiff) && !read.Contains(p)))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnusedNoDiffParameter, parameter.Locations.FirstOrDefault(), parameter.Name, method.Name));
        }
    }

    private static bool HasAttribute(ISymbol symbol, INamedTypeSymbol attribute) =>
        symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute));
}
