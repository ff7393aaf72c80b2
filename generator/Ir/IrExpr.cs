using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Ir;

/// <summary>
/// An expression of the IR. Active (differentiated) values are always computed by a single operation over atoms
/// (<see cref="IrRef"/> and <see cref="IrConstant"/>), three-address style; passive values may keep a small tree,
/// which preserves C# evaluation order and short-circuiting.
/// </summary>
internal abstract record IrExpr;

/// <summary>A reference to an SSA value, by its index in <see cref="IrMethod.Values"/>.</summary>
internal sealed record IrRef(int Value) : IrExpr;

/// <summary>A compile-time constant: its C# literal text and, for numbers, its value.</summary>
internal sealed record IrConstant(IrType Type, string Text, double? Number) : IrExpr;

internal enum IrUnaryOp
{
    Negate,
    Plus,
    Not,
    BitwiseNot,
}

internal enum IrBinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Equals,
    NotEquals,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    And,
    Or,
    ExclusiveOr,
    ConditionalAnd,
    ConditionalOr,
    LeftShift,
    RightShift,
}

internal sealed record IrUnary(IrUnaryOp Op, IrExpr Operand) : IrExpr;

internal sealed record IrBinary(IrBinaryOp Op, IrExpr Left, IrExpr Right) : IrExpr;

/// <summary>A numeric conversion to <paramref name="To"/>.</summary>
internal sealed record IrConvert(IrType To, IrExpr Operand) : IrExpr;

/// <summary><c>c ? a : b</c> over passive values (active ones become an <see cref="IrIf"/> with a phi).</summary>
internal sealed record IrConditional(IrExpr Condition, IrExpr WhenTrue, IrExpr WhenFalse) : IrExpr;

/// <summary>A call. <see cref="Receiver"/> is set for instance calls on passive values.</summary>
internal sealed record IrCall(IrCallee Callee, IrExpr? Receiver, EquatableArray<IrExpr> Arguments) : IrExpr;

/// <summary>A field or property read: static when <see cref="Receiver"/> is null (then <see cref="Member"/> is qualified).</summary>
internal sealed record IrMember(IrExpr? Receiver, string Member) : IrExpr;

/// <summary>An array element read.</summary>
internal sealed record IrIndex(IrExpr Receiver, EquatableArray<IrExpr> Indices) : IrExpr;

/// <summary><c>new T(args)</c> (only in passive positions, such as a thrown exception).</summary>
internal sealed record IrNew(string Type, EquatableArray<IrExpr> Arguments) : IrExpr;

/// <summary><c>new T[sizes]</c> or <c>new T[] { elements }</c> (passive only).</summary>
internal sealed record IrNewArray(string ElementType, EquatableArray<IrExpr> Sizes, EquatableArray<IrExpr> Elements, bool HasInitializer) : IrExpr;

/// <summary>
/// Stands for an expression already reported as unsupported, so that nothing derived from it is reported again.
/// Never reaches emission: a method with errors generates no code.
/// </summary>
internal sealed record IrError(IrType Type) : IrExpr;
