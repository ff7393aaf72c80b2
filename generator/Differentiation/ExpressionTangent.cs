using System;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// Forward mode over an expression tree: the tangent of a derivative formula the reverse sweep wrote (<c>g * (1 - y * y)</c>),
/// by the same local derivatives (<see cref="ScalarRules"/>) applied to its operators and <c>Math</c> calls. Running it
/// over a reverse sweep gives Hessian-vector products (forward over reverse, as Clad and JAX derive Hessians).
/// </summary>
internal sealed class ExpressionTangent
{
    private readonly Func<int, CExpr?> _valueTangent;
    private readonly IrTypeKind _kind;
    private readonly Func<int, bool> _zeroGradientTangent;

    /// <param name="valueTangent">Each value's tangent (null: zero).</param>
    /// <param name="kind">The element type of the formulas.</param>
    /// <param name="zeroGradientTangent">Gradients whose tangent is known to be zero everywhere (folded); null: none.</param>
    public ExpressionTangent(Func<int, CExpr?> valueTangent, IrTypeKind kind, Func<int, bool>? zeroGradientTangent = null)
    {
        _valueTangent = valueTangent;
        _kind = kind;
        _zeroGradientTangent = zeroGradientTangent ?? (_ => false);
    }

    /// <summary>The tangent of <paramref name="e"/>; a gradient's tangent is <see cref="CGradientTangent"/>.</summary>
    public CExpr Of(CExpr e) => e switch
    {
        CNumber => Zero,
        CValue v => _valueTangent(v.Id) ?? Zero,
        CGradient g => _zeroGradientTangent(g.Id) ? Zero : new CGradientTangent(g.Id),
        CUnary { Op: "-" } u => C.Negate(Of(u.Operand)),
        CUnary { Op: "+" } u => Of(u.Operand),
        CCast c => C.IsZero(Of(c.Operand)) ? Zero : C.Cast(c.Type, Of(c.Operand)),
        CConditional c => Conditional(c),
        CBinary { Op: IrBinaryOp.Add or IrBinaryOp.Subtract or IrBinaryOp.Multiply or IrBinaryOp.Divide or IrBinaryOp.Remainder } b =>
            Apply(e, new[] { b.Left, b.Right }, null, context => ScalarRules.Operator(b.Op, context)),
        CCall { Receiver: null } call when Function(call) is var (owner, name) && Intrinsics.IsPiecewiseConstant(name) => Zero,
        CCall { Receiver: null } call when Function(call) is var (owner, name) && Intrinsics.IsDifferentiable(name, call.Arguments.Count) =>
            Apply(e, call.Arguments, owner, context => ScalarRules.Intrinsic(name, call.Arguments.Count, context)),
        _ => throw new NotSupportedException("no tangent for " + e.GetType().Name),
    };

    private CExpr Zero => C.Number(0, _kind);

    private CExpr Conditional(CConditional c)
    {
        var whenTrue = Of(c.WhenTrue);
        var whenFalse = Of(c.WhenFalse);
        return C.IsZero(whenTrue) && C.IsZero(whenFalse) ? Zero : C.Conditional(c.Condition, whenTrue, whenFalse);
    }

    /// <summary><c>Math.Tanh</c> is (<c>Math</c>, <c>Tanh</c>); <c>global::System.MathF.Exp</c> is (<c>global::System.MathF</c>, <c>Exp</c>).</summary>
    private static (string Owner, string Name) Function(CCall call)
    {
        var dot = call.Name.LastIndexOf('.');
        return dot < 0 ? (string.Empty, call.Name) : (call.Name.Substring(0, dot), call.Name.Substring(dot + 1));
    }

    private CExpr Apply(CExpr y, System.Collections.Generic.IReadOnlyList<CExpr> operands, string? owner, Action<ILocalDerivatives> rule)
    {
        var context = new Context(this, y, operands, owner ?? string.Empty);
        rule(context);
        return context.Sum;
    }

    /// <summary>The forward applier over a formula's operands: <c>d(f(x_i)) = Σ ∂f/∂x_i · d(x_i)</c>.</summary>
    private sealed class Context(ExpressionTangent tangents, CExpr y, System.Collections.Generic.IReadOnlyList<CExpr> operands, string mathOwner)
        : TangentApplier(y, tangents._kind, mathOwner)
    {
        public override CExpr Arg(int index) => operands[index];

        public override bool SameOperands(int first, int second) => false; // the general rule holds for a·a too

        protected override CExpr TangentOf(int index) => tangents.Of(operands[index]);
    }
}
