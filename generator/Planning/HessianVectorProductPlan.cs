using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator.Planning;

/// <summary>
/// The plan of a Hessian-vector product as printed: its forward sweep's (<see cref="Forward"/>), which gradients and
/// gradient tangents it computes (only those H·v reads), which loops count their iterations and, per loop, which values
/// and tangents each iteration keeps on tapes for the reverse loop (those its live steps read). Built once; it only
/// answers questions.
/// </summary>
internal sealed class HessianVectorProductPlan
{
    private readonly HashSet<int> _read;
    private readonly HashSet<int> _readTangents;
    private readonly Dictionary<int, int> _owner = new();
    private readonly Dictionary<int, List<int>> _tapedValues = new();
    private readonly Dictionary<int, List<int>> _tapedTangents = new();
    private readonly Dictionary<int, List<CallSite>> _tapedCalls = new();
    private readonly HashSet<int> _methodScope = new();
    private readonly Dictionary<int, List<int>> _tapedSaved = new();
    private readonly Dictionary<int, List<IrAssign>> _remade = new();
    private readonly Dictionary<int, int> _enclosing = new();

    private readonly IrMethod _ir;
    private readonly TangentProgram _program;

    private HessianVectorProductPlan(IrMethod ir, HessianVectorProduct product)
    {
        _ir = ir;
        Product = product;
        // Only what H·v needs is computed: from the parameters' gradient tangents back through the steps that feed them
        // (anything else would be a local assigned and never read, CS0219).
        (_read, _readTangents) = Live(product.Reverse, ir.Parameters.Where(p => p.Differentiable).Select(p => p.Value));
        // The forward sweep computes only the tangents those steps read (by name or from tapes): reversing from the
        // constant seed 1, nothing reads the result's tangent, nor what only it needs.
        // A call to another differentiable method goes through its product and gradient only where the reverse sweep
        // reads its partials or products, or its value's tangent is read; else it is the plain call.
        var reads = product.Reverse.Descendants().SelectMany(Reads).ToList();
        var names = new HashSet<string>(reads.SelectMany(C.Names));
        _program = TangentLiveness.Prune(
            product.Forward,
            reads.SelectMany(C.Tangents).ToList(),
            id => product.CallSites.TryGetValue(id, out var site) && site.Gradients.Concat(site.Products).Any(names.Contains));
        var calls = TangentPlan.Descendants(_program.Body).OfType<TPushforwardCall>().Select(c => c.Target).ToList();
        CallSites = product.CallSites.Where(c => calls.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value);
        Own(ir.Body.Statements, -1, topLevel: true);
        var reversed = product.Reverse.Descendants().OfType<RLoop>().ToList();
        // A span cannot be taped: the reverse iteration makes it again from what it reads (restored from tapes).
        var remade = IrWalker.Loops(ir.Body.Statements).SelectMany(l => ForwardModeSupport.SpansMadeInEveryIteration(ir, l)).ToDictionary(a => a.Target);
        Counted = IrWalker.Loops(ir.Body.Statements).Where(l => reversed.Any(r => r.Loop.Cursor == l.Cursor)).ToList();
        foreach (var loop in reversed)
        {
            var values = new HashSet<int>();
            var tangents = new HashSet<int>();
            foreach (var read in loop.Body.Descendants().SelectMany(Reads))
            {
                values.UnionWith(C.Values(read));
                tangents.UnionWith(C.Tangents(read));
            }

            foreach (var span in values.Where(remade.ContainsKey).ToList())
            {
                values.UnionWith(Operands(span));
            }

            // A nested reverse loop runs down to where its forward loop started in this iteration.
            values.UnionWith(loop.Body.Descendants().OfType<RLoop>().Where(l => l.Loop.Start >= 0).Select(l => l.Loop.Start));
            var order = IrWalker.DefinitionOrder(ir.Body.Statements).ToList();
            _tapedValues[loop.Loop.Cursor] = order.Where(id => values.Contains(id) && Owner(id) == loop.Loop.Cursor && !remade.ContainsKey(id)).ToList();
            _remade[loop.Loop.Cursor] = order.Where(id => values.Contains(id) && Owner(id) == loop.Loop.Cursor && remade.ContainsKey(id)).Select(id => remade[id]).ToList();
            _tapedTangents[loop.Loop.Cursor] = order.Where(id => tangents.Contains(id) && Owner(id) == loop.Loop.Cursor).ToList();
            // A call to another differentiable method: its reverse step reads the callee's partials and H·v.
            // State a call saved for its rule (a cross-entropy's softmax): each iteration saves into its own slot.
            var saved = new HashSet<int>(loop.Body.Descendants().SelectMany(Reads).OfType<CSaved>().Select(c => c.Id));
            _tapedSaved[loop.Loop.Cursor] = order.Where(id => saved.Contains(id) && Owner(id) == loop.Loop.Cursor).ToList();
            _tapedCalls[loop.Loop.Cursor] = order.Where(id => CallSites.ContainsKey(id) && Owner(id) == loop.Loop.Cursor).Select(id => CallSites[id]).ToList();
        }

        IEnumerable<int> Operands(int span) =>
            IrWalker.References(remade[span].Value).SelectMany(id => remade.ContainsKey(id) ? Operands(id).Append(id) : [id]);

        _phis = new HashSet<int>(IrWalker.Loops(ir.Body.Statements).SelectMany(l => l.Carried).Select(c => c.Phi));
        FindExitReads(product.Reverse, []);
        PlanIterationBuffers(_program);
        Forward = PlanForward();
    }

    /// <summary>
    /// The forward sweep prints the user's loops and names (<see cref="LoopLocals"/>), except for what the reverse sweep
    /// reads by name rather than taking back from a tape (the result, values read outside the reverse of the loop that
    /// defines them, state a call saved): those keep their SSA names. A value an iteration tapes is stored right after
    /// it is defined, so it keeps its SSA name too where its definition would print elsewhere (in a <c>for</c> header)
    /// or where a <c>break;</c> would leave before it is stored (a merge after the branch that breaks, what follows it).
    /// </summary>
    private TangentPlan PlanForward()
    {
        var byName = new HashSet<int>(IrWalker.References(_ir.Result));
        FindReadsByName(Product.Reverse, [], byName);
        // A call saving state for its rule saves it into a buffer named after the call's value.
        var keepsName = new HashSet<int>(Assignments(_ir.Body.Statements).Where(a => a.Value is IrCall { Callee.SavedType: not null }).Select(a => a.Target));
        var taken = Product.GradientTangentNames.Values.Concat(Product.Directions.Values).Concat(Product.Products.Values)
            .Concat(IrWalker.DefinitionOrder(_ir.Body.Statements).Select(Product.GradientName)).ToList();
        // Taped values are stored right after their definition: one that a for header could absorb (an incrementor, a
        // counter's first value), or that a 'break;' could leave before it is stored, keeps its own local.
        var stored = new HashSet<int>(Counted.SelectMany(l => TapedValues(l.Cursor).Concat(TapedTangents(l.Cursor)).Concat(TapedSaved(l.Cursor))
            .Concat(TapedCalls(l.Cursor).Select(c => c.Target))));
        foreach (var loop in IrWalker.Loops(_ir.Body.Statements).Where(l => l.Shape is not null))
        {
            var shape = loop.Shape!;
            var steps = loop.Body.Statements.OfType<IrAssign>().Where(a => shape.StepSource.Length > 0 && a.Source == shape.StepSource).Select(a => a.Target);
            var initials = loop.Carried.SelectMany(c => IrWalker.References(c.Initial));
            var skipped = shape.Breaks ? SkippedByBreak(loop) : [];
            keepsName.UnionWith(steps.Concat(initials).Concat(skipped).Where(stored.Contains));
        }

        return TangentPlan.CreateBeforeReverse(_ir, _program, byName.Contains, keepsName.Contains, taken);
    }

    /// <summary>
    /// The values a <c>break;</c> may leave before they are defined: from the first statement of the loop's body that
    /// holds a branch breaking out of it on, the merges of branches and everything after.
    /// </summary>
    private IEnumerable<int> SkippedByBreak(IrLoop loop)
    {
        var body = loop.Body.Statements;
        var first = -1;
        for (var i = 0; i < body.Count && first < 0; i++)
        {
            if (body[i] is IrIf or IrLoop)
            {
                first = i;
            }
        }

        if (first < 0)
        {
            yield break;
        }

        foreach (var id in IrWalker.DefinitionOrder(body.Skip(first).ToList()))
        {
            yield return id;
        }
    }

    private static IEnumerable<IrAssign> Assignments(IEnumerable<IrStatement> statements) => statements.SelectMany(s => s switch
    {
        IrAssign assign => new[] { assign },
        IrIf branch => Assignments(branch.Then.Statements).Concat(Assignments(branch.Else.Statements)),
        IrLoop loop => Assignments(loop.Header.Statements).Concat(Assignments(loop.Body.Statements)),
        _ => Enumerable.Empty<IrAssign>(),
    });

    /// <summary>
    /// Values (and values whose tangents) a live reverse step reads outside the reverse of the loop whose iterations
    /// define them: by name, not from a tape.
    /// </summary>
    private void FindReadsByName(RBlock block, List<int> loops, HashSet<int> found)
    {
        foreach (var statement in block.Statements)
        {
            foreach (var read in Reads(statement))
            {
                found.UnionWith(C.Values(read).Concat(C.Tangents(read)).Where(id => !loops.Contains(Owner(id))));
            }

            switch (statement)
            {
                case RLoop loop:
                    FindReadsByName(loop.Body, [.. loops, loop.Loop.Cursor], found);
                    break;
                case RIf branch:
                    FindReadsByName(branch.Then, loops, found);
                    FindReadsByName(branch.Else, loops, found);
                    break;
            }
        }
    }

    private readonly SortedSet<(int Id, bool Tangent)> _keptPerIteration = new();
    private readonly SortedSet<(int Id, bool Tangent)> _overwritten = new();

    /// <summary>
    /// Where the tensors (and tensor tangents) a loop iteration computes but does not tape go, so that once warm the
    /// product allocates nothing: one that may outlive its iteration (a source of a carried value, of a merge or of a
    /// copy, which the next iteration or a tape may still read) into this iteration's slot of a tape of its own, never
    /// restored; any other into one buffer that every iteration overwrites, as the gradient's do.
    /// </summary>
    private void PlanIterationBuffers(TangentProgram forward)
    {
        var outlive = new HashSet<int>();
        var tangentsOutlive = new HashSet<int>();
        var statements = TangentPlan.Descendants(forward.Body).ToList();
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case TPrimal { Statement: IrAssign { Value: IrRef copied } }:
                    outlive.Add(copied.Value);
                    break;
                case TTangent copy:
                    tangentsOutlive.UnionWith(C.Tangents(copy.Tangent));
                    break;
                case TIf branch:
                    outlive.UnionWith(branch.Branch.Phis.SelectMany(p => IrWalker.References(p.WhenTrue).Concat(IrWalker.References(p.WhenFalse))));
                    tangentsOutlive.UnionWith(branch.TangentPhis.SelectMany(p => C.Tangents(p.WhenTrue).Concat(C.Tangents(p.WhenFalse))));
                    break;
                case TLoop loop:
                    outlive.UnionWith(loop.Loop.Carried.SelectMany(c => IrWalker.References(c.Initial).Concat(IrWalker.References(c.Next))));
                    tangentsOutlive.UnionWith(loop.Tangents.SelectMany(c => C.Tangents(c.Initial).Concat(C.Tangents(c.Next))));
                    break;
            }
        }

        // A view (a reshape, a slice) shares its elements with the tensor it was made from: a tensor an op with a linear
        // pullback (every view op's) made one that is taped or outlives its iteration from outlives it too.
        var madeFrom = statements.OfType<TPrimal>().Select(p => p.Statement).OfType<IrAssign>()
            .Where(a => IsTensor(a.Target) && a.Value is IrCall { Callee.LinearPullback: true })
            .ToDictionary(a => a.Target, a => IrWalker.References(a.Value).Where(IsTensor).ToList());
        var pending = new Stack<int>(madeFrom.Keys.Where(id => outlive.Contains(id) || TapesValue(id)));
        while (pending.Count > 0)
        {
            foreach (var source in madeFrom.TryGetValue(pending.Pop(), out var sources) ? sources : [])
            {
                if (outlive.Add(source))
                {
                    pending.Push(source);
                }
            }
        }

        var counted = new HashSet<int>(Counted.Select(l => l.Cursor));
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case TPrimal { Statement: IrAssign assign } when IsTensor(assign.Target) && assign.Value is IrCall { Callee.HasDestination: true } && C.FromIr(assign.Value) is CCall:
                    Place(assign.Target, tangent: false, outlive.Contains(assign.Target));
                    break;
                case TRuleTangent rule when IsTensor(rule.Target):
                    Place(rule.Target, tangent: true, tangentsOutlive.Contains(rule.Target));
                    break;
            }
        }

        void Place(int id, bool tangent, bool outlivesIteration)
        {
            if (Owner(id) < 0 || (tangent ? TapesTangent(id) : TapesValue(id)))
            {
                return;
            }

            if (!outlivesIteration)
            {
                _overwritten.Add((id, tangent));
            }
            else if (counted.Contains(Owner(id)))
            {
                _keptPerIteration.Add((id, tangent));
            }
        }
    }

    /// <summary>
    /// Whether a tensor (or tangent, <paramref name="tangent"/>) an iteration computes and does not tape is kept in this
    /// iteration's slot of a tape of its own (it may outlive the iteration), never restored.
    /// </summary>
    public bool KeptPerIteration(int id, bool tangent) => _keptPerIteration.Contains((id, tangent));

    /// <summary>Whether a tensor (or tangent) an iteration computes lives in one buffer that every iteration overwrites.</summary>
    public bool Overwritten(int id, bool tangent) => _overwritten.Contains((id, tangent));

    /// <summary>The tensors (false) and tangents (true) kept per iteration, by value.</summary>
    public IEnumerable<(int Id, bool Tangent)> IterationTapes => _keptPerIteration;

    /// <summary>The tensors (false) and tangents (true) every iteration overwrites in one buffer, by value.</summary>
    public IEnumerable<(int Id, bool Tangent)> OverwrittenBuffers => _overwritten;

    private readonly HashSet<int> _phis;
    private readonly HashSet<int> _exitTaped = new();

    /// <summary>
    /// Whether a nested loop's carried value is read outside that loop's reverse (a carried gradient zeroed before the
    /// reverse loop takes the shape of the value the loop ended with): the enclosing loop's iteration keeps it as the
    /// loop left it on a tape of its own (<c>workspace.hExit</c>) and restores it under that name.
    /// </summary>
    public bool ExitTaped(int phi) => _exitTaped.Contains(phi);

    /// <summary>The tape and local of a nested loop's carried value as the loop left it (<c>hExit</c>), apart from every other name.</summary>
    public string ExitName(int phi)
    {
        if (!_exitNames.TryGetValue(phi, out var name))
        {
            var taken = new HashSet<string>(_ir.Values.Select(v => v.Name).Concat(_ir.ReservedNames).SelectMany(n => new[] { n, "d" + n })
                .Concat(Product.Forward.TangentNames.Values).Concat(Product.GradientTangentNames.Values).Concat(_exitNames.Values));
            var stem = _ir.Values[phi].Name.TrimStart('@') + "Exit";
            name = stem;
            for (var i = 1; taken.Contains(name); i++)
            {
                name = stem + i;
            }

            _exitNames[phi] = name;
        }

        return name;
    }

    private readonly Dictionary<int, string> _exitNames = new();

    /// <summary>The nested loops' carried values an iteration of a loop keeps as they left them (by its cursor).</summary>
    public IEnumerable<int> ExitTapedIn(int cursor) => _exitTaped.Where(phi => Enclosing(Owner(phi)) == cursor).OrderBy(id => id);

    private void FindExitReads(RBlock block, List<int> loops)
    {
        foreach (var statement in block.Statements)
        {
            foreach (var id in Reads(statement).SelectMany(C.Values))
            {
                if (_phis.Contains(id) && !loops.Contains(Owner(id)) && Enclosing(Owner(id)) >= 0)
                {
                    _exitTaped.Add(id);
                }
            }

            switch (statement)
            {
                case RLoop loop:
                    FindExitReads(loop.Body, [.. loops, loop.Loop.Cursor]);
                    break;
                case RIf branch:
                    FindExitReads(branch.Then, loops);
                    FindExitReads(branch.Else, loops);
                    break;
            }
        }
    }

    public static HessianVectorProductPlan Create(IrMethod ir, HessianVectorProduct product) => new(ir, product);

    public HessianVectorProduct Product { get; }

    /// <summary>
    /// The calls to other differentiable methods that go through the callee's product and gradient (the others' partials
    /// and products nothing reads: they are plain calls), by the value they define.
    /// </summary>
    public IReadOnlyDictionary<int, CallSite> CallSites { get; }

    /// <summary>The plan of the forward sweep (buffers, values declared ahead of their branches).</summary>
    public TangentPlan Forward { get; }

    /// <summary>The loops whose iterations are counted (those the reverse sweep runs back), outer before inner.</summary>
    public IReadOnlyList<IrLoop> Counted { get; }

    /// <summary>Whether a gradient is computed (some step H·v needs reads it).</summary>
    public bool Computes(int gradient) => _read.Contains(gradient);

    /// <summary>Whether a gradient's tangent is computed (some step reads it, or it is a parameter's: H·v).</summary>
    public bool ComputesTangent(int gradient) => _readTangents.Contains(gradient);

    /// <summary>The values each iteration of a loop keeps on its tape (by its cursor), in the order they are defined.</summary>
    public IReadOnlyList<int> TapedValues(int cursor) => _tapedValues.TryGetValue(cursor, out var ids) ? ids : [];

    /// <summary>The values whose tangents each iteration of a loop keeps on its tape (by its cursor).</summary>
    public IReadOnlyList<int> TapedTangents(int cursor) => _tapedTangents.TryGetValue(cursor, out var ids) ? ids : [];

    /// <summary>The calls to other differentiable methods whose partials and products each iteration of a loop keeps.</summary>
    public IReadOnlyList<CallSite> TapedCalls(int cursor) => _tapedCalls.TryGetValue(cursor, out var sites) ? sites : [];

    /// <summary>
    /// The spans each reverse iteration of a loop makes again (by its cursor), in the order the forward iteration made
    /// them, from values restored from tapes: a span cannot be taped.
    /// </summary>
    public IReadOnlyList<IrAssign> Remade(int cursor) => _remade.TryGetValue(cursor, out var spans) ? spans : [];

    /// <summary>The calls whose saved state each iteration of a loop keeps in a slot of its own (by its cursor).</summary>
    public IReadOnlyList<int> TapedSaved(int cursor) => _tapedSaved.TryGetValue(cursor, out var ids) ? ids : [];

    public bool TapesSaved(int id) => Owner(id) is var loop and >= 0 && TapedSaved(loop).Contains(id);

    public bool TapesValue(int id) => Owner(id) is var loop and >= 0 && TapedValues(loop).Contains(id);

    public bool TapesTangent(int id) => Owner(id) is var loop and >= 0 && TapedTangents(loop).Contains(id);

    /// <summary>The cursor of the innermost loop whose iterations define a value (-1: none).</summary>
    public int Owner(int id) => _owner.TryGetValue(id, out var loop) ? loop : -1;

    /// <summary>The cursor of the loop enclosing a loop (-1: none).</summary>
    public int Enclosing(int cursor) => _enclosing.TryGetValue(cursor, out var loop) ? loop : -1;

    /// <summary>
    /// Whether a taped value (or its tangent) is declared under its SSA name in the method's own scope (a carried value
    /// of a loop outside loops, outside branches or declared ahead of them, that shares no local with other versions,
    /// not declared in the loop's <c>for</c> header): its reverse loop assigns it from the tape rather than declaring it.
    /// </summary>
    public bool InMethodScope(int id, bool tangent) =>
        (_methodScope.Contains(id) || (_phis.Contains(id) && Enclosing(Owner(id)) < 0 && Forward.Hoisted(id)))
        && (tangent ? Forward.TangentName(id) == Product.Forward.TangentNames[id]
            : Forward.Locals.Name(id) == _ir.Values[id].Name && !Forward.Locals.DeclaredInForHeader(IrWalker.Loops(_ir.Body.Statements).First(l => l.Cursor == Owner(id)), id));

    /// <summary>Every tape of a value or tangent (by value), in the order the loops fill them.</summary>
    public IEnumerable<(int Value, bool Tangent)> Tapes =>
        Counted.SelectMany(l => TapedValues(l.Cursor).Select(id => (id, false)).Concat(TapedTangents(l.Cursor).Select(id => (id, true))));

    /// <summary>Every tape of a nested loop's carried value as the loop left it, in the order the loops fill them.</summary>
    public IEnumerable<int> ExitTapes => Counted.SelectMany(l => ExitTapedIn(l.Cursor));

    public bool UsesWorkspace => Forward.UsesWorkspace || Tapes.Any() || _keptPerIteration.Count > 0 || _overwritten.Count > 0 || ExitTapes.Any() || Counted.Any(l => TapedSaved(l.Cursor).Count > 0) || Counted.Any(l => TapedCalls(l.Cursor).Count > 0);

    /// <summary>The expressions a live step of the reverse sweep reads (a step whose gradient nothing reads is not printed).</summary>
    public IEnumerable<CExpr> Reads(RStatement statement) => statement switch
    {
        RDeclare d when Computes(d.Value) => [d.Initializer],
        RAddAssign a when Computes(a.Value) => [a.Contribution],
        RZero { Shape: { } shape } z when Computes(z.Value) => [shape],
        RZero z when Computes(z.Value) && IsTensor(z.Value) => [new CValue(z.Value)],
        RGradientTangent { Declares: true } t when ComputesTangent(t.Value) && IsTensor(t.Value) => [t.Tangent, TangentShape(t.Value)],
        RGradientTangent t when ComputesTangent(t.Value) => [t.Tangent],
        RReset r when Computes(r.Value) && IsTensor(r.Value) => [new CValue(r.Value)],
        RResetTangent r when ComputesTangent(r.Value) && IsTensor(r.Value) => [new CValue(r.Value)],
        RCall c when c.Accumulated.Any(Computes) => Values(c.Arguments),
        RRuleTangent r when r.Arguments.Any(a => a.GradientTangentOf is { } v && ComputesTangent(v)) => Values(r.Arguments),
        RIf i => [i.Condition],
        _ => [],
    };

    /// <summary>
    /// What a tensor gradient tangent's zeroed buffer takes its shape from: the gradient, computed just before it, else the
    /// value itself (which a loop then tapes: the reverse loop reads it).
    /// </summary>
    public CExpr TangentShape(int value) => Computes(value) ? new CGradient(value) : new CValue(value);

    private bool IsTensor(int value) => _ir.Values[value].Type.IsTensor;

    private void Own(IEnumerable<IrStatement> statements, int loop, bool topLevel)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrAssign assign:
                    Set(assign.Target, loop);
                    break;
                case IrIf branch:
                    Own(branch.Then.Statements, loop, topLevel: false);
                    Own(branch.Else.Statements, loop, topLevel: false);
                    foreach (var phi in branch.Phis)
                    {
                        Set(phi.Target, loop);
                    }

                    break;
                case IrLoop inner:
                    _enclosing[inner.Cursor] = loop;
                    if (inner.Start >= 0)
                    {
                        Set(inner.Start, loop);
                    }

                    foreach (var carried in inner.Carried)
                    {
                        _owner[carried.Phi] = inner.Cursor;
                        if (topLevel)
                        {
                            _methodScope.Add(carried.Phi);
                        }

                        if (carried.Exit >= 0)
                        {
                            Set(carried.Exit, loop);
                        }
                    }

                    Own(inner.Header.Statements, inner.Cursor, topLevel: false);
                    Own(inner.Body.Statements, inner.Cursor, topLevel: false);
                    break;
            }
        }
    }

    private void Set(int id, int loop)
    {
        if (loop >= 0)
        {
            _owner[id] = loop;
        }
    }

    private static CExpr[] Values(IEnumerable<RArgument> arguments) => arguments.Where(a => a.Expression is not null).Select(a => a.Expression!).ToArray();

    /// <summary>
    /// The gradients and gradient tangents H·v needs: from the outputs (the parameters' gradient tangents) back through
    /// the steps that feed them, to a fixed point (a loop's carried gradients feed themselves).
    /// </summary>
    private static (HashSet<int> Gradients, HashSet<int> Tangents) Live(RBlock reverse, IEnumerable<int> outputs)
    {
        var statements = reverse.Descendants().ToList();
        var gradients = new HashSet<int>(statements.OfType<RIf>().SelectMany(i => C.Gradients(i.Condition)));
        var tangents = new HashSet<int>(outputs);
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var statement in statements)
            {
                // A call kept for one output writes its scalar others too (by ref): they are declared; a tensor one is null.
                var (reads, written) = statement switch
                {
                    RGradientTangent t when tangents.Contains(t.Value) => (new[] { t.Tangent }, []),
                    RDeclare d when gradients.Contains(d.Value) => (new[] { d.Initializer }, []),
                    RAddAssign a when gradients.Contains(a.Value) => (new[] { a.Contribution }, []),
                    RCall c when c.Accumulated.Any(gradients.Contains) => (Values(c.Arguments), c.Arguments.Where(a => a.ByRef && a.GradientOf is not null).Select(a => (a.GradientOf!.Value, false))),
                    RRuleTangent r when r.Arguments.Any(a => a.GradientTangentOf is { } v && tangents.Contains(v)) =>
                        (Values(r.Arguments), r.Arguments.Where(a => a.ByRef && a.GradientTangentOf is not null).Select(a => (a.GradientTangentOf!.Value, true))),
                    _ => (Array.Empty<CExpr>(), Enumerable.Empty<(int, bool)>()),
                };
                foreach (var read in reads)
                {
                    foreach (var id in C.Gradients(read).ToList())
                    {
                        changed |= gradients.Add(id);
                    }

                    foreach (var id in C.GradientTangents(read).ToList())
                    {
                        changed |= tangents.Add(id);
                    }
                }

                foreach (var (id, isTangent) in written.ToList())
                {
                    changed |= (isTangent ? tangents : gradients).Add(id);
                }
            }
        }

        return (gradients, tangents);
    }
}
