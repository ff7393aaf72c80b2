using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// A place where a differentiated value lost its derivative (an integer cast, a comparison, a step function):
/// <paramref name="Expr"/> is the passive expression the lowerer built there, found again in the IR by reference.
/// </summary>
/// <param name="Tainted">A value the site wrote into (a void call copying into a reference it was handed), or -1.</param>
internal sealed record LossSite(IrExpr Expr, DiagnosticInfo Diagnostic, int Tainted = -1);

/// <summary>
/// Finds derivatives that are silently zero. A loss site's value is followed through passive assignments, branch merges
/// of passive values (a comparison in a condition selecting between constants is a step function) and loop-carried
/// passive variables; the site is reported (SD1001, SD1002) only if that value then enters a differentiated value the
/// result depends on, or the result itself. A comparison that merely picks which differentiated branch runs is fine:
/// the gradient is the taken branch's, as documented.
/// </summary>
internal static class ZeroGradientAnalysis
{
    public static IEnumerable<DiagnosticInfo> Run(IrMethod ir, IReadOnlyList<LossSite> sites)
    {
        if (sites.Count == 0)
        {
            return Enumerable.Empty<DiagnosticInfo>();
        }

        var state = new State(ir, sites);
        do
        {
            state.Changed = false;
            Propagate(state, ir.Body);
        }
        while (state.Changed);

        var useful = IrUsefulness.Mark(ir);
        var reached = new SortedSet<int>(state.Of(ir.Result));
        Sinks(state, ir.Body, useful, reached);
        return reached.Select(i => sites[i].Diagnostic).Distinct();
    }

    private static void Propagate(State state, IrBlock block)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case IrAssign assign when !state.Active(assign.Target):
                    state.Add(assign.Target, state.Of(assign.Value));
                    break;

                case IrEffect { Value: IrCall call }:
                    // A call made for its effect may copy what it is handed into the references it is handed
                    // (span.CopyTo(array)): those carry the lost derivative on.
                    var handed = new[] { call.Receiver }.Concat(call.Arguments).ToList();
                    var lost = handed.SelectMany(state.Of).ToList();
                    foreach (var root in handed.Select(Root).OfType<int>().Where(r => !state.Active(r) && !state.IsValueType(r)))
                    {
                        state.Add(root, lost);
                    }

                    break;

                case IrIf branch:
                    Propagate(state, branch.Then);
                    Propagate(state, branch.Else);
                    foreach (var phi in branch.Phis.Where(p => !state.Active(p.Target)))
                    {
                        state.Add(phi.Target, state.Of(new IrRef(branch.Condition)).Concat(state.Of(phi.WhenTrue)).Concat(state.Of(phi.WhenFalse)));
                    }

                    break;

                case IrLoop loop:
                    foreach (var carried in loop.Carried.Where(c => !state.Active(c.Phi)))
                    {
                        state.Add(carried.Phi, state.Of(carried.Initial).Concat(state.Of(carried.Next)));
                    }

                    Propagate(state, loop.Header);
                    Propagate(state, loop.Body);
                    foreach (var carried in loop.Carried.Where(c => c.Exit >= 0 && !state.Active(c.Exit)))
                    {
                        state.Add(carried.Exit, state.Of(new IrRef(carried.Phi)).Concat(state.Of(carried.Next)));
                    }

                    break;
            }
        }
    }

    /// <summary>The value an argument such as <c>dest</c>, <c>dest.Span</c> or <c>buffer[0]</c> reaches into.</summary>
    public static int? Root(IrExpr? expr) => expr switch
    {
        IrRef r => r.Value,
        IrMember { Receiver: { } receiver } => Root(receiver),
        IrIndex index => Root(index.Receiver),
        IrConvert conversion => Root(conversion.Operand), // an array handed on as a span
        _ => null,
    };

    /// <summary>Collects the sites whose values enter differentiated values that reach the result.</summary>
    private static void Sinks(State state, IrBlock block, bool[] useful, SortedSet<int> reached)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case IrAssign { Value: IrCall { Callee.Indexer: true } read } assign when state.Active(assign.Target) && useful[assign.Target]:
                    reached.UnionWith(state.Of(read.Arguments[0])); // which element is read is a choice, as a branch's condition
                    break;

                case IrAssign assign when state.Active(assign.Target) && useful[assign.Target]:
                    reached.UnionWith(state.Of(assign.Value));
                    break;

                case IrIf branch:
                    Sinks(state, branch.Then, useful, reached);
                    Sinks(state, branch.Else, useful, reached);
                    foreach (var phi in branch.Phis.Where(p => state.Active(p.Target) && useful[p.Target]))
                    {
                        reached.UnionWith(state.Of(phi.WhenTrue).Concat(state.Of(phi.WhenFalse)));
                    }

                    break;

                case IrLoop loop:
                    foreach (var carried in loop.Carried.Where(c => state.Active(c.Phi) && useful[c.Phi]))
                    {
                        reached.UnionWith(state.Of(carried.Initial).Concat(state.Of(carried.Next)));
                    }

                    Sinks(state, loop.Header, useful, reached);
                    Sinks(state, loop.Body, useful, reached);
                    break;
            }
        }
    }

    private sealed class State
    {
        private readonly IrMethod _ir;
        private readonly Dictionary<IrExpr, int> _siteOf = new(ReferenceComparer.Instance);
        private readonly HashSet<int>?[] _taint;

        public State(IrMethod ir, IReadOnlyList<LossSite> sites)
        {
            _ir = ir;
            _taint = new HashSet<int>?[ir.Values.Count];
            for (var i = 0; i < sites.Count; i++)
            {
                if (sites[i].Tainted >= 0)
                {
                    (_taint[sites[i].Tainted] ??= new HashSet<int>()).Add(i);
                }
                else if (!_siteOf.ContainsKey(sites[i].Expr))
                {
                    _siteOf.Add(sites[i].Expr, i);
                }
            }
        }

        public bool Changed { get; set; }

        public bool Active(int value) => _ir.Values[value].Active;

        public bool IsValueType(int value) => _ir.Values[value].Type.IsValueType;

        /// <summary>The sites whose lost derivative <paramref name="expr"/> carries.</summary>
        public IEnumerable<int> Of(IrExpr? expr)
        {
            foreach (var node in IrWalker.Descendants(expr))
            {
                if (_siteOf.TryGetValue(node, out var site))
                {
                    yield return site;
                }

                if (node is IrRef { Value: var id } && _taint[id] is { } taint)
                {
                    foreach (var t in taint)
                    {
                        yield return t;
                    }
                }
            }
        }

        public void Add(int value, IEnumerable<int> sites)
        {
            foreach (var site in sites.ToList())
            {
                if ((_taint[value] ??= new HashSet<int>()).Add(site))
                {
                    Changed = true;
                }
            }
        }
    }

    /// <summary>IR expressions are records (equal by value); sites are found by identity.</summary>
    private sealed class ReferenceComparer : IEqualityComparer<IrExpr>
    {
        public static readonly ReferenceComparer Instance = new();

        public bool Equals(IrExpr? x, IrExpr? y) => ReferenceEquals(x, y);

        public int GetHashCode(IrExpr obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
