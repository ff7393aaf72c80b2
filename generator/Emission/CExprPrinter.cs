using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Emission;

/// <summary>
/// Prints <see cref="CExpr"/> as C#, with the fewest parentheses that keep the tree's exact evaluation order (the
/// right operand of a left-associative operator keeps its parentheses, since float arithmetic is not associative).
/// </summary>
internal sealed class CExprPrinter
{
    private const int Primary = 15;
    private const int Unary = 14;
    private const int Conditional = 2;

    private readonly Func<int, string> _valueName;
    private readonly Func<int, string> _gradientName;
    private readonly Func<int, string> _savedName;
    private readonly Func<int, string>? _tangentName;
    private readonly Func<int, string>? _gradientTangentName;

    /// <summary>How a call's partial (<see cref="CPartial"/>: value, index) prints, where the reverse sweep reads them.</summary>
    public Func<int, int, string>? PartialName { get; init; }

    public CExprPrinter(Func<int, string> valueName, Func<int, string> gradientName, Func<int, string>? savedName = null)
    {
        _valueName = valueName;
        _gradientName = gradientName;
        _savedName = savedName ?? (id => valueName(id) + "Saved");
    }

    /// <summary>A printer for forward mode: values, their tangents, and (forward over reverse) gradients and theirs.</summary>
    public CExprPrinter(Func<int, string> valueName, Func<int, string> tangentName, Func<int, string> gradientName, Func<int, string> gradientTangentName, Func<int, string>? savedName = null)
        : this(valueName, gradientName, savedName)
    {
        _tangentName = tangentName;
        _gradientTangentName = gradientTangentName;
    }

    public string Print(CExpr e)
    {
        var builder = new StringBuilder();
        Write(builder, e, 0);
        return builder.ToString();
    }

    private void Write(StringBuilder b, CExpr e, int parent)
    {
        var precedence = Precedence(e);
        var parenthesize = precedence < parent;
        if (parenthesize)
        {
            b.Append('(');
        }

        switch (e)
        {
            case CValue v:
                b.Append(_valueName(v.Id));
                break;
            case CGradient a:
                b.Append(_gradientName(a.Id));
                break;
            case CTangent t when _tangentName is not null:
                b.Append(_tangentName(t.Id));
                break;
            case CGradientTangent t when _gradientTangentName is not null:
                b.Append(_gradientTangentName(t.Id));
                break;
            case CSaved saved:
                b.Append(_savedName(saved.Id));
                break;
            case CPartial callPartial when PartialName is not null:
                b.Append(PartialName(callPartial.Id, callPartial.Index));
                break;
            case CName n:
                b.Append(n.Text);
                break;
            case CNumber n:
                b.Append(n.Text);
                break;
            case CUnary u:
                b.Append(u.Op);
                if (u.Operand is CUnary inner && inner.Op == u.Op || u.Operand is CNumber { Value: < 0 })
                {
                    b.Append('(');
                    Write(b, u.Operand, 0);
                    b.Append(')');
                }
                else
                {
                    Write(b, u.Operand, Unary);
                }

                break;
            case CCast c:
                b.Append('(').Append(c.Type).Append(')');
                Write(b, c.Operand, Unary);
                break;
            case CBinary bin:
                Write(b, bin.Left, precedence);
                b.Append(' ').Append(Operator(bin.Op)).Append(' ');
                Write(b, bin.Right, precedence + 1);
                break;
            case CConditional c:
                Write(b, c.Condition, Conditional + 1);
                b.Append(" ? ");
                Write(b, c.WhenTrue, Conditional);
                b.Append(" : ");
                Write(b, c.WhenFalse, Conditional);
                break;
            case CCall c:
                if (c.Receiver is not null)
                {
                    Write(b, c.Receiver, Primary);
                    b.Append('.');
                }

                b.Append(c.Name);
                WriteList(b, "(", c.Arguments, ")");
                break;
            case CMember m:
                if (m.Receiver is not null)
                {
                    Write(b, m.Receiver, Primary);
                    b.Append('.');
                }

                b.Append(m.Name);
                break;
            case CIndex i:
                Write(b, i.Receiver, Primary);
                WriteList(b, "[", i.Indices, "]");
                break;
            case CNew n:
                b.Append("new ").Append(n.Type);
                WriteList(b, "(", n.Arguments, ")");
                break;
            case CNewArray a:
                b.Append("new ").Append(a.ElementType);
                WriteList(b, "[", a.Sizes, "]");
                if (a.Elements is not null)
                {
                    WriteList(b, " { ", a.Elements, " }");
                }

                break;
            default:
                throw new InvalidOperationException("Unknown expression " + e.GetType().Name);
        }

        if (parenthesize)
        {
            b.Append(')');
        }
    }

    private void WriteList(StringBuilder b, string open, IReadOnlyList<CExpr> items, string close)
    {
        b.Append(open);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                b.Append(", ");
            }

            Write(b, items[i], 0);
        }

        b.Append(close);
    }

    private static int Precedence(CExpr e) => e switch
    {
        CNumber { Value: < 0 } => Unary,
        CNumber n when n.Text.StartsWith("-", StringComparison.Ordinal) => Unary,
        CUnary or CCast => Unary,
        CBinary b => Precedence(b.Op),
        CConditional => Conditional,
        _ => Primary,
    };

    private static int Precedence(IrBinaryOp op) => op switch
    {
        IrBinaryOp.Multiply or IrBinaryOp.Divide or IrBinaryOp.Remainder => 13,
        IrBinaryOp.Add or IrBinaryOp.Subtract => 12,
        IrBinaryOp.LeftShift or IrBinaryOp.RightShift => 11,
        IrBinaryOp.LessThan or IrBinaryOp.LessThanOrEqual or IrBinaryOp.GreaterThan or IrBinaryOp.GreaterThanOrEqual => 10,
        IrBinaryOp.Equals or IrBinaryOp.NotEquals => 9,
        IrBinaryOp.And => 8,
        IrBinaryOp.ExclusiveOr => 7,
        IrBinaryOp.Or => 6,
        IrBinaryOp.ConditionalAnd => 5,
        IrBinaryOp.ConditionalOr => 4,
        _ => 3,
    };

    public static string Operator(IrBinaryOp op) => op switch
    {
        IrBinaryOp.Add => "+",
        IrBinaryOp.Subtract => "-",
        IrBinaryOp.Multiply => "*",
        IrBinaryOp.Divide => "/",
        IrBinaryOp.Remainder => "%",
        IrBinaryOp.Equals => "==",
        IrBinaryOp.NotEquals => "!=",
        IrBinaryOp.LessThan => "<",
        IrBinaryOp.LessThanOrEqual => "<=",
        IrBinaryOp.GreaterThan => ">",
        IrBinaryOp.GreaterThanOrEqual => ">=",
        IrBinaryOp.And => "&",
        IrBinaryOp.Or => "|",
        IrBinaryOp.ExclusiveOr => "^",
        IrBinaryOp.ConditionalAnd => "&&",
        IrBinaryOp.ConditionalOr => "||",
        IrBinaryOp.LeftShift => "<<",
        IrBinaryOp.RightShift => ">>",
        _ => throw new InvalidOperationException(op.ToString()),
    };
}
