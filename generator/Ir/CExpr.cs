using System;
using System.Collections.Generic;
using System.Linq;

namespace SymDiff.Generator.Ir;

/// <summary>
/// A C# expression to print: forward statements and reverse-sweep derivative formulas are both built from these.
/// The factory methods of <see cref="C"/> simplify as they build (<c>x * 1</c> is <c>x</c>, <c>x + 0</c> is <c>x</c>,
/// constants fold), so derivative rules can be written plainly.
/// </summary>
internal abstract class CExpr
{
}

/// <summary>An SSA value, printed by its name.</summary>
internal sealed class CValue : CExpr
{
    public CValue(int id) => Id = id;

    public int Id { get; }
}

/// <summary>The gradient of an SSA value, printed by its gradient's name (or the expression it aliases).</summary>
internal sealed class CGradient : CExpr
{
    public CGradient(int id) => Id = id;

    public int Id { get; }
}

/// <summary>The tangent of an SSA value (forward mode: its derivative along the direction).</summary>
internal sealed class CTangent : CExpr
{
    public CTangent(int id) => Id = id;

    public int Id { get; }
}

/// <summary>The tangent of an SSA value's gradient (forward over reverse: a component of a Hessian-vector product).</summary>
internal sealed class CGradientTangent : CExpr
{
    public CGradientTangent(int id) => Id = id;

    public int Id { get; }
}

/// <summary>The state a call saved for its rule (printed as the workspace buffer the forward sweep filled).</summary>
internal sealed class CSaved : CExpr
{
    public CSaved(int id) => Id = id;

    public int Id { get; }
}

/// <summary>
/// A partial derivative ∂G/∂x_k of a scalar-valued call to another file's differentiable method, which the forward
/// sweep computed beside the call's value (its generated <c>Gradient</c>, so the callee runs once); printed as the local
/// or workspace slot it was written to. <see cref="Index"/> counts the callee's differentiable parameters.
/// </summary>
internal sealed class CPartial : CExpr
{
    public CPartial(int id, int index)
    {
        Id = id;
        Index = index;
    }

    /// <summary>The value the call defines.</summary>
    public int Id { get; }

    public int Index { get; }
}

/// <summary>A name or any other atomic text (a non-numeric literal, <c>dResult</c>, an gradient).</summary>
internal sealed class CName : CExpr
{
    public CName(string text) => Text = text;

    public string Text { get; }
}

/// <summary>A numeric literal whose value is known, so it can be folded.</summary>
internal sealed class CNumber : CExpr
{
    public CNumber(double value, IrTypeKind kind, string? text = null)
    {
        Value = value;
        Kind = kind;
        Text = text ?? NumberText.Number(value, kind);
    }

    public double Value { get; }

    public IrTypeKind Kind { get; }

    public string Text { get; }
}

internal sealed class CUnary : CExpr
{
    public CUnary(string op, CExpr operand)
    {
        Op = op;
        Operand = operand;
    }

    public string Op { get; }

    public CExpr Operand { get; }
}

internal sealed class CBinary : CExpr
{
    public CBinary(IrBinaryOp op, CExpr left, CExpr right)
    {
        Op = op;
        Left = left;
        Right = right;
    }

    public IrBinaryOp Op { get; }

    public CExpr Left { get; }

    public CExpr Right { get; }
}

internal sealed class CCall : CExpr
{
    public CCall(CExpr? receiver, string name, IReadOnlyList<CExpr> arguments)
    {
        Receiver = receiver;
        Name = name;
        Arguments = arguments;
    }

    public CExpr? Receiver { get; }

    public string Name { get; }

    public IReadOnlyList<CExpr> Arguments { get; }
}

internal sealed class CCast : CExpr
{
    public CCast(string type, CExpr operand)
    {
        Type = type;
        Operand = operand;
    }

    public string Type { get; }

    public CExpr Operand { get; }
}

internal sealed class CConditional : CExpr
{
    public CConditional(CExpr condition, CExpr whenTrue, CExpr whenFalse)
    {
        Condition = condition;
        WhenTrue = whenTrue;
        WhenFalse = whenFalse;
    }

    public CExpr Condition { get; }

    public CExpr WhenTrue { get; }

    public CExpr WhenFalse { get; }
}

internal sealed class CMember : CExpr
{
    public CMember(CExpr? receiver, string name)
    {
        Receiver = receiver;
        Name = name;
    }

    public CExpr? Receiver { get; }

    public string Name { get; }
}

internal sealed class CIndex : CExpr
{
    public CIndex(CExpr receiver, IReadOnlyList<CExpr> indices)
    {
        Receiver = receiver;
        Indices = indices;
    }

    public CExpr Receiver { get; }

    public IReadOnlyList<CExpr> Indices { get; }
}

internal sealed class CNew : CExpr
{
    public CNew(string type, IReadOnlyList<CExpr> arguments)
    {
        Type = type;
        Arguments = arguments;
    }

    public string Type { get; }

    public IReadOnlyList<CExpr> Arguments { get; }
}

internal sealed class CNewArray : CExpr
{
    public CNewArray(string elementType, IReadOnlyList<CExpr> sizes, IReadOnlyList<CExpr>? elements)
    {
        ElementType = elementType;
        Sizes = sizes;
        Elements = elements;
    }

    public string ElementType { get; }

    public IReadOnlyList<CExpr> Sizes { get; }

    public IReadOnlyList<CExpr>? Elements { get; }
}

/// <summary>Simplifying constructors for <see cref="CExpr"/>.</summary>
internal static class C
{
    /// <summary>
    /// The name of the call standing for a broadcastable pass-through gradient (Add's b): dResult itself when the input
    /// has its shape, else dResult summed over the axes the input was repeated along. Its arguments are the gradient
    /// and the input (read for its shape alone); the printer writes it with the workspace buffer it may fill.
    /// </summary>
    public const string PassThroughName = "Buffers.PassThrough";

    /// <summary>The input of a <see cref="PassThroughName"/> call, whose shape alone it reads; -1 for any other expression.</summary>
    public static int PassThroughInput(CExpr? e) =>
        e is CCall { Receiver: null, Name: PassThroughName, Arguments.Count: 2 } call && call.Arguments[1] is CValue input ? input.Id : -1;

    public static CNumber Number(double value, IrTypeKind kind) => new(value, kind);

    public static bool IsZero(CExpr e) => e is CNumber { Value: 0 };

    private static bool IsOne(CExpr e) => e is CNumber { Value: 1 };

    public static CExpr Negate(CExpr e) => e switch
    {
        CNumber n => new CNumber(-n.Value, n.Kind),
        CUnary { Op: "-" } u => u.Operand,
        CBinary { Op: IrBinaryOp.Multiply, Left: CNumber n } b => Multiply(new CNumber(-n.Value, n.Kind), b.Right),
        CBinary { Op: IrBinaryOp.Multiply, Left: CUnary { Op: "-" } left } b => Multiply(left.Operand, b.Right),
        CBinary { Op: IrBinaryOp.Multiply } b when b.Left is CName or CValue => new CBinary(IrBinaryOp.Multiply, new CUnary("-", b.Left), b.Right),
        CBinary { Op: IrBinaryOp.Divide } b when b.Left is CName or CValue => new CBinary(IrBinaryOp.Divide, new CUnary("-", b.Left), b.Right),
        _ => new CUnary("-", e),
    };

    public static CExpr Add(CExpr a, CExpr b)
    {
        if (a is CNumber x && b is CNumber y)
        {
            return Fold(x.Value + y.Value, x, y);
        }

        if (IsZero(a))
        {
            return b;
        }

        if (IsZero(b))
        {
            return a;
        }

        return b is CUnary { Op: "-" } negated ? new CBinary(IrBinaryOp.Subtract, a, negated.Operand) : new CBinary(IrBinaryOp.Add, a, b);
    }

    public static CExpr Subtract(CExpr a, CExpr b)
    {
        if (a is CNumber x && b is CNumber y)
        {
            return Fold(x.Value - y.Value, x, y);
        }

        if (IsZero(b))
        {
            return a;
        }

        if (IsZero(a))
        {
            return Negate(b);
        }

        return b is CUnary { Op: "-" } negated ? new CBinary(IrBinaryOp.Add, a, negated.Operand) : new CBinary(IrBinaryOp.Subtract, a, b);
    }

    public static CExpr Multiply(CExpr a, CExpr b)
    {
        if (a is CNumber x && b is CNumber y)
        {
            return Fold(x.Value * y.Value, x, y);
        }

        if (IsZero(a) || IsZero(b))
        {
            return IsZero(a) ? a : b;
        }

        if (IsOne(a))
        {
            return b;
        }

        if (IsOne(b))
        {
            return a;
        }

        if (a is CNumber { Value: -1 })
        {
            return Negate(b);
        }

        if (b is CNumber { Value: -1 })
        {
            return Negate(a);
        }

        if (a is CUnary { Op: "-" } na && b is CUnary { Op: "-" } nb)
        {
            return Multiply(na.Operand, nb.Operand);
        }

        return new CBinary(IrBinaryOp.Multiply, a, b);
    }

    public static CExpr Divide(CExpr a, CExpr b)
    {
        if (a is CNumber x && b is CNumber y && y.Value != 0)
        {
            return Fold(x.Value / y.Value, x, y);
        }

        if (IsZero(a))
        {
            return a;
        }

        return IsOne(b) ? a : new CBinary(IrBinaryOp.Divide, a, b);
    }

    public static CExpr Binary(IrBinaryOp op, CExpr a, CExpr b) => new CBinary(op, a, b);

    public static CExpr Call(string target, params CExpr[] arguments) => new CCall(null, target, arguments);

    public static CExpr Cast(string type, CExpr e) => e is CNumber n ? n : new CCast(type, e);

    public static CExpr Conditional(CExpr condition, CExpr whenTrue, CExpr whenFalse) =>
        new CConditional(condition, whenTrue, whenFalse);

    private static CNumber Fold(double value, CNumber x, CNumber y)
    {
        var kind = x.Kind == IrTypeKind.Float && y.Kind == IrTypeKind.Float ? IrTypeKind.Float : IrTypeKind.Double;
        return new CNumber(kind == IrTypeKind.Float ? (float)value : value, kind);
    }

    public static string UnarySymbol(IrUnaryOp op) => op switch
    {
        IrUnaryOp.Negate => "-",
        IrUnaryOp.Plus => "+",
        IrUnaryOp.Not => "!",
        _ => "~",
    };

    /// <summary>Converts an IR expression to a printable one.</summary>
    public static CExpr FromIr(IrExpr expr) => expr switch
    {
        IrRef r => new CValue(r.Value),
        IrConstant { Number: { } number, Type.IsDifferentiable: true } c => new CNumber(number, c.Type.Kind, c.Text),
        IrConstant c => new CName(c.Text),
        IrUnary u => new CUnary(UnarySymbol(u.Op), FromIr(u.Operand)),
        IrBinary b => new CBinary(b.Op, FromIr(b.Left), FromIr(b.Right)),
        IrConvert c => new CCast(c.To.Name, FromIr(c.Operand)),
        IrConditional c => new CConditional(FromIr(c.Condition), FromIr(c.WhenTrue), FromIr(c.WhenFalse)),
        IrCall { Callee.Indexer: true } c => new CIndex(FromIr(c.Arguments[0]), c.Arguments.Skip(1).Select(FromIr).ToList()),
        IrCall { Callee.BufferedValue: true } c => new CCall(null, c.Callee.Target + "Buffered", c.Arguments.Select(FromIr).ToList()),
        IrCall c => new CCall(c.Receiver is null ? null : FromIr(c.Receiver), c.Callee.Target, c.Arguments.Select(FromIr).ToList()),
        IrMember m => new CMember(m.Receiver is null ? null : FromIr(m.Receiver), m.Member),
        IrIndex i => new CIndex(FromIr(i.Receiver), i.Indices.Select(FromIr).ToList()),
        IrNew n => new CNew(n.Type, n.Arguments.Select(FromIr).ToList()),
        IrNewArray a => new CNewArray(a.ElementType, a.Sizes.Select(FromIr).ToList(), a.HasInitializer ? a.Elements.Select(FromIr).ToList() : null),
        _ => throw new InvalidOperationException("Unknown IR expression " + expr.GetType().Name),
    };

    /// <summary>Every value an expression reads.</summary>
    public static IEnumerable<int> Values(CExpr? e)
    {
        switch (e)
        {
            case null:
                yield break;
            case CValue v:
                yield return v.Id;
                yield break;
        }

        foreach (var child in Children(e))
        {
            foreach (var id in Values(child))
            {
                yield return id;
            }
        }
    }

    /// <summary>Every tangent (<see cref="CTangent"/>) an expression reads.</summary>
    public static IEnumerable<int> Tangents(CExpr? e) => Ids(e, node => (node as CTangent)?.Id);

    /// <summary>Every gradient's tangent (<see cref="CGradientTangent"/>) an expression reads.</summary>
    public static IEnumerable<int> GradientTangents(CExpr? e) => Ids(e, node => (node as CGradientTangent)?.Id);

    /// <summary>Every gradient (<see cref="CGradient"/>) an expression reads.</summary>
    public static IEnumerable<int> Gradients(CExpr? e) => Ids(e, node => (node as CGradient)?.Id);

    /// <summary>The call partials (<see cref="CPartial"/>) an expression reads.</summary>
    public static IEnumerable<CPartial> Partials(CExpr? e) => e is null ? []
        : e is CPartial partial ? [partial]
        : Children(e).SelectMany(Partials);

    /// <summary>Every name (<see cref="CName"/>) an expression reads, such as a callee's partials and products.</summary>
    public static IEnumerable<string> Names(CExpr? e) => e is null ? []
        : e is CName name ? [name.Text]
        : Children(e).SelectMany(Names);

    private static IEnumerable<int> Ids(CExpr? e, Func<CExpr, int?> id)
    {
        if (e is null)
        {
            yield break;
        }

        if (id(e) is { } found)
        {
            yield return found;
            yield break;
        }

        foreach (var child in Children(e))
        {
            foreach (var inner in Ids(child, id))
            {
                yield return inner;
            }
        }
    }

    private static IEnumerable<CExpr> Children(CExpr e) => e switch
    {
        CUnary u => new[] { u.Operand },
        CBinary b => new[] { b.Left, b.Right },
        CCall c => c.Receiver is null ? c.Arguments : Prepend(c.Receiver, c.Arguments),
        CCast c => new[] { c.Operand },
        CConditional c => new[] { c.Condition, c.WhenTrue, c.WhenFalse },
        CMember { Receiver: { } r } => new[] { r },
        CIndex i => Prepend(i.Receiver, i.Indices),
        CNew n => n.Arguments,
        CNewArray a => a.Elements is null ? a.Sizes : a.Sizes.Concat(a.Elements),
        _ => Array.Empty<CExpr>(),
    };

    private static List<CExpr> Prepend(CExpr first, IReadOnlyList<CExpr> rest)
    {
        var list = new List<CExpr> { first };
        list.AddRange(rest);
        return list;
    }
}
