using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator;

/// <summary>
/// Adds <c>{Method}Gradient</c> and <c>{Method}Pullback</c> to every <c>[Differentiable]</c> method's type: reverse-mode
/// derivatives derived at compile time. Stages: <see cref="Parse"/> (semantic analysis, lowering to IR),
/// <see cref="Emit"/> (differentiation, planning, printing C# text), and output; <see cref="CheckRule"/> checks <c>[PullbackOf]</c> rules.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class DifferentiableGenerator : IIncrementalGenerator
{
    /// <summary>The metadata name of the attribute that marks methods to differentiate.</summary>
    public const string DifferentiableAttributeName = "SymDiff.DifferentiableAttribute";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var lowered = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                DifferentiableAttributeName,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (ctx, ct) => Parse(ctx, ct))
            .WithTrackingName(WellKnownTrackingNames.Lower);

        var diagnostics = lowered
            .Select(static (result, _) => result.Diagnostics)
            .Where(static list => list.Count > 0)
            .WithTrackingName(WellKnownTrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (spc, pair) => ReportDiagnostics(spc, pair.Left, pair.Right));

        var files = lowered
            .Select(static (result, _) => result.Model)
            .WithTrackingName(WellKnownTrackingNames.Model)
            .Where(static model => model is not null)
            .Select(static (model, ct) => Emit(model!, ct))
            .WithTrackingName(WellKnownTrackingNames.Emit);
        context.RegisterSourceOutput(files, static (spc, file) => AddSource(spc, file));

        var rules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Lowering.DerivativeRules.AttributeName,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (ctx, ct) => CheckRule(ctx, ct))
            .WithTrackingName(WellKnownTrackingNames.Rules)
            .Where(static list => list.Count > 0);
        context.RegisterSourceOutput(rules.Combine(context.CompilationProvider), static (spc, pair) => ReportDiagnostics(spc, pair.Left, pair.Right));

        var pushforwardRules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Lowering.PushforwardRules.AttributeName,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (ctx, ct) => CheckRule(ctx, ct))
            .WithTrackingName(WellKnownTrackingNames.PushforwardRules)
            .Where(static list => list.Count > 0);
        context.RegisterSourceOutput(pushforwardRules.Combine(context.CompilationProvider), static (spc, pair) => ReportDiagnostics(spc, pair.Left, pair.Right));

        var pullbackTangentRules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Lowering.PullbackTangentRules.AttributeName,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (ctx, ct) => CheckRule(ctx, ct))
            .WithTrackingName(WellKnownTrackingNames.PullbackTangentRules)
            .Where(static list => list.Count > 0);
        context.RegisterSourceOutput(pullbackTangentRules.Combine(context.CompilationProvider), static (spc, pair) => ReportDiagnostics(spc, pair.Left, pair.Right));
    }
}
