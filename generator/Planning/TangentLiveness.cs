using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Planning;

/// <summary>
/// Dead tangents out of a tangent program: keeps the tangent statements whose tangents are read, transitively, by what
/// the program is for (<paramref name="roots"/> of <see cref="Prune"/>: a pushforward's result tangent; in a
/// Hessian-vector product, the tangents the live steps of its reverse sweep read, by name or from tapes), walking
/// backwards so that every use is seen before its definition, to a fixed point over loops (a carried tangent feeds
/// itself). The forward statements all stay. A Hessian-vector product reverses from the constant seed 1, so its
/// result's tangent (<c>vresult</c>) and everything only it reads (a cross-entropy's pushforward per time step) go.
/// </summary>
internal static class TangentLiveness
{
    /// <summary>
    /// The program with only the tangents <paramref name="roots"/> need. A call to another differentiable method whose
    /// tangent nothing reads becomes the plain call, unless <paramref name="keepsCall"/> holds for its value (in a
    /// Hessian-vector product, when the reverse sweep reads the callee's partials and products: then the call stays, and
    /// so do the tangents it is handed).
    /// </summary>
    public static TangentProgram Prune(TangentProgram program, IEnumerable<int> roots, System.Func<int, bool> keepsCall)
    {
        var live = new HashSet<int>(roots);
        var body = Block(program.Body, live, keepsCall);
        // A tangent defined in the program and not kept loses its name too (the direction's components keep theirs).
        var dead = new HashSet<int>(Defined(program.Body).Where(id => !live.Contains(id)));
        var names = program.TangentNames.Where(n => !dead.Contains(n.Key)).ToDictionary(n => n.Key, n => n.Value);
        return program.With(body, names);
    }

    private static TBlock Block(TBlock block, HashSet<int> live, System.Func<int, bool> keepsCall)
    {
        var kept = new List<TStatement>();
        for (var i = block.Statements.Count - 1; i >= 0; i--)
        {
            switch (block.Statements[i])
            {
                case TTangent tangent:
                    if (live.Contains(tangent.Value))
                    {
                        Mark(tangent.Tangent, live);
                        kept.Add(tangent);
                    }

                    break;

                case TRuleTangent rule:
                    if (live.Contains(rule.Target))
                    {
                        rule.Tangents.ToList().ForEach(t => Mark(t, live));
                        kept.Add(rule);
                    }

                    break;

                case TPushforwardCall call:
                    if (keepsCall(call.Target) || live.Contains(call.Target))
                    {
                        call.Tangents.ToList().ForEach(t => Mark(t, live));
                        kept.Add(call);
                    }
                    else
                    {
                        kept.Add(new TPrimal(new IrAssign(call.Target, call.Call, string.Empty)));
                    }

                    break;

                case TPrimal { Companion: not null, Statement: IrAssign assign } primal when !live.Contains(assign.Target):
                    kept.Add(new TPrimal(primal.Statement)); // the other half of a sine or cosine was for its tangent
                    break;

                case TIf branch:
                    var phis = branch.TangentPhis.Where(p => live.Contains(p.Target)).ToList();
                    foreach (var phi in phis)
                    {
                        Mark(phi.WhenTrue, live);
                        Mark(phi.WhenFalse, live);
                    }

                    kept.Add(new TIf(branch.Branch, Block(branch.Then, live, keepsCall), Block(branch.Else, live, keepsCall), phis));
                    break;

                case TLoop loop:
                    kept.Add(Loop(loop, live, keepsCall));
                    break;

                default:
                    kept.Add(block.Statements[i]);
                    break;
            }
        }

        kept.Reverse();
        var output = new TBlock();
        kept.ForEach(output.Add);
        return output;
    }

    /// <summary>
    /// A carried tangent is kept when its exit tangent or a use in the loop needs it; a kept one needs its next tangent:
    /// repeat until nothing changes, then its initial tangent.
    /// </summary>
    private static TLoop Loop(TLoop loop, HashSet<int> live, System.Func<int, bool> keepsCall)
    {
        foreach (var carried in loop.Tangents.Where(c => c.Exit >= 0 && live.Contains(c.Exit)))
        {
            live.Add(carried.Phi);
        }

        TBlock header;
        TBlock body;
        while (true)
        {
            var before = live.Count;
            foreach (var carried in loop.Tangents.Where(c => live.Contains(c.Phi)))
            {
                Mark(carried.Next, live);
            }

            body = Block(loop.Body, live, keepsCall);
            header = Block(loop.Header, live, keepsCall);
            if (live.Count == before)
            {
                break;
            }
        }

        var tangents = loop.Tangents.Where(c => live.Contains(c.Phi)).ToList();
        foreach (var carried in tangents)
        {
            Mark(carried.Initial, live);
        }

        return new TLoop(loop.Loop, header, body, tangents.Select(c => c.Exit >= 0 && !live.Contains(c.Exit) ? c with { Exit = -1 } : c).ToList());
    }

    /// <summary>The tangents a block defines (at any depth).</summary>
    private static IEnumerable<int> Defined(TBlock block) => block.Statements.SelectMany(s => s switch
    {
        TTangent t => [t.Value],
        TRuleTangent r => [r.Target],
        TPushforwardCall c => [c.Target],
        TIf b => b.TangentPhis.Select(p => p.Target).Concat(Defined(b.Then)).Concat(Defined(b.Else)),
        TLoop l => l.Tangents.SelectMany(c => c.Exit >= 0 ? new[] { c.Phi, c.Exit } : [c.Phi]).Concat(Defined(l.Header)).Concat(Defined(l.Body)),
        _ => Enumerable.Empty<int>(),
    });

    private static void Mark(CExpr? tangent, HashSet<int> live) => live.UnionWith(C.Tangents(tangent));
}
