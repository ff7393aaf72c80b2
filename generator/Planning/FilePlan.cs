using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Planning;

/// <summary>
/// A public reverse-mode method (<c>LossGradient</c>, <c>LossPullback</c>): without loops, one plan; with loops, a
/// dispatcher choosing per call between <see cref="Keeping"/> (every iteration's intermediates taped) and
/// <see cref="Recomputing"/> (innermost loops recomputed in the reverse sweep).
/// </summary>
internal sealed record ReverseMethod(SweepMode Mode, string Name, ReversePlan Keeping, ReversePlan? Recomputing);

/// <summary>
/// Everything the generated file of one <c>[Differentiable]</c> method holds, decided: the reverse-mode methods, the
/// buffered forward pass, the pushforward, and the Hessian-vector product (null when not generated).
/// </summary>
internal sealed record FilePlan(
    MethodModel Model,
    SignatureNames Names,
    IReadOnlyList<ReverseMethod> ReverseMethods,
    ReversePlan Buffered,
    TangentPlan? Pushforward,
    HessianVectorProductPlan? HessianVectorProduct);

/// <summary>Plans a whole generated file.</summary>
internal static class FilePlanner
{
    public static FilePlan Plan(MethodModel model, string mathPrefix, string compilerServices, TangentProgram? tangents, HessianVectorProduct? hessian)
    {
        var methods = new List<ReverseMethod>();
        if (model.Ir.ReturnType.IsScalar)
        {
            methods.Add(ReverseMethod(model, SweepMode.Gradient, DerivativeNames.Gradient(model.MethodName), mathPrefix, compilerServices));
        }

        methods.Add(ReverseMethod(model, SweepMode.Pullback, DerivativeNames.Pullback(model.MethodName), mathPrefix, compilerServices));
        var bufferedName = DerivativeNames.Buffered(model.MethodName);
        var buffered = ReversePlanner.Plan(model.Ir, SweepMode.Value, bufferedName, bufferedName, recomputeLoops: false, isPublic: true, mathPrefix, compilerServices);
        return new FilePlan(
            model,
            DerivativeNames.Of(model.Ir),
            methods,
            buffered,
            tangents is null ? null : TangentPlan.Create(model.Ir, tangents),
            // Its reverse sweep reads values the forward sweep defines inside branches (declared ahead) and loops (taped).
            hessian is null ? null : HessianVectorProductPlan.Create(model.Ir, hessian));
    }

    /// <summary>
    /// A gradient or pullback. With loops, the choice between keeping every iteration's intermediates and recomputing
    /// them in the reverse sweep is the caller's (<c>recomputeLoops</c>, defaulting to the attribute's
    /// <c>RecomputeLoops</c>): the public method dispatches to one private method per strategy, each with its workspace.
    /// </summary>
    private static ReverseMethod ReverseMethod(MethodModel model, SweepMode mode, string name, string mathPrefix, string compilerServices)
    {
        if (!IrWalker.Loops(model.Ir.Body.Statements).Any())
        {
            return new ReverseMethod(mode, name, ReversePlanner.Plan(model.Ir, mode, name, name, recomputeLoops: false, isPublic: true, mathPrefix, compilerServices), null);
        }

        return new ReverseMethod(
            mode,
            name,
            ReversePlanner.Plan(model.Ir, mode, name + "KeepingLoops", name, recomputeLoops: false, isPublic: false, mathPrefix, compilerServices),
            ReversePlanner.Plan(model.Ir, mode, name + "RecomputingLoops", name, recomputeLoops: true, isPublic: false, mathPrefix, compilerServices));
    }
}
