using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Planning;

/// <summary>What a loop's branches may keep from one iteration to the next, for the plans that use buffers in turn.</summary>
internal static class LoopMerges
{
    /// <summary>
    /// Whether a carried tensor of <paramref name="loop"/> goes on through a branch that may leave it as it was while it
    /// keeps a previous value (<c>if (t == 1) { prev = h; }</c>): then it may hold what any earlier iteration computed,
    /// and no number of buffers used in turn is enough.
    /// </summary>
    /// <param name="copyOf">The value a value copies (<c>t = a</c>), or null.</param>
    public static bool KeepCarriedValues(IrMethod ir, IrLoop loop, Func<int, int?> copyOf)
    {
        var phis = new HashSet<int>(loop.Carried.Select(c => c.Phi));
        var merges = new Dictionary<int, IrPhi>();
        void Find(IEnumerable<IrStatement> statements)
        {
            foreach (var statement in statements)
            {
                switch (statement)
                {
                    case IrIf branch:
                        foreach (var phi in branch.Phis)
                        {
                            merges[phi.Target] = phi;
                        }

                        Find(branch.Then.Statements);
                        Find(branch.Else.Statements);
                        break;
                    case IrLoop inner:
                        Find(inner.Header.Statements);
                        Find(inner.Body.Statements);
                        break;
                }
            }
        }

        bool Keeps(IrExpr? source, int depth) => source is IrRef { Value: var id } && depth <= merges.Count + phis.Count
            && (phis.Contains(id)
                || (copyOf(id) is { } copied && Keeps(new IrRef(copied), depth + 1))
                || (merges.TryGetValue(id, out var merge) && (Keeps(merge.WhenTrue, depth + 1) || Keeps(merge.WhenFalse, depth + 1))));

        Find(loop.Header.Statements);
        Find(loop.Body.Statements);
        return loop.Carried.Any(c => ir.Values[c.Phi].Type.IsTensor && c.Next is IrRef { Value: var next }
            && merges.ContainsKey(copyOf(next) ?? next) && Keeps(c.Next, 0));
    }
}
