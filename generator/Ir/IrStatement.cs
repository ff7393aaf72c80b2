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

/// <summary>
/// A loop: <c>while (header; Condition) { Body }</c>. Each <see cref="Carried"/> variable enters as its initial value,
/// is read inside the loop as its phi, and leaves as its exit value (loop-closed SSA: code after the loop reads only
/// exit values). <see cref="Cursor"/> counts the iterations of every execution of this loop in one call: it indexes
/// the tapes that keep, per iteration, what the reverse sweep reads. <see cref="Start"/> is the cursor's value when
/// this execution began (for loops nested in loops; -1 otherwise).
/// </summary>
internal sealed record IrLoop(
    int Cursor,
    int Start,
    EquatableArray<IrCarried> Carried,
    IrBlock Header,
    int Condition,
    IrBlock Body,
    string Source,
    IrLoopShape? Shape = null) : IrStatement(Source);

/// <summary>Which C# loop statement an <see cref="IrLoop"/> was lowered from.</summary>
internal enum IrLoopKind
{
    For,
    While,
    DoWhile,
    ForEach,
}

/// <summary>
/// The user's loop as written, so generated code can print it in its own form: its kind, the source text of a
/// <c>for</c> loop's incrementors (the body's trailing statements quoting it are those incrementors), and whether a
/// <c>break</c> (or a <c>return</c>) leaves it through the synthetic flag its condition tests first.
/// </summary>
internal sealed record IrLoopShape(IrLoopKind Kind, string StepSource, bool Breaks);

/// <summary>
/// A loop-carried variable: <see cref="Phi"/> is <see cref="Initial"/> on entry and <see cref="Next"/> (the value at
/// the end of the body) on every later iteration; <see cref="Exit"/> is its value after the loop (-1 when unused).
/// </summary>
internal sealed record IrCarried(int Phi, IrExpr Initial, IrExpr Next, int Exit);
