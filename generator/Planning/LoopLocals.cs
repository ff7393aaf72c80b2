using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Planning;

/// <summary>
/// How a forward program prints a user's variables and loops in the user's own form. The IR is SSA (every assignment
/// a new value, every loop-carried variable a phi with copies), which is what differentiation wants; printed as is,
/// a loop reads <c>s_1 = s; ... double s_2 = s_1 + t; s_1 = s_2;</c>. Here the versions of one variable share one
/// local wherever their lifetimes do not overlap (out of SSA by coalescing: two versions interfere when one is live
/// where the other is defined), so copies between them vanish and <c>s += t;</c> prints; a <c>for</c> loop whose
/// counter coalesces prints its own header; a <c>break</c> whose path to the loop's end holds nothing but vanished
/// copies prints as <c>break;</c> instead of a flag. Values the printer must keep apart (read by the reverse sweep,
/// taped, tensors in buffers named after them) are pinned and keep their SSA names.
/// </summary>
internal sealed class LoopLocals
{
    private readonly IrMethod _ir;
    private readonly Func<int, bool> _pinned;
    private readonly Func<int, bool> _namesItsClass;
    private readonly bool _sharesTensors;
    private readonly Dictionary<int, HashSet<int>> _ownVersions = new();
    private readonly int[] _class;
    private readonly List<Class> _classes = new();
    private readonly Dictionary<int, ForHeader> _forHeaders = new();
    private readonly Dictionary<int, IrExpr> _breakTests = new();
    private readonly Dictionary<int, IrExpr> _doTests = new();
    private readonly Dictionary<int, IrLoop> _flagLoop = new();
    private readonly HashSet<int> _absorbed = new();
    private readonly HashSet<int> _synthetic = new();

    // Print-order facts gathered by one walk: each candidate's definition order and the blocks of its definitions and uses.
    private readonly Dictionary<int, Site> _sites = new();
    private readonly HashSet<(int, int)> _interferences = new();
    private int _order;
    private int _blocks;

    private readonly Func<int, IEnumerable<int>> _readAfter;

    private LoopLocals(IrMethod ir, IReadOnlyList<IrStatement> program, Func<int, bool> pinned, Func<int, IEnumerable<int>>? readAfter, Func<int, bool>? namesItsClass, bool sharesTensors)
    {
        _ir = ir;
        _sharesTensors = sharesTensors;
        _readAfter = readAfter ?? (_ => []);
        _namesItsClass = namesItsClass ?? (_ => false);

        // A carried variable whose phi keeps its SSA name keeps its copies too (i_2 = i_1 + 1; i_1 = i_2;), rather
        // than sharing a local with the version before the loop across it.
        var pinnedCarried = new HashSet<int>(IrWalker.Loops(program).SelectMany(l => l.Carried)
            .Where(c => pinned(c.Phi)).SelectMany(c => IrWalker.References(c.Next).Append(c.Exit))
            .Concat(AllBranches(program).SelectMany(b => b.Phis).Where(p => pinned(p.Target))
                .SelectMany(p => IrWalker.References(p.WhenTrue).Concat(IrWalker.References(p.WhenFalse)))));
        _pinned = id => pinned(id) || pinnedCarried.Contains(id);

        // A phi that names its class shares its local only with its own loop's versions: the next values and the exit.
        foreach (var carried in IrWalker.Loops(program).SelectMany(l => l.Carried).Where(c => _namesItsClass(c.Phi)))
        {
            _ownVersions[carried.Phi] = new HashSet<int>(IrWalker.References(carried.Next).Append(carried.Exit));
        }
        foreach (var loop in IrWalker.Loops(program))
        {
            _synthetic.UnionWith(FlagWeb(loop) is var (_, versions, _) ? versions : []);
            _synthetic.UnionWith(FirstFlag(loop) is var (first, _) ? [first] : []);
        }

        _class = Enumerable.Repeat(-1, ir.Values.Count).ToArray();
        Walk(program, new List<int>());
        Use(_ir.Result, new List<int>());
        Live(program, new HashSet<int>(IrWalker.References(_ir.Result)));
        FormClasses();
        foreach (var loop in IrWalker.Loops(program))
        {
            PlanBreak(loop);
            PlanForHeader(loop, program);
            PlanDoWhile(loop);
        }
    }

    /// <summary>
    /// Plans the printing of <paramref name="program"/>; <paramref name="pinned"/> values keep their SSA names.
    /// <paramref name="readAfter"/>: the values read right after a value's definition, by a statement printed beside
    /// it (a pushforward's tangent reads the operands after the value overwrote its local), which must not share it.
    /// A value <paramref name="namesItsClass"/> holds for may share a local only as the first of its class, so that the
    /// local has its name (the reverse sweep reads it by that name after the loop). Tensor versions share a local only
    /// with <paramref name="sharesTensors"/> (the printer then names their buffers after their SSA names).
    /// </summary>
    public static LoopLocals Plan(IrMethod ir, IReadOnlyList<IrStatement> program, Func<int, bool> pinned, Func<int, IEnumerable<int>>? readAfter = null, Func<int, bool>? namesItsClass = null, bool sharesTensors = false) =>
        new(ir, program, pinned, readAfter, namesItsClass, sharesTensors);

    /// <summary>The versions sharing one local with <paramref name="id"/> (empty: it keeps its own name), first the one declaring it.</summary>
    public IReadOnlyList<int> Sharing(int id) => _class[id] >= 0 ? _classes[_class[id]].Members : [];

    /// <summary>The name a value prints under.</summary>
    public string Name(int id) => _class[id] >= 0 ? _classes[_class[id]].Name : _ir.Values[id].Name;

    /// <summary>Whether the value's definition declares its local (else it assigns one an earlier version declared).</summary>
    public bool Declares(int id) => _class[id] < 0 || _classes[_class[id]].Members[0] == id;

    /// <summary>Whether assigning <paramref name="source"/> to <paramref name="target"/> copies a local onto itself (prints nothing).</summary>
    public bool IsSelfCopy(int target, IrExpr? source) =>
        source is IrRef { Value: var from } && (from == target || (_class[target] >= 0 && _class[from] == _class[target]));

    /// <summary>A loop's synthetic break flag, which prints as <c>break;</c> statements instead.</summary>
    public bool IsBreakFlag(int id) => _flagLoop.ContainsKey(id);

    /// <summary>The loop a break flag belongs to (a break first copies its carried variables on, as its iteration's end would).</summary>
    public IrLoop FlagLoop(int id) => _flagLoop[id];

    /// <summary>The loop's condition without its break flag's test, when its breaks print as <c>break;</c>.</summary>
    public IrExpr? BreakTest(IrLoop loop) => _breakTests.TryGetValue(loop.Cursor, out var test) ? test : null;

    /// <summary>The test of a <c>do ... while (test);</c> loop, when it prints as one.</summary>
    public IrExpr? DoWhile(IrLoop loop) => _doTests.TryGetValue(loop.Cursor, out var test) ? test : null;

    /// <summary>The loop's <c>for</c> header, when it prints as the user's <c>for</c> loop.</summary>
    public ForHeader? For(IrLoop loop) => _forHeaders.TryGetValue(loop.Cursor, out var header) ? header : null;

    /// <summary>Whether the loop's <c>for</c> header declares the local a value prints as (it is gone after the loop).</summary>
    public bool DeclaredInForHeader(IrLoop loop, int id) => For(loop) is { Init: { } init } && SameClass(init.Target, id);

    /// <summary>Whether a statement prints inside a <c>for</c> header instead of where it stands.</summary>
    public bool IsAbsorbed(int target) => _absorbed.Contains(target);

    /// <summary>
    /// <c>s += t</c> for <c>s = s + t</c> when both sides are the same local: the operator and the right operand.
    /// </summary>
    public (string Operator, IrExpr Right)? Compound(int target, IrExpr value) =>
        value is IrBinary { Left: IrRef { Value: var left } } binary && IsSelfCopy(target, new IrRef(left)) && left != target
            ? binary.Op switch
            {
                IrBinaryOp.Add => ("+=", binary.Right),
                IrBinaryOp.Subtract => ("-=", binary.Right),
                IrBinaryOp.Multiply => ("*=", binary.Right),
                IrBinaryOp.Divide => ("/=", binary.Right),
                _ => null,
            }
            : null;

    /// <summary>A <c>for</c> header: the counter's declaration (null: declared before the loop), the test, the incrementors.</summary>
    internal sealed record ForHeader(IrAssign? Init, IrExpr Condition, IReadOnlyList<IrAssign> Steps);

    private sealed class Site
    {
        public Site(int order, int[] definition)
        {
            Order = order;
            Definition = definition;
        }

        public int Order { get; }

        public int[] Definition { get; }

        public List<int[]> Uses { get; } = new();
    }

    private sealed class Class
    {
        public Class(int first, int[] scope, string name)
        {
            Members.Add(first);
            Scope = scope;
            Name = name;
        }

        public List<int> Members { get; } = new();

        public int[] Scope { get; }

        public string Name { get; }
    }

    private bool Candidate(int id)
    {
        var value = _ir.Values[id];
        return value.Variable is not null && !_synthetic.Contains(id) && (_sharesTensors || !value.Type.IsTensor) && !value.Type.IsRefLike && !_pinned(id)
            && !_ir.Parameters.Any(p => p.Value == id);
    }

    private (string, string)? Key(int id) => Candidate(id) ? (_ir.Values[id].Variable!, _ir.Values[id].Type.Name) : null;

    // ----- where each candidate is defined and used, in print order ---------------------------------------------

    private void Define(int id, List<int> path)
    {
        if (Candidate(id) && !_sites.ContainsKey(id))
        {
            _sites[id] = new Site(_order++, path.ToArray());
        }
    }

    private void Use(IrExpr? expr, List<int> path)
    {
        foreach (var id in IrWalker.References(expr))
        {
            Use(id, path);
        }
    }

    private void Use(int id, List<int> path)
    {
        if (_sites.TryGetValue(id, out var site))
        {
            site.Uses.Add(path.ToArray());
        }
    }

    private void Walk(IEnumerable<IrStatement> statements, List<int> path)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrAssign assign:
                    Use(assign.Value, path);
                    Define(assign.Target, path);
                    break;
                case IrEffect effect:
                    Use(effect.Value, path);
                    break;
                case IrThrow thrown:
                    Use(thrown.Exception, path);
                    break;
                case IrIf branch:
                    Use(branch.Condition, path);
                    foreach (var phi in branch.Phis)
                    {
                        Define(phi.Target, path); // declared before the branch
                    }

                    WalkInside(branch.Then.Statements, path, inner => branch.Phis.ToList().ForEach(p => Use(p.WhenTrue, inner)));
                    WalkInside(branch.Else.Statements, path, inner => branch.Phis.ToList().ForEach(p => Use(p.WhenFalse, inner)));
                    break;
                case IrLoop loop:
                    foreach (var carried in loop.Carried)
                    {
                        Use(carried.Initial, path);
                        Define(carried.Phi, path);
                    }

                    WalkInside(loop.Header.Statements.Concat(loop.Body.Statements), path, inner =>
                    {
                        Use(loop.Condition, inner);
                        loop.Carried.ToList().ForEach(c => Use(c.Next, inner));
                    });
                    foreach (var carried in loop.Carried.Where(c => c.Exit >= 0))
                    {
                        Use(carried.Phi, path);
                        Define(carried.Exit, path);
                    }

                    break;
            }
        }
    }

    private void WalkInside(IEnumerable<IrStatement> statements, List<int> path, Action<List<int>> atEnd)
    {
        var inner = new List<int>(path) { _blocks++ };
        Walk(statements, inner);
        atEnd(inner);
    }

    // ----- liveness: which versions of one variable are alive where another is defined ------------------------

    /// <summary>Walks <paramref name="statements"/> backwards from the values live after them; returns those live before.</summary>
    private HashSet<int> Live(IReadOnlyList<IrStatement> statements, HashSet<int> liveOut)
    {
        var live = new HashSet<int>(liveOut);
        for (var i = statements.Count - 1; i >= 0; i--)
        {
            switch (statements[i])
            {
                case IrAssign assign:
                    var readAfter = _readAfter(assign.Target).ToList();
                    Interfere(assign.Target, readAfter.Count == 0 ? live : new HashSet<int>(live.Concat(readAfter)), assign.Value);
                    live.Remove(assign.Target);
                    live.UnionWith(IrWalker.References(assign.Value));
                    live.UnionWith(readAfter.Where(id => id != assign.Target));
                    break;
                case IrEffect effect:
                    live.UnionWith(IrWalker.References(effect.Value));
                    break;
                case IrThrow thrown:
                    live = new HashSet<int>(IrWalker.References(thrown.Exception));
                    break;
                case IrIf branch:
                    var then = Live(branch.Then.Statements, Copies(branch.Phis.Select(p => (p.Target, p.WhenTrue)), live));
                    var @else = Live(branch.Else.Statements, Copies(branch.Phis.Select(p => (p.Target, p.WhenFalse)), live));
                    live = then;
                    live.UnionWith(@else);
                    live.Add(branch.Condition);
                    break;
                case IrLoop loop:
                    live = LiveLoop(loop, live);
                    break;
            }
        }

        return live;
    }

    private HashSet<int> LiveLoop(IrLoop loop, HashSet<int> after)
    {
        // On leaving, each used exit value copies its phi.
        var exits = loop.Carried.Where(c => c.Exit >= 0).ToList();
        var leaving = Copies(exits.Select(c => (c.Exit, (IrExpr?)new IrRef(c.Phi))), after);

        // In SSA, what is live at the top of every iteration is what the loop reads but does not define (its phis
        // included), and what is live when it ends.
        var uses = new HashSet<int>();
        var defined = new HashSet<int>();
        Collect(loop.Header.Statements.Concat(loop.Body.Statements), uses, defined);
        uses.Add(loop.Condition);
        uses.UnionWith(loop.Carried.SelectMany(c => IrWalker.References(c.Next)));
        var top = new HashSet<int>(leaving);
        top.UnionWith(uses.Where(u => !defined.Contains(u)));

        var bodyIn = Live(loop.Body.Statements, Copies(loop.Carried.Select(c => (c.Phi, (IrExpr?)c.Next)), top));
        bodyIn.UnionWith(leaving);
        bodyIn.Add(loop.Condition);
        Live(loop.Header.Statements, bodyIn);
        return Copies(loop.Carried.Select(c => (c.Phi, (IrExpr?)c.Initial)), top);
    }

    /// <summary>Parallel copies <c>target = source</c> before <paramref name="after"/>: records interferences, returns what is live before.</summary>
    private HashSet<int> Copies(IEnumerable<(int Target, IrExpr? Source)> copies, HashSet<int> after)
    {
        var list = copies.Where(c => c.Source is not null).ToList();
        foreach (var (target, source) in list)
        {
            Interfere(target, after, source);
        }

        var before = new HashSet<int>(after);
        before.ExceptWith(list.Select(c => c.Target));
        before.UnionWith(list.SelectMany(c => IrWalker.References(c.Source)));
        return before;
    }

    /// <summary>A definition interferes with every other version of its variable alive after it, but the one it copies.</summary>
    private void Interfere(int target, HashSet<int> liveAfter, IrExpr? value)
    {
        if (Key(target) is not { } key)
        {
            return;
        }

        var copied = value is IrRef { Value: var source } ? source : -1;
        foreach (var other in liveAfter)
        {
            if (other != target && other != copied && Key(other) == key)
            {
                _interferences.Add((Math.Min(target, other), Math.Max(target, other)));
            }
        }
    }

    /// <summary>What <paramref name="statements"/> read and define; <paramref name="branchMerges"/>: count what branch phis read.</summary>
    private static void Collect(IEnumerable<IrStatement> statements, HashSet<int> uses, HashSet<int> defined, bool branchMerges = true)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrAssign assign:
                    uses.UnionWith(IrWalker.References(assign.Value));
                    defined.Add(assign.Target);
                    break;
                case IrEffect effect:
                    uses.UnionWith(IrWalker.References(effect.Value));
                    break;
                case IrThrow thrown:
                    uses.UnionWith(IrWalker.References(thrown.Exception));
                    break;
                case IrIf branch:
                    uses.Add(branch.Condition);
                    Collect(branch.Then.Statements.Concat(branch.Else.Statements), uses, defined, branchMerges);
                    foreach (var phi in branch.Phis)
                    {
                        if (branchMerges)
                        {
                            uses.UnionWith(IrWalker.References(phi.WhenTrue).Concat(IrWalker.References(phi.WhenFalse)));
                        }

                        defined.Add(phi.Target);
                    }

                    break;
                case IrLoop loop:
                    uses.Add(loop.Condition);
                    Collect(loop.Header.Statements.Concat(loop.Body.Statements), uses, defined, branchMerges);
                    foreach (var carried in loop.Carried)
                    {
                        uses.UnionWith(IrWalker.References(carried.Initial).Concat(IrWalker.References(carried.Next)));
                        defined.Add(carried.Phi);
                        if (carried.Exit >= 0)
                        {
                            defined.Add(carried.Exit);
                        }
                    }

                    break;
            }
        }
    }

    // ----- classes: versions that share one local ----------------------------------------------------------------

    /// <summary>
    /// In print order, each version joins the first class of its variable it interferes with in no member and whose
    /// first definition's block holds all its definitions and uses (so the class's first definition declares it).
    /// </summary>
    private void FormClasses()
    {
        var byKey = new Dictionary<(string, string), List<Class>>();
        foreach (var pair in _sites.OrderBy(s => s.Value.Order))
        {
            var (id, site) = (pair.Key, pair.Value);
            var key = Key(id)!.Value;
            if (!byKey.TryGetValue(key, out var classes))
            {
                byKey[key] = classes = new List<Class>();
            }

            var joined = _namesItsClass(id) ? null : classes.FirstOrDefault(c =>
                (!_ownVersions.TryGetValue(c.Members[0], out var own) || own.Contains(id))
                && c.Members.All(m => !_interferences.Contains((Math.Min(m, id), Math.Max(m, id))))
                && Within(site.Definition, c.Scope) && site.Uses.All(u => Within(u, c.Scope)));
            if (joined is null)
            {
                var first = new Class(id, site.Definition, _ir.Values[id].Name);
                if (!site.Uses.All(u => Within(u, first.Scope)))
                {
                    continue; // used outside the block it is defined in (a phi's source): keeps its own name
                }

                classes.Add(first);
                _classes.Add(first);
                _class[id] = _classes.Count - 1;
            }
            else
            {
                joined.Members.Add(id);
                _class[id] = _classes.IndexOf(joined);
            }
        }

        // A class of one is just the value under its own name.
        for (var i = 0; i < _class.Length; i++)
        {
            if (_class[i] >= 0 && _classes[_class[i]].Members.Count == 1)
            {
                _class[i] = -1;
            }
        }
    }

    private static bool Within(int[] path, int[] scope) => path.Length >= scope.Length && !scope.Where((b, i) => path[i] != b).Any();

    private bool SameClass(int a, int b) => a == b || (_class[a] >= 0 && _class[a] == _class[b]);

    // ----- break; -----------------------------------------------------------------------------------------------

    /// <summary>
    /// A loop's breaks print as <c>break;</c> when its flag is read by nothing but its own merges and the loop's
    /// condition, and everything a break skips (the rest of the enclosing branches, the loop's incrementors, the
    /// carried variables' copies) prints nothing.
    /// </summary>
    private void PlanBreak(IrLoop loop)
    {
        if (FlagWeb(loop) is not var (flagCarried, flags, test))
        {
            return;
        }

        var flag = flagCarried.Phi;
        var shape = loop.Shape!;
        if (flagCarried.Next is not IrRef { Value: var next } || !flags.Contains(next))
        {
            return;
        }

        // Read by nothing else, anywhere in the loop.
        if (BranchesOf(loop.Body.Statements).SelectMany(b => b.Phis).Where(p => !flags.Contains(p.Target))
                .SelectMany(p => IrWalker.References(p.WhenTrue).Concat(IrWalker.References(p.WhenFalse))).Any(flags.Contains)
            || ReadsOtherThanMerges(loop.Body.Statements, flags)
            || loop.Carried.Where(c => c.Phi != flag).SelectMany(c => IrWalker.References(c.Next)).Any(flags.Contains))
        {
            return;
        }

        // A break copies the carried variables on before leaving (the printer writes those copies again), so their next
        // values must be known wherever it may break: defined before the first branch that may, or outside the body.
        var first = Enumerable.Range(0, loop.Body.Statements.Count)
            .Where(i => loop.Body.Statements[i] is IrIf b && BranchesOf([b]).Any(n => n.Phis.Any(p => flags.Contains(p.Target))))
            .DefaultIfEmpty(-1).First();
        if (first < 0)
        {
            return;
        }

        var inBody = new HashSet<int>();
        Collect(loop.Body.Statements, new HashSet<int>(), inBody);
        if (loop.Carried.Where(c => c.Phi != flag && !IsSelfCopy(c.Phi, c.Next))
            .SelectMany(c => IrWalker.References(c.Next)).Any(id => inBody.Contains(id) && !TopLevel(loop.Body.Statements.Take(first), id)))
        {
            return;
        }

        // Everything else a break skips prints nothing: on the way out of each enclosing branch its other merges and
        // the statements after it (only the incrementors, at the body's top level).

        if (!SkipsNothing(loop.Body.Statements, flags, shape.StepSource, topLevel: true))
        {
            return;
        }

        _breakTests[loop.Cursor] = test;
        foreach (var id in flags)
        {
            _flagLoop[id] = loop;
        }
    }

    /// <summary>Whether a top-level statement of <paramref name="statements"/> defines the value (not one nested in a branch or loop).</summary>
    private static bool TopLevel(IEnumerable<IrStatement> statements, int id) => statements.Any(s => s switch
    {
        IrAssign assign => assign.Target == id,
        IrIf branch => branch.Phis.Any(p => p.Target == id),
        IrLoop loop => loop.Carried.Any(c => c.Exit == id),
        _ => false,
    });

    /// <summary>
    /// A breaking loop's synthetic flag (its condition is <c>!broke &amp;&amp; test</c>, the flag starting false) and
    /// the merges of it in the body: its versions, which are never coalesced with other variables' (they may vanish).
    /// </summary>
    private static (IrCarried Flag, HashSet<int> Versions, IrExpr Test)? FlagWeb(IrLoop loop)
    {
        if (loop.Shape is not { Breaks: true } || loop.Header.Statements.Count != 1
            || loop.Header.Statements[0] is not IrAssign { Target: var condition, Value: IrBinary { Op: IrBinaryOp.ConditionalAnd, Left: IrUnary { Op: IrUnaryOp.Not, Operand: IrRef { Value: var flag } }, Right: var test } }
            || condition != loop.Condition
            || loop.Carried.FirstOrDefault(c => c.Phi == flag) is not { Initial: IrConstant { Text: "false" }, Exit: -1 } flagCarried)
        {
            return null;
        }

        var flags = new HashSet<int> { flag };
        bool changed;
        do
        {
            changed = false;
            foreach (var phi in BranchesOf(loop.Body.Statements).SelectMany(b => b.Phis))
            {
                if (!flags.Contains(phi.Target) && IsFlagSource(phi.WhenTrue, flags) && IsFlagSource(phi.WhenFalse, flags)
                    && (phi.WhenTrue is IrRef || phi.WhenFalse is IrRef))
                {
                    flags.Add(phi.Target);
                    changed = true;
                }
            }
        }
        while (changed);
        return (flagCarried, flags, test);
    }

    /// <summary>A do loop's synthetic flag that lets the first iteration in (<c>first || test</c>, after any break flag's test).</summary>
    private static (int First, IrExpr Test)? FirstFlag(IrLoop loop)
    {
        var header = loop.Header.Statements.Count == 1 && loop.Header.Statements[0] is IrAssign { Target: var condition } assign && condition == loop.Condition ? assign.Value : null;
        var test = FlagWeb(loop) is var (_, _, withoutBreak) ? withoutBreak : header;
        return loop.Shape is { Kind: IrLoopKind.DoWhile } && test is IrBinary { Op: IrBinaryOp.ConditionalOr, Left: IrRef { Value: var first }, Right: var rest }
            && loop.Carried.Any(c => c.Phi == first && c is { Initial: IrConstant { Text: "true" }, Next: IrConstant { Text: "false" }, Exit: -1 })
            ? (first, rest)
            : null;
    }

    private static bool IsFlagSource(IrExpr? source, HashSet<int> flags) =>
        source is null or IrConstant { Text: "true" } || (source is IrRef { Value: var id } && flags.Contains(id));

    private static bool ReadsOtherThanMerges(IEnumerable<IrStatement> statements, HashSet<int> flags)
    {
        var reads = new HashSet<int>();
        Collect(statements, reads, new HashSet<int>(), branchMerges: false);
        return reads.Overlaps(flags);
    }

    /// <summary>
    /// Whether a break anywhere in <paramref name="statements"/> skips nothing that prints: a branch that may break is
    /// the last statement of its block (at the body's top level, only incrementors follow it), and its other merges
    /// on the breaking side are copies of a local onto itself.
    /// </summary>
    private bool SkipsNothing(IReadOnlyList<IrStatement> statements, HashSet<int> flags, string stepSource, bool topLevel)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            if (statements[i] is not IrIf branch || !branch.Phis.Any(p => flags.Contains(p.Target)))
            {
                continue;
            }

            var rest = statements.Skip(i + 1);
            if (rest.Any(s => !(topLevel && stepSource.Length > 0 && s is IrAssign { Source: var source } && source == stepSource)))
            {
                return false;
            }

            foreach (var (side, whenTrue) in new[] { (branch.Then, true), (branch.Else, false) })
            {
                var flagSource = branch.Phis.Where(p => flags.Contains(p.Target)).Select(p => whenTrue ? p.WhenTrue : p.WhenFalse).First();
                var breaks = flagSource is IrConstant;
                var mayBreak = flagSource is IrRef { Value: var inner } && IsMerged(inner, side.Statements);
                if (!breaks && !mayBreak)
                {
                    continue;
                }

                // Leaving through a nested branch skips this side's merges; a break right here prints after them.
                if (mayBreak && branch.Phis.Where(p => !flags.Contains(p.Target)).Any(p => !IsSelfCopy(p.Target, whenTrue ? p.WhenTrue : p.WhenFalse)))
                {
                    return false;
                }

                if (mayBreak && !SkipsNothing(side.Statements, flags, stepSource, topLevel: false))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool IsMerged(int id, IEnumerable<IrStatement> statements) =>
        statements.OfType<IrIf>().Any(b => b.Phis.Any(p => p.Target == id));

    /// <summary>Every branch, nested ones and those in loops included.</summary>
    private static IEnumerable<IrIf> AllBranches(IEnumerable<IrStatement> statements) =>
        BranchesOf(statements).Concat(IrWalker.Loops(statements).SelectMany(l => BranchesOf(l.Body.Statements)));

    /// <summary>Branches in a loop body, not inside nested loops.</summary>
    private static IEnumerable<IrIf> BranchesOf(IEnumerable<IrStatement> statements)
    {
        foreach (var branch in statements.OfType<IrIf>())
        {
            yield return branch;
            foreach (var nested in BranchesOf(branch.Then.Statements).Concat(BranchesOf(branch.Else.Statements)))
            {
                yield return nested;
            }
        }
    }

    /// <summary>
    /// A <c>do</c> loop was lowered with a synthetic flag that lets the first iteration in (<c>first || test</c>); it
    /// prints as the user's <c>do { ... } while (test);</c> when nothing else reads the flag.
    /// </summary>
    private void PlanDoWhile(IrLoop loop)
    {
        if (FirstFlag(loop) is not var (first, test))
        {
            return;
        }

        var reads = new HashSet<int>();
        Collect(loop.Body.Statements, reads, new HashSet<int>());
        if (reads.Contains(first) || loop.Carried.SelectMany(c => IrWalker.References(c.Next)).Contains(first) || (loop.Shape!.Breaks && BreakTest(loop) is null))
        {
            return;
        }

        _doTests[loop.Cursor] = test;
        _flagLoop[first] = loop;
    }

    // ----- for (...) ---------------------------------------------------------------------------------------------

    /// <summary>
    /// A <c>for</c> loop prints its own header when its test is one expression and its incrementors (the body's
    /// trailing statements quoting them) each step a carried variable that shares one local with its phi. The counter
    /// is declared in the header when the statement just before the loop initializes it and nothing outside reads it.
    /// </summary>
    private void PlanForHeader(IrLoop loop, IReadOnlyList<IrStatement> program)
    {
        // A foreach over an array or span prints as the index loop it was lowered to.
        if (loop.Shape is not { Kind: IrLoopKind.For or IrLoopKind.ForEach } shape || loop.Header.Statements.Count > 1)
        {
            return;
        }

        IrExpr test;
        if (BreakTest(loop) is { } breakTest)
        {
            test = breakTest;
        }
        else if (shape.Breaks)
        {
            return;
        }
        else if (loop.Header.Statements.Count == 0)
        {
            test = new IrRef(loop.Condition);
        }
        else if (loop.Header.Statements[0] is IrAssign { Target: var target } assign && target == loop.Condition)
        {
            test = assign.Value;
        }
        else
        {
            return;
        }

        // Copies the loop itself makes at the end of its body (previous = h, before h moves on) may stand after the
        // incrementors: they still print at the body's end, before the incrementors run, if neither reads the other.
        var body = loop.Body.Statements;
        var end = body.Count;
        while (end > 0 && body[end - 1] is IrAssign { Source: var own, Value: IrRef } && own == loop.Source && shape.StepSource.Length > 0 && own != shape.StepSource)
        {
            end--;
        }

        var steps = new List<IrAssign>();
        for (var i = end - 1; i >= 0 && body[i] is IrAssign { Source: var source } step && source == shape.StepSource && shape.StepSource.Length > 0; i--)
        {
            steps.Insert(0, step);
        }

        var trailing = body.Skip(end).Cast<IrAssign>().ToList();
        if (trailing.Count > 0 && (steps.Count == 0
            || trailing.Any(copy => IrWalker.References(copy.Value).Any(id => steps.Any(step => step.Target == id || SameClass(step.Target, id))))
            || steps.Any(step => IrWalker.References(step.Value).Any(id => trailing.Any(copy => copy.Target == id || SameClass(copy.Target, id))))))
        {
            return;
        }

        var stepped = new List<IrCarried>();
        foreach (var step in steps)
        {
            var carried = loop.Carried.FirstOrDefault(c => c.Next is IrRef { Value: var next } && next == step.Target);
            if (carried is null || !SameClass(carried.Phi, step.Target))
            {
                return;
            }

            stepped.Add(carried);
        }

        // The carried copies still printed at the body's end run before the incrementors now: they must not read them.
        var stepTargets = new HashSet<int>(steps.Select(s => s.Target));
        if (loop.Carried.Where(c => !IsSelfCopy(c.Phi, c.Next)).SelectMany(c => IrWalker.References(c.Next)).Any(stepTargets.Contains))
        {
            return;
        }

        var init = stepped.Count == 1 ? InitBefore(loop, stepped[0], program) : null;
        _forHeaders[loop.Cursor] = new ForHeader(init, test, steps);
        foreach (var step in steps)
        {
            _absorbed.Add(step.Target);
        }

        if (init is not null)
        {
            _absorbed.Add(init.Target);
        }
    }

    /// <summary>
    /// The assignment just before the loop that initializes its one counter, when the counter's local lives only in
    /// the loop (so it may be declared in the header).
    /// </summary>
    private IrAssign? InitBefore(IrLoop loop, IrCarried counter, IReadOnlyList<IrStatement> program)
    {
        if (counter.Initial is IrConstant && _class[counter.Phi] >= 0 && Declares(counter.Phi) && LivesInLoop(loop, counter.Phi, counter.Phi))
        {
            return new IrAssign(counter.Phi, counter.Initial, loop.Source); // a synthetic index starts as a constant
        }

        var block = BlockHolding(program, loop);
        if (block is null || counter.Initial is not IrRef { Value: var initial } || !SameClass(initial, counter.Phi) || _class[initial] < 0)
        {
            return null;
        }

        var index = IndexOf(block, loop);
        if (index < 1 || block[index - 1] is not IrAssign { Target: var target } assign || target != initial || !Declares(initial))
        {
            return null;
        }

        // Only the phi reads the first version.
        if (_sites[initial].Uses.Count != 1 || !LivesInLoop(loop, initial, counter.Phi))
        {
            return null;
        }

        return assign;
    }

    /// <summary>
    /// Whether the counter's local lives in the loop only (so the header may declare it): its versions but
    /// <paramref name="first"/> and the phi are defined inside, and the phi is read only there (its exit is not a version).
    /// </summary>
    private bool LivesInLoop(IrLoop loop, int first, int phi)
    {
        var inside = new HashSet<int>();
        Collect(loop.Header.Statements.Concat(loop.Body.Statements), new HashSet<int>(), inside);
        return _classes[_class[phi]].Members.All(m => m == first || m == phi || inside.Contains(m))
            && _sites[phi].Uses.All(u => Within(u, _sites[phi].Definition) && u.Length > _sites[phi].Definition.Length);
    }

    private static int IndexOf(IReadOnlyList<IrStatement> block, IrStatement statement)
    {
        for (var i = 0; i < block.Count; i++)
        {
            if (ReferenceEquals(block[i], statement))
            {
                return i;
            }
        }

        return -1;
    }

    private static IReadOnlyList<IrStatement>? BlockHolding(IReadOnlyList<IrStatement> statements, IrStatement wanted)
    {
        if (IndexOf(statements, wanted) >= 0)
        {
            return statements;
        }

        foreach (var statement in statements)
        {
            var found = statement switch
            {
                IrIf branch => BlockHolding(branch.Then.Statements, wanted) ?? BlockHolding(branch.Else.Statements, wanted),
                IrLoop loop => BlockHolding(loop.Body.Statements, wanted),
                _ => null,
            };
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }
}
