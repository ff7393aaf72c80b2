using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Ir;

/// <summary>A type that encloses the method: its keyword (<c>class</c>, <c>record struct</c>, ...) and name.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>
/// Everything the emitter needs about one <c>[Differentiable]</c> method: where the generated code goes, what it is
/// called, and the lowered body; which derived methods it has (<see cref="HasPushforward"/> is false when forward mode
/// does not cover the method: <see cref="PushforwardGap"/> then says what it does not cover, and the method's
/// pushforward is declared unavailable; likewise <see cref="HasHessianVectorProduct"/> and
/// <see cref="HessianVectorProductGap"/> for a scalar-valued method's Hessian-vector product). What the derived methods and their parameters are called is
/// Differentiation's (<c>DerivativeNames</c>). Only strings and records: nothing here holds a symbol, a node or a location.
/// </summary>
internal sealed record MethodModel(
    string HintName,
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Accessibility,
    string MethodName,
    string MethodReference,
    EquatableArray<string> Usings,
    IrMethod Ir,
    bool RecomputeLoops = false,
    bool HasPushforward = false,
    bool HasHessianVectorProduct = false,
    string? PushforwardGap = null,
    string? HessianVectorProductGap = null);

/// <summary>The output of the lowering step: a model when the method can be differentiated, and its diagnostics.</summary>
internal sealed record LoweringResult(MethodModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A generated file, or the reason it could not be generated.</summary>
internal sealed record GeneratedFile(string HintName, string? Source, DiagnosticInfo? Error);
