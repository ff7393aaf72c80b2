using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Emission;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Planning;

namespace SymDiff.Generator;

public sealed partial class DifferentiableGenerator
{
    /// <summary>Differentiates the IR and writes the C# file. Never throws: a failure becomes an SD9999 error.</summary>
    private static GeneratedFile Emit(MethodModel model, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Differentiate, plan, print (architecture.md): forward mode and forward over reverse are derived here; the
            // planner runs the reverse sweep per generated method and decides what is taped, hoisted and recomputed.
            var mathPrefix = MathPrefix(model);
            var tangents = !model.HasPushforward ? null : TangentSweep.Run(model.Ir, mathPrefix, TangentNaming.Pushforward(model.Ir));
            var hessian = !model.HasHessianVectorProduct ? null : HessianVectorProduct.Derive(model.Ir, mathPrefix, CompilerServicesPrefix(model));
            var plan = FilePlanner.Plan(model, mathPrefix, CompilerServicesPrefix(model), tangents, hessian);
            return new GeneratedFile(model.HintName, SourceEmitter.Emit(plan), null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new GeneratedFile(model.HintName, null, InternalError(model.MethodName, exception));
        }
    }

    private static string CompilerServicesPrefix(MethodModel model) => model.Usings.Any(u => u == "SymDiff.CompilerServices") ? string.Empty : "global::SymDiff.CompilerServices.";

    private static string MathPrefix(MethodModel model) => model.Usings.Any(u => u == "System") ? string.Empty : "global::System.";

    private static void AddSource(SourceProductionContext context, GeneratedFile file)
    {
        if (file.Error is not null)
        {
            context.ReportDiagnostic(file.Error.ToDiagnostic());
            return;
        }

        try
        {
            context.AddSource(file.HintName, file.Source!);
        }
        catch (ArgumentException exception)
        {
            // Hint names collide only when type or method names differ just by case; report, do not crash.
            context.ReportDiagnostic(InternalError(file.HintName, exception).ToDiagnostic());
        }
    }

    /// <summary>
    /// Reports diagnostics at locations inside the compilation's own syntax trees, so that <c>#pragma warning disable</c>,
    /// .editorconfig severities and IDE squiggles apply to them as to the compiler's.
    /// </summary>
    private static void ReportDiagnostics(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics, Compilation compilation)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic(compilation));
        }
    }

    private static DiagnosticInfo InternalError(string method, Exception exception) =>
        new(DiagnosticDescriptors.InternalError.Id, null, new EquatableArray<string>(new[] { method, exception.GetType().Name + ": " + exception.Message }));
}
