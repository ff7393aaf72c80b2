using System.Collections.Generic;
using System.Linq;

namespace SymDiff.Generator.Ir;

/// <summary>Traversals of IR expressions.</summary>
internal static class IrWalker
{
    /// <summary>The expression and all its sub-expressions, pre-order.</summary>
    public static IEnumerable<IrExpr> Descendants(IrExpr? expr)
    {
        if (expr is null)
        {
            yield break;
        }

        var stack = new Stack<IrExpr>();
        stack.Push(expr);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            yield return current;
            foreach (var child in Children(current).Reverse())
            {
                stack.Push(child);
            }
        }
    }

    /// <summary>The SSA values the expression reads.</summary>
    public static IEnumerable<int> References(IrExpr? expr) =>
        Descendants(expr).OfType<IrRef>().Select(r => r.Value);

    public static IEnumerable<IrExpr> Children(IrExpr expr)
    {
        switch (expr)
        {
            case IrUnary unary:
                yield return unary.Operand;
                break;
            case IrBinary binary:
                yield return binary.Left;
                yield return binary.Right;
                break;
            case IrConvert convert:
                yield return convert.Operand;
                break;
            case IrConditional conditional:
                yield return conditional.Condition;
                yield return conditional.WhenTrue;
                yield return conditional.WhenFalse;
                break;
            case IrCall call:
                if (call.Receiver is not null)
                {
                    yield return call.Receiver;
                }

                foreach (var argument in call.Arguments)
                {
                    yield return argument;
                }

                break;
            case IrMember { Receiver: { } receiver }:
                yield return receiver;
                break;
            case IrIndex index:
                yield return index.Receiver;
                foreach (var i in index.Indices)
                {
                    yield return i;
                }

                break;
            case IrNewArray array:
                foreach (var size in array.Sizes)
                {
                    yield return size;
                }

                foreach (var element in array.Elements)
                {
                    yield return element;
                }

                break;
            case IrNew creation:
                foreach (var argument in creation.Arguments)
                {
                    yield return argument;
                }

                break;
        }
    }

    /// <summary>Every loop among <paramref name="statements"/>, nested ones included, outer before inner.</summary>
    public static IEnumerable<IrLoop> Loops(IEnumerable<IrStatement> statements)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrLoop loop:
                    yield return loop;
                    foreach (var nested in Loops(loop.Body.Statements))
                    {
                        yield return nested;
                    }

                    break;
                case IrIf branch:
                    foreach (var nested in Loops(branch.Then.Statements).Concat(Loops(branch.Else.Statements)))
                    {
                        yield return nested;
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Values in the order the forward sweep defines them (a branch's condition, its blocks, its phis; a loop's cursor,
    /// phis, header, body and exit values).
    /// </summary>
    public static IEnumerable<int> DefinitionOrder(IEnumerable<IrStatement> statements)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrAssign assign:
                    yield return assign.Target;
                    break;
                case IrLoop loop:
                    yield return loop.Cursor;
                    if (loop.Start >= 0)
                    {
                        yield return loop.Start;
                    }

                    foreach (var id in loop.Carried.Select(c => c.Phi)
                        .Concat(DefinitionOrder(loop.Header.Statements))
                        .Concat(DefinitionOrder(loop.Body.Statements))
                        .Concat(loop.Carried.Where(c => c.Exit >= 0).Select(c => c.Exit)))
                    {
                        yield return id;
                    }

                    break;

                case IrIf branch:
                    foreach (var id in DefinitionOrder(branch.Then.Statements).Concat(DefinitionOrder(branch.Else.Statements)))
                    {
                        yield return id;
                    }

                    foreach (var phi in branch.Phis)
                    {
                        yield return phi.Target;
                    }

                    break;
            }
        }
    }
}
