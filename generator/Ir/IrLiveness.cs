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

                case IrLoop loop:
                    if (PruneLoop(loop, live) is { } keptLoop)
                    {
                        kept.Add(keptLoop);
                    }

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

    /// <summary>
    /// A loop is kept when a carried exit value or its cursor is needed, or its body has side effects. Uses inside the
    /// body make phis live, live phis make their next values live: repeat until nothing changes.
    /// </summary>
    private static IrLoop? PruneLoop(IrLoop loop, bool[] live)
    {
        foreach (var carried in loop.Carried.Where(c => c.Exit >= 0 && live[c.Exit]))
        {
            live[carried.Phi] = true;
        }

        var keep = live[loop.Cursor] || (loop.Start >= 0 && live[loop.Start]);
        List<IrStatement> body;
        List<IrStatement> header = new();
        while (true)
        {
            var before = live.Count(l => l);
            foreach (var carried in loop.Carried.Where(c => live[c.Phi]))
            {
                Mark(carried.Next, live);
            }

            body = Prune(loop.Body.Statements.ToList(), live);
            keep = keep || loop.Carried.Any(c => live[c.Phi]) || body.Any(IsEffect);
            if (keep)
            {
                live[loop.Condition] = true;
                header = Prune(loop.Header.Statements.ToList(), live);
            }

            if (live.Count(l => l) == before)
            {
                break;
            }
        }

        if (!keep)
        {
            return null;
        }

        live[loop.Cursor] = true;
        var carriedKept = loop.Carried.Where(c => live[c.Phi]).ToList();
        foreach (var carried in carriedKept)
        {
            Mark(carried.Initial, live);
        }

        return loop with
        {
            Carried = carriedKept.Select(c => c.Exit >= 0 && !live[c.Exit] ? c with { Exit = -1 } : c).ToEquatableArray(),
            Header = new IrBlock(header.ToEquatableArray()),
            Body = new IrBlock(body.ToEquatableArray()),
        };
    }

    private static bool IsEffect(IrStatement statement) => statement switch
    {
        IrEffect or IrThrow => true,
        IrAssign assign => HasSideEffects(assign.Value),
        IrIf branch => branch.Then.Statements.Any(IsEffect) || branch.Else.Statements.Any(IsEffect),
        IrLoop loop => loop.Body.Statements.Any(IsEffect) || loop.Header.Statements.Any(IsEffect),
        _ => false,
    };

    public static void Mark(IrExpr? expr, bool[] live)
    {
        foreach (var id in IrWalker.References(expr))
        {
            live[id] = true;
        }
    }

    /// <summary>Calls to methods other than Math functions and differentiable methods may have side effects.</summary>
    public static bool HasSideEffects(IrExpr expr) => IrWalker.Descendants(expr).Any(e =>
        e is IrNew or IrNewArray || e is IrCall { Callee: { Kind: IrCalleeKind.Passive, Owner.Length: 0 } });
}
