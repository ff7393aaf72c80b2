using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Planning;

/// <summary>
/// Plans each generated reverse-mode method: runs the reverse sweep, places gradient declarations, and decides what
/// the forward sweep keeps, tapes, hoists, recomputes and where each tensor lives (<see cref="ReversePlan"/>).
/// </summary>
internal static class ReversePlanner
{
    /// <param name="compilerServices">How generated code spells <c>SymDiff.CompilerServices.</c> (empty when imported).</param>
    public static ReversePlan Plan(IrMethod ir, SweepMode mode, string methodName, string publicName, bool recomputeLoops, bool isPublic, string mathPrefix, string compilerServices) =>
        ReversePlan.Create(ir, mode, methodName, publicName, recomputeLoops, isPublic, mathPrefix, compilerServices);
}

internal sealed partial class ReversePlan
{
    internal static ReversePlan Create(IrMethod ir, SweepMode mode, string methodName, string publicName, bool recomputeLoops, bool isPublic, string mathPrefix, string compilerServices)
    {
        var plan = new ReversePlan(ir, mode, methodName, publicName, recomputeLoops, isPublic);
        plan.Build(mathPrefix, compilerServices);
        return plan;
    }

    private void Build(string mathPrefix, string compilerServices)
    {
        // A call to another file's scalar-valued method computes its partials with its value (its gradient): the
        // reverse sweep reads them (CPartial) instead of calling its pullback, which would run it again.
        var sweep = new ReverseSweep(_ir, Mode == SweepMode.Value ? SweepMode.Gradient : Mode, mathPrefix, callPartials: compilerServices);
        var reverse = _ir.Result is null || Mode == SweepMode.Value ? new RBlock() : sweep.Run();

        // Gradients the caller owns: every one in a pullback; tensors in a gradient (accumulated into).
        var predeclared = _ir.Parameters
            .Where(p => p.Differentiable && (Mode == SweepMode.Pullback || p.Type.IsTensor))
            .Select(p => p.Value);
        _declared = GradientPlacement.Resolve(reverse, sweep, predeclared);
        _reverse = reverse;
        FindCallPartials(reverse);

        // The forward sweep keeps what the reverse sweep reads (and, in the gradient, the result). Inside loops,
        // spans cannot be taped: the reverse sweep recomputes them, so it reads their operands too.
        Own(_ir.Body.Statements, -1);
        var reverseReads = new HashSet<int>(reverse.Descendants().Where(statement => statement is not RReset && ShapeRead(statement) < 0).SelectMany(Reads));

        // A gradient zeroed in the shape of a value an iteration defines (or passed on when it has that shape) needs only
        // the shape: when the reverse sweep reads the value for nothing else, an iteration keeps its shape, not the
        // tensor (recomputed iterations have it).
        foreach (var id in reverse.Descendants().Select(ShapeRead).Where(id => id >= 0).Distinct())
        {
            if (!RecomputeLoops && !reverseReads.Contains(id) && _owner[id] >= 0 && _definitions.ContainsKey(id) && !_loopPhis.Contains(id))
            {
                _shapeTaped.Add(id);
            }
            else
            {
                reverseReads.Add(id);
            }
        }

        KeepSourcesOfReads(reverseReads);
        var pending = new Stack<int>(reverseReads.Where(Recomputed));
        while (pending.Count > 0)
        {
            foreach (var operand in IrWalker.References(_definitions[pending.Pop()].Value))
            {
                if (reverseReads.Add(operand) && Recomputed(operand))
                {
                    pending.Push(operand);
                }
            }
        }

        // A carried tensor's gradient starts each reverse iteration over in the shape of that iteration's value. A
        // recomputed iteration that reads the value for nothing else keeps only its shape, not a copy.
        foreach (var phi in reverse.Descendants().OfType<RReset>().Select(r => r.Value).Where(IsTensor).Distinct())
        {
            if (RecomputeLoops && !reverseReads.Contains(phi) && !IrWalker.Loops(LoopOf(phi).Body.Statements).Any())
            {
                _shapeTaped.Add(phi);
            }
            else
            {
                reverseReads.Add(phi);
            }
        }

        _shapeTaped.RemoveWhere(id => !_loopPhis.Contains(id) && reverseReads.Contains(id)); // read anyway (a span's operand)
        _reverseReads = reverseReads;
        var forward = PruneForward(reverseReads);
        if (AddRecomputedLoopInputs(forward, reverseReads))
        {
            forward = PruneForward(reverseReads);
        }

        _forward = forward;
        _hoisted = new HashSet<int>(forward.OfType<IrIf>().SelectMany(DefinedWithin).Where(reverseReads.Contains));
        _partialsAhead.UnionWith(forward.OfType<IrIf>().SelectMany(DefinedWithin).Where(id => _callPartials.ContainsKey(id) && _owner[id] < 0));
        _cursorLoops = new HashSet<int>(IrWalker.Loops(forward).Where(l => reverseReads.Contains(l.Cursor) || l.Body.Statements.Any(UsesDestinationOutsideLoops)).Select(l => l.Cursor));
        PlanRecomputation(forward, reverseReads);
        _shapeTaped.RemoveWhere(_keptInRecompute.Contains); // kept anyway, to recompute the iteration

        // A recomputed loop inside a branch restores its kept carried values by assignment: declare them up front.
        _hoisted.UnionWith(forward.OfType<IrIf>().SelectMany(DefinedWithin).Where(id => _keptInRecompute.Contains(id) && _loopPhis.Contains(id)));
        if (Mode == SweepMode.Value)
        {
            // Nothing is taped: a tensor that outlives its iteration only needs the next iteration not to overwrite it.
            _ringLoops.UnionWith(IrWalker.Loops(forward).Where(l => !Chained(l)).Select(l => l.Cursor));
        }

        PlanExitCopies(forward);
        FindExitReads(reverse, new List<int>());
        UsesWorkspace = forward.Any(UsesDestination) || UsesTensorGradients(reverse) || Enumerable.Range(0, _owner.Length).Any(Taped)
            || _exitTaped.Count > 0 || _copiedExits.Count > 0;

        Signature = DerivativeNames.Of(_ir);
        NameGradients(sweep);
        _discards = sweep.Discards.OrderBy(d => d.Key).ToList();
        LayOutWorkspace();
        UsesWorkspace |= _workspaceFields.Count > 0; // a call's partials
        // The reverse sweep restores a loop's carried values into the forward sweep's locals; a loop's final value the
        // method returns after it keeps a local of its own.
        var exits = new HashSet<int>(IrWalker.Loops(_forward).SelectMany(l => l.Carried).Select(c => c.Exit));
        var returned = new HashSet<int>(Mode == SweepMode.Value ? [] : IrWalker.References(_ir.Result).Where(exits.Contains));
        var readOutsideTheirLoop = new HashSet<int>();
        FindReadsOutsideTheirLoop(reverse, new HashSet<int>(), readOutsideTheirLoop);
        Locals = LoopLocals.Plan(_ir, _forward, id => returned.Contains(id) || KeepsSsaName(id, readOutsideTheirLoop), namesItsClass: id => Owner(id) >= 0 && readOutsideTheirLoop.Contains(id), sharesTensors: true);
    }

    /// <summary>
    /// Values the reverse sweep refers to by name keep their SSA names; the others may share one local with the other
    /// versions of their variable (<see cref="LoopLocals"/>). The iterations of a loop outside loops are the exception:
    /// the reverse sweep takes back what it reads from the tapes into locals of its own, under their SSA names (the
    /// printer names every value a loop defines so in the reverse sweep), and tapes and buffers are named after SSA
    /// names too, so the forward loop prints with the user's names (<c>h = Tanh(...)</c>, not <c>h_1 = ...; h = h_1;</c>).
    /// What the reverse sweep reads after the loop keeps the local's name (<c>h</c>, first of its class).
    /// </summary>
    private bool KeepsSsaName(int id, HashSet<int> readOutsideTheirLoop)
    {
        if (Owner(id) >= 0 && Enclosing(Owner(id)) < 0 && !Nested(Owner(id)) && !IrWalker.Loops(LoopOf(id).Body.Statements).Any()
            && !Hoisted(id) && !CopiedExit(id) && !ExitTaped(id) && !ShapeTaped(id))
        {
            return false;
        }

        var recomputed = IrWalker.DefinitionOrder(IrWalker.Loops(_forward).SelectMany(l => RecomputedBody(l.Cursor) ?? [])).Contains(id);
        return ReverseReads(id) || Hoisted(id) || (Owner(id) >= 0 && Taped(id)) || recomputed
            || CopiedExit(id) || ExitTaped(id) || ShapeTaped(id)
            || (Defines(id) && Definition(id).Value is IrCall { Callee: { HasDestination: true } or { SavedType: not null } })
            || readOutsideTheirLoop.Contains(id);
    }

    /// <summary>Values that a reverse statement reads outside the reverse of the loop whose iterations define them.</summary>
    private void FindReadsOutsideTheirLoop(RBlock block, HashSet<int> enclosing, HashSet<int> found)
    {
        foreach (var statement in block.Statements)
        {
            var reads = statement is RReset reset ? new[] { reset.Value } : Reads(statement);
            found.UnionWith(reads.Where(id => Owner(id) >= 0 && !enclosing.Contains(Owner(id))));
            switch (statement)
            {
                case RLoop loop:
                    var inner = new HashSet<int>(enclosing) { loop.Loop.Cursor };
                    FindReadsOutsideTheirLoop(loop.Body, inner, found);
                    break;
                case RIf branch:
                    FindReadsOutsideTheirLoop(branch.Then, enclosing, found);
                    FindReadsOutsideTheirLoop(branch.Else, enclosing, found);
                    break;
            }
        }
    }

    /// <summary>
    /// The forward values one reverse statement reads (a zeroed tensor gradient reads its value's shape; a loop, only
    /// its cursor and start).
    /// </summary>
    private IEnumerable<int> Reads(RStatement statement) => statement switch
    {
        RAccumulate a => Reads(a.Contribution),
        RDeclare d => Reads(d.Initializer),
        RZero z when IsTensor(z.Value) => z.Shape is null ? new[] { z.Value } : Reads(z.Shape),
        RAddAssign a => Reads(a.Contribution),
        // A rule that reads saved state reads the call that saved it: that call stays in the forward sweep.
        RCall call => call.Arguments.SelectMany(a => Reads(a.Expression)),
        RIf branch => C.Values(branch.Condition),
        RLoop loop => loop.Loop.Start >= 0 ? new[] { loop.Loop.Cursor, loop.Loop.Start } : new[] { loop.Loop.Cursor },
        // A carried tensor's gradient starts each reverse iteration over in the shape of that iteration's value.
        RReset reset when IsTensor(reset.Value) => new[] { reset.Value },
        _ => Enumerable.Empty<int>(),
    };

    /// <summary>
    /// A value the reverse sweep reads may share its elements with what it was made from (a reshaped view), or be one
    /// of them (a phi): a tensor that a read value is made from keeps its elements, not only its shape.
    /// </summary>
    private void KeepSourcesOfReads(HashSet<int> reverseReads)
    {
        var consumers = new Dictionary<int, List<int>>();
        void Feeds(IrExpr? source, int consumer)
        {
            foreach (var id in IrWalker.References(source))
            {
                if (!consumers.TryGetValue(id, out var list))
                {
                    consumers[id] = list = new List<int>();
                }

                list.Add(consumer);
            }
        }

        void Walk(IEnumerable<IrStatement> statements)
        {
            foreach (var statement in statements)
            {
                switch (statement)
                {
                    case IrAssign assign:
                        Feeds(assign.Value, assign.Target);
                        break;
                    case IrIf branch:
                        Walk(branch.Then.Statements);
                        Walk(branch.Else.Statements);
                        foreach (var phi in branch.Phis)
                        {
                            Feeds(phi.WhenTrue, phi.Target);
                            Feeds(phi.WhenFalse, phi.Target);
                        }

                        break;
                    case IrLoop loop:
                        Walk(loop.Header.Statements);
                        Walk(loop.Body.Statements);
                        foreach (var carried in loop.Carried)
                        {
                            Feeds(carried.Initial, carried.Phi);
                            Feeds(carried.Next, carried.Phi);
                            if (carried.Exit >= 0)
                            {
                                Feeds(new IrRef(carried.Phi), carried.Exit);
                            }
                        }

                        break;
                }
            }
        }

        Walk(_ir.Body.Statements);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var id in _shapeTaped.Where(id => consumers.TryGetValue(id, out var list) && list.Any(reverseReads.Contains)).ToList())
            {
                _shapeTaped.Remove(id);
                reverseReads.Add(id);
                changed = true;
            }
        }
    }

    /// <summary>
    /// The tensor whose shape alone a statement reads: a zeroed gradient's (its own value's, or a [SameShapeAs] value's), a
    /// broadcastable pass-through's input; -1 otherwise.
    /// </summary>
    private int ShapeRead(RStatement statement) => statement switch
    {
        RZero { Shape: null } z when IsTensor(z.Value) => z.Value,
        RZero { Shape: CValue like } z when IsTensor(z.Value) => like.Id,
        RDeclare d => C.PassThroughInput(d.Initializer),
        _ => -1,
    };

    /// <summary>The forward values an expression reads; saved state and a call's partials read the call that made them.</summary>
    private static IEnumerable<int> Reads(CExpr? e) => e is CSaved saved ? new[] { saved.Id } : C.Values(e).Concat(C.Partials(e).Select(p => p.Id));

    /// <summary>
    /// Carried values of nested loops that the reverse sweep reads outside that loop's reverse: the value the loop
    /// ended with (a carried gradient zeroed before the reverse loop takes its shape when nothing flows in after
    /// the loop). The enclosing loop's iteration keeps it on a tape of its own and restores it.
    /// </summary>
    private void FindExitReads(RBlock block, List<int> loops)
    {
        foreach (var statement in block.Statements)
        {
            foreach (var id in Reads(statement))
            {
                if (_loopPhis.Contains(id) && !loops.Contains(_owner[id]) && _enclosing[_owner[id]] >= 0)
                {
                    _exitTaped.Add(id);
                }
            }

            switch (statement)
            {
                case RLoop loop:
                    loops.Add(loop.Loop.Cursor);
                    FindExitReads(loop.Body, loops);
                    loops.RemoveAt(loops.Count - 1);
                    break;
                case RIf branch:
                    FindExitReads(branch.Then, loops);
                    FindExitReads(branch.Else, loops);
                    break;
            }
        }
    }

    /// <summary>The loop that carries <paramref name="phi"/>.</summary>
    private IrLoop LoopOf(int phi) => IrWalker.Loops(_ir.Body.Statements).First(l => l.Cursor == _owner[phi]);

    /// <summary>
    /// A tensor that leaves a loop whose buffers alternate is copied into a buffer of its own when the loop is nested
    /// in another: the loop's next run reuses those buffers while the value may still be in use (read by the
    /// enclosing iteration, kept on its tape). The enclosing loop counts its iterations when that buffer is one
    /// of its slots. In the forward pass alone, a value that only comes back as the loop's next starting value
    /// stays where it is: the next run's first iteration writes into the other buffer.
    /// </summary>
    private void PlanExitCopies(List<IrStatement> forward)
    {
        var references = new Dictionary<int, int>();
        foreach (var id in References(forward))
        {
            references[id] = references.TryGetValue(id, out var n) ? n + 1 : 1;
        }

        int Count(int id) => references.TryGetValue(id, out var n) ? n : 0;
        // In the forward pass alone, a loop whose nested loops alternate buffers may hand on one of theirs too.
        var loops = IrWalker.Loops(forward).ToList();
        bool Alternating(IrLoop loop) => _ringLoops.Contains(loop.Cursor)
            || (Mode == SweepMode.Value && IrWalker.Loops(loop.Body.Statements).Any(inner => _ringLoops.Contains(inner.Cursor)));
        foreach (var loop in loops.Where(l => Alternating(l) && _enclosing[l.Cursor] >= 0))
        {
            var enclosing = loops.First(l => l.Cursor == _enclosing[loop.Cursor]);
            foreach (var carried in loop.Carried.Where(c => c.Exit >= 0 && IsTensor(c.Phi)))
            {
                var onlyRestarts = Mode == SweepMode.Value && Count(carried.Exit) == 1
                    && enclosing.Carried.Any(o => o.Next is IrRef { Value: var next } && next == carried.Exit && Count(o.Phi) == 1
                        && loop.Carried.Any(c => c.Initial is IrRef { Value: var initial } && initial == o.Phi));
                if (!onlyRestarts)
                {
                    _copiedExits.Add(carried.Exit);
                    if (KeepsIterationBuffer(carried.Exit))
                    {
                        _cursorLoops.Add(_owner[carried.Exit]);
                    }
                }
            }
        }
    }

    /// <summary>Every value read in <paramref name="statements"/>, once per reading place.</summary>
    private static IEnumerable<int> References(IEnumerable<IrStatement> statements)
    {
        foreach (var statement in statements)
        {
            var read = statement switch
            {
                IrAssign assign => IrWalker.References(assign.Value),
                IrEffect effect => IrWalker.References(effect.Value),
                IrThrow thrown => IrWalker.References(thrown.Exception),
                IrIf branch => new[] { branch.Condition }
                    .Concat(References(branch.Then.Statements)).Concat(References(branch.Else.Statements))
                    .Concat(branch.Phis.SelectMany(p => IrWalker.References(p.WhenTrue).Concat(IrWalker.References(p.WhenFalse)))),
                IrLoop loop => new[] { loop.Condition }
                    .Concat(References(loop.Header.Statements)).Concat(References(loop.Body.Statements))
                    .Concat(loop.Carried.SelectMany(c => IrWalker.References(c.Initial).Concat(IrWalker.References(c.Next)))),
                _ => Enumerable.Empty<int>(),
            };
            foreach (var id in read)
            {
                yield return id;
            }
        }
    }

    /// <summary>Records, for every value, the cursor of the innermost loop whose iterations define it (-1: none).</summary>
    private void Own(IEnumerable<IrStatement> statements, int owner)
    {
        if (_owner.Length == 0)
        {
            _owner = Enumerable.Repeat(-1, _ir.Values.Count).ToArray();
        }

        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrAssign assign:
                    _owner[assign.Target] = owner;
                    _definitions[assign.Target] = assign;
                    break;
                case IrIf branch:
                    Own(branch.Then.Statements, owner);
                    Own(branch.Else.Statements, owner);
                    foreach (var phi in branch.Phis)
                    {
                        _owner[phi.Target] = owner;
                    }

                    break;
                case IrLoop loop:
                    _enclosing[loop.Cursor] = owner;
                    if (loop.Start >= 0)
                    {
                        _owner[loop.Start] = owner;
                        _nestedLoopCursors.Add(loop.Cursor);
                    }

                    foreach (var carried in loop.Carried)
                    {
                        _owner[carried.Phi] = loop.Cursor;
                        _loopPhis.Add(carried.Phi);
                        if (carried.Exit >= 0)
                        {
                            _owner[carried.Exit] = owner;
                        }
                    }

                    Own(loop.Header.Statements, loop.Cursor);
                    Own(loop.Body.Statements, loop.Cursor);
                    break;
            }
        }
    }

    /// <summary>
    /// With <c>RecomputeLoops</c>, an innermost loop keeps only what its iterations cannot recompute: the carried
    /// values its reverse iterations start from, and results of calls that may not give the same value twice. The
    /// reverse sweep reruns the body (pruned to what it reads) before reversing it; tensors then live in two
    /// alternating buffers instead of one per iteration, unless a carried tensor is another one's previous value.
    /// Values that rerun body defines inside branches and the reverse body reads are declared before its branches.
    /// </summary>
    private void PlanRecomputation(List<IrStatement> forward, HashSet<int> reverseReads)
    {
        foreach (var loop in RecomputedLoops(forward, reverseReads))
        {
            var live = new bool[_ir.Values.Count];
            foreach (var id in reverseReads.Where(id => _owner[id] == loop.Cursor))
            {
                live[id] = true;
            }

            var body = IrLiveness.Prune(loop.Body.Statements.ToList(), live);
            _recomputed[loop.Cursor] = body;
            _hoistedInRecompute[loop.Cursor] = new HashSet<int>(body.OfType<IrIf>().SelectMany(DefinedWithin).Where(reverseReads.Contains));
            foreach (var id in IrWalker.DefinitionOrder(body).Concat(loop.Carried.Select(c => c.Phi)))
            {
                if (live[id])
                {
                    _keptInRecompute.Add(id);
                }
            }

            if (!Chained(loop))
            {
                _ringLoops.Add(loop.Cursor);
            }
        }
    }

    /// <summary>
    /// Whether a carried tensor is another one's previous value (<c>prev = h; h = f(h)</c>), or one a branch may leave
    /// as it was (<c>if (t == 1) { prev = h; }</c>): then a value lives two or more iterations, and two alternating
    /// buffers are not enough.
    /// </summary>
    private bool Chained(IrLoop loop)
    {
        var phis = new HashSet<int>(loop.Carried.Select(c => c.Phi));
        return loop.Carried.Any(c => _ir.Values[c.Phi].Type.IsTensor && c.Next is IrRef { Value: var next }
                && _definitions.TryGetValue(next, out var copy) && copy.Value is IrRef { Value: var source } && phis.Contains(source))
            || LoopMerges.KeepCarriedValues(_ir, loop, id => _definitions.TryGetValue(id, out var copy) && copy.Value is IrRef { Value: var source } ? source : null);
    }

    /// <summary>The forward sweep: what the reverse sweep reads (and, in the gradient, the result).</summary>
    private List<IrStatement> PruneForward(HashSet<int> reverseReads)
    {
        var live = new bool[_ir.Values.Count];
        foreach (var id in reverseReads)
        {
            live[id] = true;
        }

        if (Mode is SweepMode.Gradient or SweepMode.Value)
        {
            IrLiveness.Mark(_ir.Result, live);
        }

        foreach (var id in _shapeTaped)
        {
            live[id] = true;
        }

        return IrLiveness.Prune(_ir.Body.Statements.ToList(), live);
    }

    /// <summary>
    /// A recomputed iteration also reads values defined outside its loop (an enclosing loop's counter, say): the
    /// reverse sweep must have them back at that point, from the enclosing loop's tapes. Returns whether any was added.
    /// </summary>
    private bool AddRecomputedLoopInputs(List<IrStatement> forward, HashSet<int> reverseReads)
    {
        var added = false;
        foreach (var loop in RecomputedLoops(forward, reverseReads))
        {
            var live = new bool[_ir.Values.Count];
            foreach (var id in reverseReads.Where(id => _owner[id] == loop.Cursor))
            {
                live[id] = true;
            }

            IrLiveness.Prune(loop.Body.Statements.ToList(), live);
            for (var id = 0; id < live.Length; id++)
            {
                added |= live[id] && _owner[id] != loop.Cursor && reverseReads.Add(id);
            }
        }

        return added;
    }

    private IEnumerable<IrLoop> RecomputedLoops(List<IrStatement> forward, HashSet<int> reverseReads) => RecomputeLoops
        ? IrWalker.Loops(forward).Where(l => !IrWalker.Loops(l.Body.Statements).Any() && reverseReads.Contains(l.Cursor))
        : [];

    private static bool UsesDestinationOutsideLoops(IrStatement statement) => statement switch
    {
        IrAssign { Value: IrCall { Callee.HasDestination: true } } => true,
        IrAssign { Value: IrCall { Callee.SavedType: not null } } => true,
        IrIf branch => branch.Then.Statements.Any(UsesDestinationOutsideLoops) || branch.Else.Statements.Any(UsesDestinationOutsideLoops),
        _ => false,
    };

    private static bool UsesDestination(IrStatement statement) => statement switch
    {
        IrAssign { Value: IrCall { Callee.HasDestination: true } } => true,
        IrAssign { Value: IrCall { Callee.SavedType: not null } } => true,
        IrIf branch => branch.Then.Statements.Any(UsesDestination) || branch.Else.Statements.Any(UsesDestination),
        IrLoop loop => loop.Header.Statements.Any(UsesDestination) || loop.Body.Statements.Any(UsesDestination),
        _ => false,
    };

    private bool UsesTensorGradients(RBlock block) => block.Descendants().Any(s => s switch
    {
        RZero zero => IsTensor(zero.Value) && !IsParameter(zero.Value),
        RDeclare declare => IsTensor(declare.Value) && !IsParameter(declare.Value),
        _ => false,
    });

    private bool IsParameter(int value) => _ir.Parameters.Any(p => p.Value == value);

    /// <summary>Gradient names, given in the order the reverse sweep first mentions them (parameters' are fixed).</summary>
    private void NameGradients(ReverseSweep sweep)
    {
        _gradientNames = new string?[_ir.Values.Count];
        void Name(int value) => _gradientNames[value] ??= sweep.GradientName(value);
        void NameIn(CExpr? e)
        {
            foreach (var id in C.Gradients(e))
            {
                Name(id);
            }
        }

        foreach (var parameter in _ir.Parameters.Where(p => p.Differentiable))
        {
            Name(parameter.Value);
        }

        foreach (var statement in _reverse.Descendants())
        {
            switch (statement)
            {
                case RZero zero:
                    Name(zero.Value);
                    NameIn(zero.Shape);
                    break;
                case RDeclare declare when IsTensor(declare.Value):
                    Name(declare.Value);
                    NameIn(declare.Initializer);
                    break;
                case RDeclare declare:
                    NameIn(declare.Initializer);
                    Name(declare.Value);
                    break;
                case RAddAssign add:
                    Name(add.Value);
                    NameIn(add.Contribution);
                    break;
                case RAccumulate accumulate:
                    Name(accumulate.Value);
                    NameIn(accumulate.Contribution);
                    break;
                case RCall call:
                    foreach (var argument in call.Arguments)
                    {
                        if (argument.GradientOf is { } value)
                        {
                            Name(value);
                        }

                        NameIn(argument.Expression);
                    }

                    break;
                case RReset reset:
                    Name(reset.Value);
                    break;
                case RIf branch:
                    NameIn(branch.Condition);
                    break;
            }
        }
    }

    /// <summary>
    /// The workspace's fields, in the order the printed method first uses them: the forward sweep's buffers and tapes,
    /// then the reverse sweep's gradient buffers and the tapes its iterations read.
    /// </summary>
    private void LayOutWorkspace()
    {
        LayOutForward(_forward, recomputing: false);
        LayOutReverse(_reverse);
    }

    private void AddField(WorkspaceFieldKind kind, string type, string name)
    {
        var field = new WorkspaceField(kind, type, name);
        if (!_workspaceFields.Contains(field))
        {
            _workspaceFields.Add(field);
        }
    }

    private string TypeOf(int id) => _ir.Values[id].Type.Name;

    private void AddTape(int id) => AddField(WorkspaceFieldKind.Tape, IsTensor(id) ? TypeOf(id) + "?" : TypeOf(id), _ir.Values[id].Name);

    private void AddTapeStore(int id, bool recomputing)
    {
        if (!recomputing && Taped(id))
        {
            AddTape(id);
        }
    }

    private void AddExitTape(int phi) => AddField(WorkspaceFieldKind.Tape, IsTensor(phi) ? TypeOf(phi) + "?" : TypeOf(phi), AuxiliaryTapeName(phi, "Exit"));

    private void AddShapeTape(int id) => AddField(WorkspaceFieldKind.Tape, "int[]?", AuxiliaryTapeName(id, "Shape"));

    /// <summary>A tape named after a value and a suffix, apart from every value, saved state and gradient.</summary>
    private string AuxiliaryTapeName(int id, string suffix)
    {
        if (!_auxiliaryTapeNames.TryGetValue((id, suffix), out var name))
        {
            // Workspace fields are named after values (tapes, buffers, saved state) and their gradients (dh, dH, dh_1).
            var taken = new HashSet<string>(_ir.Values.Select(v => v.Name).Concat(_ir.ReservedNames)
                .SelectMany(n => new[] { n, "d" + n, n.Length > 0 ? "d" + char.ToUpperInvariant(n[0]) + n.Substring(1) : n })
                .Concat(_auxiliaryTapeNames.Values));
            var stem = _ir.Values[id].Name.TrimStart('@') + suffix;
            name = stem;
            for (var i = 1; taken.Contains(name); i++)
            {
                name = stem + i;
            }

            _auxiliaryTapeNames[(id, suffix)] = name;
        }

        return name;
    }

    private void LayOutForward(IReadOnlyList<IrStatement> statements, bool recomputing)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrAssign assign when recomputing && Taped(assign.Target):
                    AddTape(assign.Target);
                    break;

                case IrAssign assign:
                    if (assign.Value is IrCall { Callee.HasDestination: true } && C.FromIr(assign.Value) is CCall)
                    {
                        if (DestinationIsTape(assign.Target))
                        {
                            AddTape(assign.Target);
                        }
                        else
                        {
                            AddField(WorkspaceFieldKind.Buffer, TypeOf(assign.Target), _ir.Values[assign.Target].Name);
                        }
                    }
                    else if (_callPartials.ContainsKey(assign.Target))
                    {
                        LayOutCallPartials(assign);
                    }
                    else if (Mode != SweepMode.Value && assign.Value is IrCall { Callee.SavedType: { } savedType } && C.FromIr(assign.Value) is CCall)
                    {
                        AddField(_owner[assign.Target] >= 0 ? WorkspaceFieldKind.Tape : WorkspaceFieldKind.Buffer,
                            _owner[assign.Target] >= 0 ? savedType + "?" : savedType, _ir.Values[assign.Target].Name + "Saved");
                    }

                    if (!recomputing && _shapeTaped.Contains(assign.Target))
                    {
                        AddShapeTape(assign.Target);
                    }

                    if (!WritesIntoSlot(assign))
                    {
                        AddTapeStore(assign.Target, recomputing);
                    }

                    break;

                case IrIf branch:
                    LayOutForward(branch.Then.Statements, recomputing);
                    LayOutForward(branch.Else.Statements, recomputing);
                    foreach (var phi in branch.Phis)
                    {
                        AddTapeStore(phi.Target, recomputing);
                    }

                    break;

                case IrLoop loop:
                    if (loop.Start >= 0 && _cursorLoops.Contains(loop.Cursor))
                    {
                        AddTapeStore(loop.Start, recomputing);
                    }

                    var header = loop.Header.Statements;
                    if (!(header.Count == 0 || (header.Count == 1 && header[0] is IrAssign { Target: var target } && target == loop.Condition)))
                    {
                        LayOutForward(header, recomputing);
                    }

                    foreach (var carried in loop.Carried)
                    {
                        AddTapeStore(carried.Phi, recomputing);
                        if (_shapeTaped.Contains(carried.Phi))
                        {
                            AddShapeTape(carried.Phi);
                        }
                    }

                    LayOutForward(loop.Body.Statements, recomputing);
                    foreach (var carried in loop.Carried.Where(c => c.Exit >= 0))
                    {
                        if (_copiedExits.Contains(carried.Exit))
                        {
                            if (_owner[carried.Exit] >= 0 && KeepsIterationBuffer(carried.Exit))
                            {
                                AddTape(carried.Exit);
                                continue; // its slot is its tape
                            }

                            AddField(WorkspaceFieldKind.Buffer, TypeOf(carried.Exit), _ir.Values[carried.Exit].Name);
                        }

                        AddTapeStore(carried.Exit, recomputing);
                    }

                    foreach (var phi in loop.Carried.Select(c => c.Phi).Where(_exitTaped.Contains))
                    {
                        AddExitTape(phi);
                    }

                    break;
            }
        }
    }

    private void LayOutReverse(RBlock block)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case RZero zero when IsTensor(zero.Value):
                    AddField(WorkspaceFieldKind.Buffer, TypeOf(zero.Value), GradientName(zero.Value));
                    break;

                case RDeclare declare when IsTensor(declare.Value):
                    AddField(WorkspaceFieldKind.Buffer, TypeOf(declare.Value), GradientName(declare.Value));
                    break;

                case RReset reset when IsTensor(reset.Value):
                    if (_shapeTaped.Contains(reset.Value))
                    {
                        AddShapeTape(reset.Value);
                    }

                    AddField(WorkspaceFieldKind.Buffer, TypeOf(reset.Value), GradientName(reset.Value));
                    break;

                case RLoop loop:
                    var recomputed = _recomputed.TryGetValue(loop.Loop.Cursor, out var body);
                    foreach (var id in IrWalker.DefinitionOrder(_ir.Body.Statements))
                    {
                        if (_owner[id] == loop.Loop.Cursor && (recomputed ? Taped(id) && _loopPhis.Contains(id) : ReverseReads(id)) && !Recomputed(id))
                        {
                            AddTape(id);
                        }
                    }

                    foreach (var phi in ExitTapedIn(loop.Loop.Cursor))
                    {
                        AddExitTape(phi);
                    }

                    if (recomputed)
                    {
                        LayOutForward(body!, recomputing: true);
                    }

                    LayOutReverse(loop.Body);
                    break;

                case RIf branch:
                    LayOutReverse(branch.Then);
                    LayOutReverse(branch.Else);
                    break;
            }
        }
    }
}
