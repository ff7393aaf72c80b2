using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Ir;

/// <summary>A statement of the IR. <see cref="Source"/> quotes the C# statement it came from, for comments.</summary>
internal abstract record IrStatement(string Source);

/// <summary>Defines SSA value <see cref="Target"/> (assigned exactly once).</summary>
internal sealed record IrAssign(int Target, IrExpr Value, string Source) : IrStatement(Source);

/// <summary>Evaluates an expression for its side effects (a call to a void method).</summary>
internal sealed record IrEffect(IrExpr Value, string Source) : IrStatement(Source);

/// <summary>Throws; ends its block.</summary>
internal sealed record IrThrow(IrExpr Exception, string Source) : IrStatement(Source);

/// <summary>
/// A two-way branch on a boolean value. Values that differ between the branches merge in <see cref="Phis"/> at the
/// join, as in SSA form.
/// </summary>
internal sealed record IrIf(int Condition, IrBlock Then, IrBlock Else, EquatableArray<IrPhi> Phis, string Source)
    : IrStatement(Source);

/// <summary>
/// <see cref="Target"/> takes <see cref="WhenTrue"/> if the then-branch ran, <see cref="WhenFalse"/> otherwise; a null
/// side means that branch throws and never reaches the join.
/// </summary>
internal sealed record IrPhi(int Target, IrExpr? WhenTrue, IrExpr? WhenFalse);

/// <summary>A straight-line sequence of statements.</summary>
internal sealed record IrBlock(EquatableArray<IrStatement> Statements)
{
    public static readonly IrBlock Empty = new(EquatableArray<IrStatement>.Empty);
}
