using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator.Planning;

/// <summary>
/// The plan of a tangent program as printed (a pushforward, or the forward sweep of a Hessian-vector product): which
/// forward tensors compute into workspace buffers, which rule tangents get a buffer of their own, and which values
/// (with their tangents) are declared ahead of the branch that defines them (in a Hessian-vector product, what its
/// reverse sweep reads by name), and how loops print in the user's own shape (<see cref="LoopLocals"/>), a variable's
/// tangent sharing one local as its versions do (<c>ds</c> for <c>s</c>, <c>vs</c> in a Hessian-vector product); in a
/// Hessian-vector product, state calls save for their rules is kept. Built once; it only answers questions.
/// </summary>
internal sealed class TangentPlan
{
    private readonly HashSet<int> _inLoop;
    private readonly HashSet<int> _bufferedInLoop = new();
    private readonly Dictionary<int, int> _valueSlots = new();
    private readonly Dictionary<int, int> _tangentSlots = new();
    private readonly HashSet<int> _countedLoops = new();
    private readonly Dictionary<int, int> _slotCounts = new();
    private readonly HashSet<int> _returned;
    private readonly HashSet<int> _hoisted = new();
    private readonly Dictionary<TIf, List<int>> _declaredAhead = new();
    private readonly Dictionary<int, string> _savedTypes = new();
    private readonly Dictionary<int, string> _sharedTangents = new();
    private readonly HashSet<int> _declaresSharedTangent = new();
    private readonly Dictionary<int, string> _tangentDeclaredWith = new();

    private TangentPlan(IrMethod ir, TangentProgram program, bool beforeReverse, System.Func<int, bool> readByName, System.Func<int, bool> keepsName, IEnumerable<string> taken)
    {
        Program = program;
        // The reverse sweep of a Hessian-vector product reads the state a call saves for its rule (the softmax of a
        // cross-entropy): the forward sweep keeps it, as the gradient's does.
        foreach (var assign in Descendants(program.Body).OfType<TPrimal>().Select(p => p.Statement).OfType<IrAssign>())
        {
            if (beforeReverse && assign.Value is IrCall { Callee.SavedType: { } saved } && ir.Values[assign.Target].Active)
            {
                _savedTypes[assign.Target] = saved;
            }
        }

        SavedBuffers = _savedTypes.Keys.OrderBy(id => id).ToList();
        _inLoop = LoopValues(program.Body);
        _returned = ReturnedValues(ir, program.Body);
        var calls = new HashSet<int>(Descendants(program.Body).OfType<TPushforwardCall>().Select(c => c.Target));
        if (beforeReverse)
        {
            // What the reverse sweep of a Hessian-vector product reads by name (not from a tape) and the forward sweep
            // defines inside a branch is declared ahead of it, where the reverse sweep can see it.
            Hoist(program.Body, id => readByName(id) || calls.Contains(id));
        }

        // The user's loops and names; what the reverse sweep of a Hessian-vector product reads by name keeps its SSA name.
        var reads = ReadByTangents(program.Body);
        Locals = LoopLocals.Plan(ir, ir.Body.Statements, id => calls.Contains(id) || _hoisted.Contains(id) || readByName(id) || keepsName(id), id => reads.TryGetValue(id, out var read) ? read : []);
        ShareTangents(ir, program, Locals, beforeReverse ? "v" : "d", taken);
        if (!beforeReverse)
        {
            PlanLoopBuffers(ir, program.Body);
        }

        TangentBuffers = Descendants(program.Body).OfType<TRuleTangent>()
            .Where(t => ir.Values[t.Target].Type.IsTensor && !FreshTangent(t.Target)).Select(t => t.Target).Concat(_tangentExitCopies).Distinct().OrderBy(id => id).ToList();
        ValueBuffers = Descendants(program.Body).OfType<TPrimal>().Select(p => p.Statement).OfType<IrAssign>()
            .Where(ComputesIntoBuffer).Select(a => a.Target).Concat(_exitCopies).Distinct().OrderBy(id => id).ToList();
    }

    /// <summary>Plans a pushforward: only the tangents its result's reads (<see cref="TangentLiveness"/>).</summary>
    public static TangentPlan Create(IrMethod ir, TangentProgram program) =>
        new(ir, TangentLiveness.Prune(program, C.Tangents(program.ResultTangent), keepsCall: _ => false), beforeReverse: false, _ => false, _ => false, []);

    /// <summary>
    /// Plans the forward sweep of a Hessian-vector product (<paramref name="program"/> already holds only the tangents its
    /// reverse sweep reads): <paramref name="readByName"/> holds for the values the reverse
    /// sweep reads by name rather than from a tape (they keep their SSA names and are declared ahead of the branch that
    /// defines them); <paramref name="keepsName"/> for other values that keep their SSA names; <paramref name="taken"/>
    /// are the names the product declares besides (gradients, their tangents), which a shared tangent local must not take.
    /// </summary>
    public static TangentPlan CreateBeforeReverse(IrMethod ir, TangentProgram program, System.Func<int, bool> readByName, System.Func<int, bool> keepsName, IEnumerable<string> taken) =>
        new(ir, program, beforeReverse: true, readByName, keepsName, taken);

    public TangentProgram Program { get; }

    /// <summary>How the program prints the user's variables and loops in the user's form.</summary>
    public LoopLocals Locals { get; }

    /// <summary>The local holding a value's tangent: its variable's (<c>ds</c>) when its versions share one local.</summary>
    public string TangentName(int id) => _sharedTangents.TryGetValue(id, out var name) ? name : Program.TangentNames[id];

    /// <summary>Whether the statement defining a value's tangent declares its local (else an earlier version's declared it).</summary>
    public bool DeclaresTangent(int id) => !_sharedTangents.ContainsKey(id) || _declaresSharedTangent.Contains(id);

    /// <summary>
    /// The shared tangent local declared right after <paramref name="id"/>, the version declaring its variable's local,
    /// when no tangent of the variable is defined in that block (they all are in nested ones), else null.
    /// </summary>
    public string? TangentDeclaredWith(int id) => _tangentDeclaredWith.TryGetValue(id, out var name) ? name : null;

    /// <summary>Forward tensors computed into workspace buffers, by value.</summary>
    public IReadOnlyList<int> ValueBuffers { get; }

    /// <summary>Tensor tangents rules write into workspace buffers of their own, by value.</summary>
    public IReadOnlyList<int> TangentBuffers { get; }

    /// <summary>Calls that save state for their rule into a workspace buffer (<c>{value}Saved</c>), by value.</summary>
    public IReadOnlyList<int> SavedBuffers { get; }

    /// <summary>The C# type of the state a call in <see cref="SavedBuffers"/> saves.</summary>
    public string SavedType(int id) => _savedTypes[id];

    public bool UsesWorkspace => ValueBuffers.Count > 0 || TangentBuffers.Count > 0 || SavedBuffers.Count > 0;

    /// <summary>Whether a value (and its tangent) is declared ahead of its branch.</summary>
    public bool Hoisted(int id) => _hoisted.Contains(id);

    /// <summary>The values declared right before <paramref name="branch"/> (none unless branches are hoisted).</summary>
    public IReadOnlyList<int> DeclaredAhead(TIf branch) => _declaredAhead.TryGetValue(branch, out var ids) ? ids : [];

    /// <summary>
    /// Whether a rule's tensor tangent is a fresh tensor each time rather than a workspace buffer: inside a loop whose
    /// values cannot live in two alternating buffers (<see cref="PlanLoopBuffers"/>), and in a Hessian-vector product's loops
    /// where its plan places none (<c>HessianVectorProductPlan</c> decides their slots and buffers).
    /// </summary>
    public bool FreshTangent(int id) => _inLoop.Contains(id) && !_bufferedInLoop.Contains(id);

    /// <summary>
    /// A tensor op with a destination-passing overload computes into a buffer reused from call to call, as the
    /// gradient's forward sweep does; not the returned tensor, which the caller keeps, nor one in a loop whose values
    /// are fresh each iteration.
    /// </summary>
    public bool ComputesIntoBuffer(IrAssign assign) =>
        assign.Value is IrCall { Callee.HasDestination: true } && C.FromIr(assign.Value) is CCall
        && !_returned.Contains(assign.Target) && (!_inLoop.Contains(assign.Target) || _bufferedInLoop.Contains(assign.Target));

    /// <summary>The loop whose iteration count alternates a value's buffer (<c>[iter0 &amp; 1]</c>), or -1 for a buffer of its own.</summary>
    public int ValueSlot(int id) => _valueSlots.TryGetValue(id, out var cursor) ? cursor : -1;

    /// <summary>The loop whose iteration count alternates a tangent's buffer, or -1 for a buffer of its own.</summary>
    public int TangentSlot(int id) => _tangentSlots.TryGetValue(id, out var cursor) ? cursor : -1;

    /// <summary>Whether a loop counts its iterations (<c>iter0</c>), to alternate the buffers of what an iteration hands to the next.</summary>
    public bool Counts(IrLoop loop) => _countedLoops.Contains(loop.Cursor);

    /// <summary>
    /// How many buffers a counted loop uses in turn: two, one more per iteration a carried previous value reaches back
    /// (<c>prev = h; h = f(h, prev)</c>: what an iteration computes is read by the next two, so three).
    /// </summary>
    public int BuffersInTurn(int cursor) => _slotCounts[cursor];

    /// <summary>
    /// As <c>Buffered</c> does for the forward pass: in a loop, a tensor (or tensor tangent) that one iteration hands to
    /// the next (a source of a carried value, or of a merge that may be) lives in two buffers used in turn
    /// (<c>[iter0 &amp; 1]</c>), so the next iteration does not overwrite it while it is read; any other one is
    /// overwritten by the next iteration in a buffer of its own. When a carried tensor is another one's previous value
    /// (<c>prev = h; h = f(h)</c>), a value lives one iteration more, and one buffer more is used in turn
    /// (<c>[iter0 % 3]</c>). A nested loop run again reuses its buffers: a tensor (and tangent) it leaves is copied into a
    /// buffer of the enclosing iteration's (<see cref="CopiesExit"/>). Carried tensors that go round in a cycle
    /// (<c>t = a; a = b; b = t;</c>) hold only what the loop started from, so they add no buffer.
    /// </summary>
    private void PlanLoopBuffers(IrMethod ir, TBlock body)
    {
        var copies = Descendants(body).OfType<TPrimal>().Select(p => p.Statement).OfType<IrAssign>()
            .Where(a => a.Value is IrRef).ToDictionary(a => a.Target, a => ((IrRef)a.Value).Value);
        foreach (var outermost in OuterLoops(body))
        {
            // Inner loops before the loops around them: a loop copies what the counted loops nested in it leave.
            var nest = new[] { outermost }.Concat(Descendants(outermost.Header).Concat(Descendants(outermost.Body)).OfType<TLoop>()).Reverse().ToList();
            var depths = nest.Select(l => PreviousValueDepth(ir, l.Loop, copies)).ToList();
            if (depths.All(depth => depth >= 0))
            {
                for (var i = 0; i < nest.Count; i++)
                {
                    PlanLoop(ir, nest[i], depths[i], copies);
                }
            }
        }
    }

    private void PlanLoop(IrMethod ir, TLoop loop, int previous, IReadOnlyDictionary<int, int> copies)
    {
        var own = OwnStatements(loop.Header).Concat(OwnStatements(loop.Body)).ToList();
        var handedOn = new HashSet<int>(loop.Loop.Carried.SelectMany(c => IrWalker.References(c.Next))
            .Concat(own.OfType<TIf>().SelectMany(b => b.Branch.Phis).SelectMany(p => IrWalker.References(p.WhenTrue).Concat(IrWalker.References(p.WhenFalse)))));
        foreach (var id in handedOn.ToList())
        {
            for (var copied = id; copies.TryGetValue(copied, out var source) && handedOn.Add(source);)
            {
                copied = source;
            }
        }

        var tangentsHandedOn = new HashSet<int>(loop.Tangents.SelectMany(c => C.Tangents(c.Next))
            .Concat(own.OfType<TIf>().SelectMany(b => b.TangentPhis).SelectMany(p => C.Tangents(p.WhenTrue).Concat(C.Tangents(p.WhenFalse)))));
        var cursor = loop.Loop.Cursor;
        foreach (var statement in own)
        {
            switch (statement)
            {
                case TPrimal { Statement: IrAssign assign } when ir.Values[assign.Target].Type.IsTensor:
                    _bufferedInLoop.Add(assign.Target);
                    if (handedOn.Contains(assign.Target) && ComputesIntoBuffer(assign))
                    {
                        _valueSlots[assign.Target] = cursor;
                    }

                    break;
                case TRuleTangent rule when ir.Values[rule.Target].Type.IsTensor:
                    _bufferedInLoop.Add(rule.Target);
                    if (tangentsHandedOn.Contains(rule.Target))
                    {
                        _tangentSlots[rule.Target] = cursor;
                    }

                    break;
                case TLoop inner when _countedLoops.Contains(inner.Loop.Cursor):
                    foreach (var carried in inner.Loop.Carried.Where(c => c.Exit >= 0 && ir.Values[c.Exit].Type.IsTensor && !_returned.Contains(c.Exit)))
                    {
                        _exitCopies.Add(carried.Exit);
                        if (handedOn.Contains(carried.Exit))
                        {
                            _valueSlots[carried.Exit] = cursor;
                        }
                    }

                    foreach (var carried in inner.Tangents.Where(c => c.Exit >= 0 && ir.Values[c.Exit].Type.IsTensor))
                    {
                        _tangentExitCopies.Add(carried.Exit);
                        if (tangentsHandedOn.Contains(carried.Exit))
                        {
                            _tangentSlots[carried.Exit] = cursor;
                        }
                    }

                    break;
            }
        }

        if (_valueSlots.ContainsValue(cursor) || _tangentSlots.ContainsValue(cursor))
        {
            _countedLoops.Add(cursor);
            _slotCounts[cursor] = 2 + previous;
        }
    }

    /// <summary>A block's statements, those of its branches included, not those of its loops (the loops themselves are).</summary>
    private static IEnumerable<TStatement> OwnStatements(TBlock block) => block.Statements.SelectMany(s => s is TIf branch
        ? new[] { s }.Concat(OwnStatements(branch.Then)).Concat(OwnStatements(branch.Else))
        : new[] { s });

    /// <summary>
    /// Whether a tensor a nested loop leaves (its exit value) is copied into a buffer of the enclosing iteration's: the
    /// loop's next run reuses the buffers it was left in.
    /// </summary>
    public bool CopiesExit(int exit) => _exitCopies.Contains(exit);

    /// <summary>Whether the tangent of a tensor a nested loop leaves is copied into a buffer of the enclosing iteration's.</summary>
    public bool CopiesTangentExit(int exit) => _tangentExitCopies.Contains(exit);

    private readonly HashSet<int> _exitCopies = new();
    private readonly HashSet<int> _tangentExitCopies = new();

    /// <summary>
    /// How many iterations back a carried tensor of the loop reaches (<c>prev = h</c>: 1; <c>prev2 = prev; prev = h</c>:
    /// 2), so that what an iteration computes lives that many iterations more. Carried values that go round in a cycle
    /// (<c>t = a; a = b; b = t;</c>), and those that take theirs, only ever hold what the loop
    /// started from, never a tensor an iteration computed: they reach back nowhere (the buffers in turn rotate only what
    /// the iterations compute). -1 when a carried tensor a branch may leave unchanged keeps a previous value
    /// (<c>if (t == 1) { prev = h; }</c>): it may hold what any earlier iteration computed.
    /// </summary>
    private static int PreviousValueDepth(IrMethod ir, IrLoop loop, IReadOnlyDictionary<int, int> copies)
    {
        var carried = loop.Carried.Where(c => ir.Values[c.Phi].Type.IsTensor).ToDictionary(c => c.Phi);
        int? PreviousOf(IrCarried c)
        {
            if (c.Next is not IrRef { Value: var next })
            {
                return null;
            }

            var source = copies.TryGetValue(next, out var copied) ? copied : next;
            return carried.ContainsKey(source) ? source : null;
        }

        // A carried tensor that a branch may leave as it was (if (t == 1) { prev = h; }) can hold what any earlier
        // iteration computed: no number of buffers in turn is enough, so the loop's tensors stay fresh.
        if (LoopMerges.KeepCarriedValues(ir, loop, id => copies.TryGetValue(id, out var copied) ? copied : null))
        {
            return -1;
        }

        var deepest = 0;
        foreach (var c in carried.Values)
        {
            var depth = 0;
            for (var phi = PreviousOf(c); phi is { } p; phi = PreviousOf(carried[p]))
            {
                if (++depth > carried.Count)
                {
                    depth = 0; // a cycle: no value an iteration computes comes this way
                    break;
                }
            }

            deepest = System.Math.Max(deepest, depth);
        }

        return deepest;
    }

    /// <summary>The loops of a block not nested in another loop (those inside its branches included).</summary>
    private static IEnumerable<TLoop> OuterLoops(TBlock block) => block.Statements.SelectMany(s => s switch
    {
        TLoop loop => new[] { loop },
        TIf branch => OuterLoops(branch.Then).Concat(OuterLoops(branch.Else)),
        _ => Enumerable.Empty<TLoop>(),
    });

    private void Hoist(TBlock block, System.Func<int, bool> wanted)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case TIf branch:
                    _declaredAhead[branch] = DefinedWithin(branch).Where(id => wanted(id) && _hoisted.Add(id)).ToList();
                    Hoist(branch.Then, wanted);
                    Hoist(branch.Else, wanted);
                    break;
                case TLoop loop:
                    Hoist(loop.Header, wanted);
                    Hoist(loop.Body, wanted);
                    break;
            }
        }
    }

    /// <summary>Values a branch defines (its phis, what its sides assign and its loops leave, nested branches included).</summary>
    private static IEnumerable<int> DefinedWithin(TIf t)
    {
        foreach (var phi in t.Branch.Phis)
        {
            yield return phi.Target;
        }

        foreach (var statement in t.Then.Statements.Concat(t.Else.Statements))
        {
            switch (statement)
            {
                case TPrimal { Statement: IrAssign assign }:
                    yield return assign.Target;
                    break;
                case TPushforwardCall call:
                    yield return call.Target;
                    break;
                case TLoop loop:
                    // What a loop inside the branch leaves, and its carried values (the reverse sweep may read one, as
                    // the loop left it, before its reverse loop); its other values are taped per iteration.
                    foreach (var carried in loop.Loop.Carried)
                    {
                        yield return carried.Phi;
                        if (carried.Exit >= 0)
                        {
                            yield return carried.Exit;
                        }
                    }

                    break;
                case TIf nested:
                    foreach (var id in DefinedWithin(nested))
                    {
                        yield return id;
                    }

                    break;
            }
        }
    }

    /// <summary>The values each tangent statement reads right after its value's definition (its operands, the result).</summary>
    private static Dictionary<int, List<int>> ReadByTangents(TBlock body)
    {
        var reads = new Dictionary<int, List<int>>();
        foreach (var statement in Descendants(body))
        {
            switch (statement)
            {
                case TTangent tangent:
                    reads[tangent.Value] = C.Values(tangent.Tangent).ToList();
                    break;
                case TRuleTangent rule:
                    reads[rule.Target] = rule.Call.Arguments.SelectMany(IrWalker.References).ToList();
                    break;
            }
        }

        return reads;
    }

    /// <summary>
    /// The versions of a variable that share one local share one tangent local too (<c>ds += dt0</c>), named after the
    /// variable: their lifetimes do not overlap, nor do their tangents' (a tangent is read where its value is, or
    /// right after the definition it follows, which <see cref="LoopLocals"/> was told). It is declared by the first
    /// tangent defined in the block that declares the variable, or with the variable when all are in nested blocks.
    /// </summary>
    private void ShareTangents(IrMethod ir, TangentProgram program, LoopLocals locals, string prefix, IEnumerable<string> taken)
    {
        var valuePaths = new Dictionary<int, int[]>();
        var tangentSites = new List<(int Id, int[] Path)>();
        var blocks = 0;
        Walk(program.Body, []);

        var allocator = DerivativeNames.Allocator(ir);
        foreach (var name in program.TangentNames.Values.Concat(Descendants(program.Body).OfType<TPrimal>().Select(p => p.Companion?.Name).OfType<string>()).Concat(taken))
        {
            allocator.Reserve(name);
        }

        foreach (var first in valuePaths.Keys.Where(id => locals.Sharing(id) is { Count: > 0 } members && members[0] == id))
        {
            var members = locals.Sharing(first);
            var sites = tangentSites.Where(site => members.Contains(site.Id)).ToList();
            if (sites.Count == 0)
            {
                continue;
            }

            var wanted = prefix + NameAllocator.Unescape(locals.Name(first));
            var name = members.Any(m => program.TangentNames.TryGetValue(m, out var own) && own == wanted) ? wanted : allocator.AllocateDerivative(prefix, locals.Name(first));
            foreach (var member in members.Where(program.TangentNames.ContainsKey))
            {
                _sharedTangents[member] = name;
            }

            if (sites[0].Path.SequenceEqual(valuePaths[first]))
            {
                _declaresSharedTangent.Add(sites[0].Id);
            }
            else
            {
                _tangentDeclaredWith[first] = name;
            }
        }

        void Walk(TBlock block, int[] path)
        {
            foreach (var statement in block.Statements)
            {
                switch (statement)
                {
                    case TPrimal { Statement: IrAssign assign }:
                        Value(assign.Target, path);
                        break;
                    case TTangent tangent:
                        tangentSites.Add((tangent.Value, path));
                        break;
                    case TRuleTangent rule:
                        tangentSites.Add((rule.Target, path));
                        break;
                    case TPushforwardCall call:
                        Value(call.Target, path);
                        tangentSites.Add((call.Target, path));
                        break;
                    case TIf branch:
                        branch.Branch.Phis.ToList().ForEach(p => Value(p.Target, path));
                        tangentSites.AddRange(branch.TangentPhis.Select(p => (p.Target, path)));
                        Walk(branch.Then, [.. path, blocks++]);
                        Walk(branch.Else, [.. path, blocks++]);
                        break;
                    case TLoop loop:
                        loop.Loop.Carried.ToList().ForEach(c => Value(c.Phi, path));
                        tangentSites.AddRange(loop.Tangents.Select(c => (c.Phi, path)));
                        var inner = new[] { blocks++ };
                        Walk(loop.Header, [.. path, .. inner]);
                        Walk(loop.Body, [.. path, .. inner]);
                        loop.Loop.Carried.Where(c => c.Exit >= 0).ToList().ForEach(c => Value(c.Exit, path));
                        tangentSites.AddRange(loop.Tangents.Where(c => c.Exit >= 0).Select(c => (c.Exit, path)));
                        break;
                }
            }
        }

        void Value(int id, int[] path)
        {
            if (!valuePaths.ContainsKey(id))
            {
                valuePaths[id] = path;
            }
        }
    }

    /// <summary>Values defined inside a loop (its header or body, at any depth).</summary>
    private static HashSet<int> LoopValues(TBlock body)
    {
        var values = new HashSet<int>();
        foreach (var loop in Descendants(body).OfType<TLoop>())
        {
            foreach (var statement in Descendants(loop.Header).Concat(Descendants(loop.Body)))
            {
                switch (statement)
                {
                    case TPrimal { Statement: IrAssign assign }:
                        values.Add(assign.Target);
                        break;
                    case TRuleTangent rule:
                        values.Add(rule.Target);
                        break;
                }
            }
        }

        return values;
    }

    /// <summary>The values the method may return: its result and, through copies, merges and loops, their sources.</summary>
    private static HashSet<int> ReturnedValues(IrMethod ir, TBlock body)
    {
        var returned = new HashSet<int>();
        var pending = new Stack<int>();
        if (ir.Result is IrRef { Value: var result })
        {
            pending.Push(result);
        }

        var sources = new Dictionary<int, List<int>>();
        foreach (var statement in Descendants(body))
        {
            switch (statement)
            {
                case TPrimal { Statement: IrAssign { Value: IrRef source } copy }:
                    Add(copy.Target, source.Value);
                    break;
                case TIf branch:
                    foreach (var phi in branch.Branch.Phis)
                    {
                        foreach (var side in new[] { phi.WhenTrue, phi.WhenFalse }.OfType<IrRef>())
                        {
                            Add(phi.Target, side.Value);
                        }
                    }

                    break;
                case TLoop loop:
                    foreach (var carried in loop.Loop.Carried)
                    {
                        if (carried.Exit >= 0)
                        {
                            Add(carried.Exit, carried.Phi);
                        }

                        foreach (var source in new[] { carried.Initial, carried.Next }.OfType<IrRef>())
                        {
                            Add(carried.Phi, source.Value);
                        }
                    }

                    break;
            }
        }

        while (pending.Count > 0)
        {
            var id = pending.Pop();
            if (returned.Add(id) && sources.TryGetValue(id, out var from))
            {
                from.ForEach(pending.Push);
            }
        }

        return returned;

        void Add(int target, int source)
        {
            if (!sources.TryGetValue(target, out var list))
            {
                sources[target] = list = new List<int>();
            }

            list.Add(source);
        }
    }

    /// <summary>A block's statements and, depth first, those of its branches and loops.</summary>
    internal static IEnumerable<TStatement> Descendants(TBlock block) => block.Statements.SelectMany(s => s switch
    {
        TIf branch => new[] { s }.Concat(Descendants(branch.Then)).Concat(Descendants(branch.Else)),
        TLoop loop => new[] { s }.Concat(Descendants(loop.Header)).Concat(Descendants(loop.Body)),
        _ => new[] { s },
    });
}
