using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Ir;

/// <summary>
/// Dead-code elimination: keeps the statements whose values are needed, walking backwards so that every use is
/// seen before its definition. Used once after lowering (roots: the result) and once per generated method (roots:
/// what that method's reverse sweep reads).
/// </summary>
internal static class IrLiveness
{
    /// <summary>Keeps statements whose values are needed (backwards, so uses are seen before definitions).</summary>
    public static List<IrStatement> Prune(IReadOnlyList<IrStatement> statements, bool[] live)
    {
        var kept = new List<IrStatement>();
        for (var i = statements.Count - 1; i >= 0; i--)
        {
            switch (statements[i])
            {
                case IrAssign assign:
                    if (live[assign.Target] || HasSideEffects(assign.Value))
                    {
                        live[assign.Target] = true;
                        Mark(assign.Value, live);
                        kept.Add(assign);
                    }

                    break;

                case IrEffect effect:
                    Mark(effect.Value, live);
                    kept.Add(effect);
                    break;

                case IrThrow thrown:
                    Mark(thrown.Exception, live);
                    kept.Add(thrown);
                    break;

                case IrIf branch:
                    var phis = branch.Phis.Where(p => live[p.Target]).ToList();
                    foreach (var phi in phis)
                    {
                        Mark(phi.WhenTrue, live);
                        Mark(phi.WhenFalse, live);
                    }

                    var then = Prune(branch.Then.Statements.ToList(), live);
                    var @else = Prune(branch.Else.Statements.ToList(), live);
                    if (then.Count > 0 || @else.Count > 0 || phis.Count > 0)
                    {
                        live[branch.Condition] = true;
                        kept.Add(branch with
                        {
                            Then = new IrBlock(then.ToEquatableArray()),
                            Else = new IrBlock(@else.ToEquatableArray()),
                            Phis = phis.ToEquatableArray(),
                        });
                    }

                    break;
            }
        }

        kept.Reverse();
        return kept;
    }

    public static void Mark(IrExpr? expr, bool[] live)
    {
        foreach (var id in IrWalker.References(expr))
        {
            live[id] = true;
        }
    }

    /// <summary>Calls to methods other than Math functions and differentiable methods may have side effects.</summary>
    private static bool HasSideEffects(IrExpr expr) => IrWalker.Descendants(expr).Any(e =>
        e is IrNew or IrNewArray || e is IrCall { Callee: { Kind: IrCalleeKind.Passive, Owner.Length: 0 } });
}
