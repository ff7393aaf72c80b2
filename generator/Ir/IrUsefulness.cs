using System.Collections.Generic;
using System.Linq;

namespace SymDiff.Generator.Ir;

/// <summary>
/// Which active values can have a nonzero gradient: those that reach the result through active operations. Loops are
/// iterated to a fixed point (a carried variable used by a later iteration matters too). The reverse sweep uses it
/// to decide which carried gradients to keep; the generator warns about differentiable parameters it leaves out.
/// </summary>
internal static class IrUsefulness
{
    public static bool[] Mark(IrMethod ir)
    {
        var useful = new bool[ir.Values.Count];
        if (ir.Result is IrRef { Value: var result } && ir.Values[result].Active)
        {
            useful[result] = true;
        }

        Block(ir, ir.Body, useful);
        return useful;
    }

    private static void Block(IrMethod ir, IrBlock block, bool[] useful)
    {
        for (var i = block.Statements.Count - 1; i >= 0; i--)
        {
            switch (block.Statements[i])
            {
                case IrAssign assign when useful[assign.Target]:
                    Refs(ir, assign.Value, useful);
                    break;

                case IrIf branch:
                    foreach (var phi in branch.Phis.Where(p => useful[p.Target]))
                    {
                        Refs(ir, phi.WhenTrue, useful);
                        Refs(ir, phi.WhenFalse, useful);
                    }

                    Block(ir, branch.Then, useful);
                    Block(ir, branch.Else, useful);
                    break;

                case IrLoop loop:
                    foreach (var c in loop.Carried.Where(c => c.Exit >= 0 && useful[c.Exit]))
                    {
                        useful[c.Phi] = true;
                    }

                    int before;
                    do
                    {
                        before = useful.Count(u => u);
                        foreach (var c in loop.Carried.Where(c => useful[c.Phi]))
                        {
                            Refs(ir, c.Next, useful);
                        }

                        Block(ir, loop.Body, useful);
                    }
                    while (useful.Count(u => u) != before);

                    foreach (var c in loop.Carried.Where(c => useful[c.Phi]))
                    {
                        Refs(ir, c.Initial, useful);
                    }

                    break;
            }
        }
    }

    private static void Refs(IrMethod ir, IrExpr? expr, bool[] useful)
    {
        foreach (var id in IrWalker.References(expr))
        {
            if (ir.Values[id].Active)
            {
                useful[id] = true;
            }
        }
    }
}
