using System;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// The forward applier of local derivatives: <c>dy = Σ ∂y/∂x_i · dx_i</c>, a case split becoming a conditional. The
/// operands and their tangents come from the subclass: IR values (<see cref="TangentSweep"/>) or the operands of a
/// formula (<see cref="ExpressionTangent"/>).
/// </summary>
internal abstract class TangentApplier : ILocalDerivatives
{
    protected TangentApplier(CExpr y, IrTypeKind kind, string owner)
    {
        Y = y;
        Kind = kind;
        Owner = owner;
        Sum = Zero;
    }

    /// <summary>The tangent of the result so far.</summary>
    public CExpr Sum { get; private set; }

    public CExpr Y { get; }

    public IrTypeKind Kind { get; }

    public string Owner { get; }

    private CExpr Zero => C.Number(0, Kind == IrTypeKind.Float ? IrTypeKind.Float : IrTypeKind.Double);

    public abstract CExpr Arg(int index);

    /// <summary>The other half of a sine or cosine, called (a subclass that can compute it with the forward value does).</summary>
    public virtual CExpr Companion(string function) => C.Call(Owner + "." + function, Arg(0));

    public abstract bool SameOperands(int first, int second);

    public bool IsActive(int index) => !C.IsZero(TangentOf(index));

    /// <summary>The tangent of operand <paramref name="index"/> (a zero number when it has none).</summary>
    protected abstract CExpr TangentOf(int index);

    public void Partial(int index, CExpr derivative)
    {
        var tangent = TangentOf(index);
        if (!C.IsZero(tangent))
        {
            Sum = C.Add(Sum, ScalarRules.Chain(tangent, derivative));
        }
    }

    public void Select(CExpr condition, Action then, Action? @else)
    {
        // x >= x and the like (Math.Max(c, c)) are decided here; the compiler would flag them (CS1718).
        if (condition is CBinary { Left: CValue left, Right: CValue right } comparison && left.Id == right.Id)
        {
            var holds = comparison.Op is IrBinaryOp.GreaterThanOrEqual or IrBinaryOp.LessThanOrEqual or IrBinaryOp.Equals;
            (holds ? then : @else)?.Invoke();
            return;
        }

        var before = Sum;
        Sum = Zero;
        then();
        var whenTrue = Sum;
        Sum = Zero;
        @else?.Invoke();
        var whenFalse = Sum;
        Sum = C.Add(before, C.IsZero(whenTrue) && C.IsZero(whenFalse) ? whenTrue : C.Conditional(condition, whenTrue, whenFalse));
    }
}
