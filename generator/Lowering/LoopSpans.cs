using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Spans the reverse sweep would need back from a loop iteration but could not get. A span cannot be taped: the reverse
/// iteration makes it again from values it restored, which works for a span the iteration makes with an assignment
/// (<c>var window = ids.Slice(t, 1);</c>), not for one it merely carries from the previous iteration or picks in a
/// branch (an SSA phi: <c>if (t &gt; 0) { window = ids.Slice(t, 1); }</c>). Such a method has no reverse mode: SD0001
/// at the assignment, rather than generated code that does not compile.
/// </summary>
internal static class LoopSpans
{
    public static IEnumerable<DiagnosticInfo> Check(IrMethod ir, IOperation body, Location fallback)
    {
        var phis = new Dictionary<int, IrLoop>();
        var made = new Dictionary<int, IrAssign>();
        var reads = new HashSet<int>();
        foreach (var loop in IrWalker.Loops(ir.Body.Statements))
        {
            foreach (var carried in loop.Carried)
            {
                phis[carried.Phi] = loop;
            }

            Visit(loop.Header, loop);
            Visit(loop.Body, loop);
        }

        if (!phis.Keys.Any(id => ir.Values[id].Type.IsRefLike))
        {
            yield break;
        }

        // The reverse iteration makes a span again from its operands: they are read too.
        var pending = new Stack<int>(reads);
        while (pending.Count > 0)
        {
            if (made.TryGetValue(pending.Pop(), out var assign))
            {
                foreach (var operand in IrWalker.References(assign.Value).Where(reads.Add))
                {
                    pending.Push(operand);
                }
            }
        }

        var reported = new HashSet<string>();
        foreach (var pair in phis.OrderBy(p => p.Key))
        {
            var (phi, loop) = (pair.Key, pair.Value);
            var value = ir.Values[phi];
            var name = value.Variable ?? value.Name;
            if (!value.Type.IsRefLike || !reads.Contains(phi) || !reported.Add(name))
            {
                continue;
            }

            var type = value.Type.Name.Replace("global::System.", string.Empty).Replace("global::", string.Empty);
            yield return DiagnosticInfo.Create(
                DiagnosticDescriptors.UnsupportedStatement,
                AssignmentInLoop(body, name) ?? fallback,
                "A " + type + " ('" + name + "') that '" + loop.Source + "' carries from one iteration to the next or picks in a branch",
                "the reverse sweep needs each iteration's span back and a span cannot be kept, only made again; make it anew in every iteration, with one assignment at the top level of the loop's body, from values computed before (e.g. pick the slice's start in the branch and call Slice once, unconditionally)");
        }

        void Visit(IrBlock block, IrLoop loop)
        {
            foreach (var statement in block.Statements)
            {
                switch (statement)
                {
                    case IrAssign assign:
                        if (ir.Values[assign.Target].Type.IsRefLike)
                        {
                            made[assign.Target] = assign;
                        }

                        ReadsOf(assign.Value);
                        break;
                    case IrEffect effect:
                        ReadsOf(effect.Value);
                        break;
                    case IrIf branch:
                        foreach (var merge in branch.Phis)
                        {
                            phis[merge.Target] = loop;
                        }

                        Visit(branch.Then, loop);
                        Visit(branch.Else, loop);
                        break;
                }
            }
        }

        // What a call's pullback reads: a rule the inputs it lists, another [Differentiable] method's pullback every argument.
        void ReadsOf(IrExpr expr)
        {
            foreach (var call in IrWalker.Descendants(expr).OfType<IrCall>())
            {
                for (var i = 0; i < call.Arguments.Count; i++)
                {
                    var read = call.Callee.Kind switch
                    {
                        IrCalleeKind.Differentiable => true,
                        IrCalleeKind.Rule => call.Callee.RuleReads.Count == 0 || (i < call.Callee.RuleReads.Count && call.Callee.RuleReads[i]),
                        _ => false,
                    };
                    if (read && call.Arguments[i] is IrRef r && ir.Values[r.Value].Type.IsRefLike)
                    {
                        reads.Add(r.Value);
                    }
                }
            }
        }
    }

    /// <summary>The first assignment to the span local <paramref name="name"/> inside a loop of the body.</summary>
    private static Location? AssignmentInLoop(IOperation body, string name) =>
        body.Descendants()
            .OfType<IAssignmentOperation>()
            .Where(a => a.Target is ILocalReferenceOperation local && local.Local.Name == name && Ancestors(a).Any(p => p is ILoopOperation))
            .Select(a => a.Syntax.GetLocation())
            .FirstOrDefault();

    private static IEnumerable<IOperation> Ancestors(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            yield return parent;
        }
    }
}
