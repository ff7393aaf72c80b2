using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator.Differentiation;

/// <summary>Which generated method a reverse sweep is for.</summary>
internal enum SweepMode
{
    /// <summary><c>FGradient</c>: seed 1, derivatives written to <c>out</c> parameters.</summary>
    Gradient,

    /// <summary><c>FPullback</c>: seed <c>dResult</c>, derivatives added to <c>ref</c> parameters.</summary>
    Pullback,

    /// <summary><c>FBuffered</c>: the forward pass alone, into reused buffers (no reverse sweep).</summary>
    Value,
}

/// <summary>
/// Reverse-mode differentiation of an <see cref="IrMethod"/>: walks the statements backwards and applies each one's
/// rule, accumulating gradients. Values that never receive a contribution have no gradient and are skipped, so only
/// the derivatives that reach the differentiable parameters are computed. Branches replay the branch the forward
/// sweep took; phis route a merged value's gradient to the branch's source.
/// </summary>
internal sealed class ReverseSweep
{
    private readonly bool _aliasBroadcasts;
    private readonly string? _callPartials;
    private readonly IrMethod _ir;
    private readonly SweepMode _mode;
    private readonly string _mathPrefix;
    private NameAllocator _names;
    private string?[] _gradientNames;
    private readonly bool[] _hasGradient;
    private readonly CExpr?[] _known;
    private readonly RBlock?[] _home;
    private readonly int[] _useCount;
    private readonly bool[] _useful;
    private readonly bool[] _noAlias;

    // Values used once in each branch of one `if` and nowhere else (v in `if (c) { y = Add(v, w); } else { y = v; }`):
    // when both branches hand them the same gradient unchanged, they alias it instead of getting a zeroed buffer and a
    // copy. If one branch turns out to contribute differently, the sweep starts again without aliasing that value.
    private readonly bool[] _exclusive;
    private readonly int[] _exclusiveHits;
    private readonly HashSet<int> _notExclusive = new();
    private readonly Dictionary<int, (RBlock Then, RBlock Else)> _exclusiveBranches = new();
    private readonly Dictionary<int, IrParameter> _parameters;
    private readonly Dictionary<IrTypeKind, string> _discards = new();
    private RBlock _root = new();

    /// <param name="aliasBroadcasts">
    /// Whether a broadcastable pass-through gradient (Add's b) may be dResult itself, chosen at run time; the Hessian-vector
    /// product, whose tangents follow each rule call, calls the rule instead.
    /// </param>
    /// <param name="callPartials">
    /// How generated code spells <c>SymDiff.CompilerServices.</c>, when a call to another file's scalar-valued method
    /// takes its partials from the forward sweep (<see cref="CPartial"/>: its generated gradient gives the value and
    /// them at once) instead of calling its pullback, which would run it again; null: its pullback (the Hessian-vector
    /// product, which follows each pullback with its tangent, replaces those calls itself).
    /// </param>
    public ReverseSweep(IrMethod ir, SweepMode mode, string mathPrefix, bool aliasBroadcasts = true, string? callPartials = null)
    {
        _ir = ir;
        _callPartials = callPartials;
        _aliasBroadcasts = aliasBroadcasts;
        _mode = mode;
        _mathPrefix = mathPrefix;
        var count = ir.Values.Count;
        _gradientNames = new string?[count];
        _hasGradient = new bool[count];
        _known = new CExpr?[count];
        _home = new RBlock?[count];
        _useCount = new int[count];
        _noAlias = new bool[count];
        _exclusive = new bool[count];
        _exclusiveHits = new int[count];
        CountUses(ir.Body, _useCount);
        _useful = IrUsefulness.Mark(ir);
        foreach (var loop in IrWalker.Loops(ir.Body.Statements))
        {
            foreach (var c in loop.Carried.Where(c => _useful[c.Phi]))
            {
                _noAlias[c.Phi] = true;
                if (c.Next is IrRef { Value: var next })
                {
                    _noAlias[next] = true; // its first contribution is the carried gradient, reset right after
                }
            }
        }
        _parameters = ir.Parameters.ToDictionary(p => p.Value);
        _names = NewNames(ir, _gradientNames);
    }

    private static NameAllocator NewNames(IrMethod ir, string?[] gradientNames)
    {
        foreach (var parameter in DerivativeNames.Of(ir).Parameters)
        {
            gradientNames[parameter.Key] = parameter.Value;
        }

        return DerivativeNames.Allocator(ir);
    }

    /// <summary>The gradient's C# name for a value (allocated on first use: <c>dh</c> for <c>h</c>).</summary>
    public string GradientName(int value) => _gradientNames[value] ??= _names.AllocateGradient(_ir.Values[value].Name);

    /// <summary>The reverse block in which a value's gradient is declared.</summary>
    public RBlock? Home(int value) => _home[value];

    /// <summary>Locals declared for derivatives nobody reads, by element type.</summary>
    public IReadOnlyDictionary<IrTypeKind, string> Discards => _discards;

    public RBlock Run()
    {
        while (true)
        {
            try
            {
                return RunOnce();
            }
            catch (AliasConflict conflict)
            {
                // Start again from scratch with that value out of branch-exclusive aliasing.
                _notExclusive.Add(conflict.Value);
                Array.Clear(_hasGradient, 0, _hasGradient.Length);
                Array.Clear(_known, 0, _known.Length);
                Array.Clear(_exclusive, 0, _exclusive.Length);
                Array.Clear(_exclusiveHits, 0, _exclusiveHits.Length);
                _gradientNames = new string?[_ir.Values.Count];
                _names = NewNames(_ir, _gradientNames);
                _discards.Clear();
            }
        }
    }

    private RBlock RunOnce()
    {
        _root = new RBlock();
        foreach (var parameter in _ir.Parameters)
        {
            _home[parameter.Value] = _root;
        }

        SetHomes(_ir.Body, _root);
        var seed = _mode == SweepMode.Gradient ? (CExpr)C.Number(1, _ir.ReturnType.Kind) : new CName(DerivativeNames.Of(_ir).Seed);
        if (_ir.Result is IrRef { Value: var result } && _ir.Values[result].Active)
        {
            if (_parameters.ContainsKey(result))
            {
                Accumulate(_root, result, seed);
            }
            else
            {
                _known[result] = seed;
                _hasGradient[result] = true;
            }
        }

        ReverseBlock(_ir.Body, _root, null);
        return _root;
    }

    private void SetHomes(IrBlock block, RBlock home)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case IrAssign assign:
                    _home[assign.Target] = home;
                    break;
                case IrIf branch:
                    foreach (var phi in branch.Phis)
                    {
                        _home[phi.Target] = home;
                    }

                    break;
                case IrLoop loop:
                    foreach (var carried in loop.Carried)
                    {
                        _home[carried.Phi] = home; // carried gradients live across the reverse iterations
                        if (carried.Exit >= 0)
                        {
                            _home[carried.Exit] = home;
                        }
                    }

                    break;
            }
        }
    }

    private void ReverseBlock(IrBlock block, RBlock output, string? lastComment)
    {
        for (var i = block.Statements.Count - 1; i >= 0; i--)
        {
            var statement = block.Statements[i];
            var start = output.Count;
            switch (statement)
            {
                case IrAssign assign when _ir.Values[assign.Target].Active && _hasGradient[assign.Target]:
                    if (statement.Source != lastComment)
                    {
                        output.Add(new RComment(statement.Source));
                    }

                    Differentiate(assign, output);
                    break;

                case IrLoop loop:
                    if (ReverseLoop(loop, output, lastComment))
                    {
                        lastComment = null;
                    }

                    continue;

                case IrIf branch:
                    var then = new RBlock();
                    var @else = new RBlock();
                    SetHomes(branch.Then, then);
                    SetHomes(branch.Else, @else);
                    var exclusive = ExclusiveValues(branch, output).ToList();
                    foreach (var v in exclusive)
                    {
                        _exclusive[v] = true;
                        _exclusiveBranches[v] = (then, @else);
                    }

                    foreach (var phi in branch.Phis)
                    {
                        if (_ir.Values[phi.Target].Active && _hasGradient[phi.Target])
                        {
                            var gradient = Gradient(phi.Target);
                            AccumulateInto(then, phi.WhenTrue, gradient);
                            AccumulateInto(@else, phi.WhenFalse, gradient);
                        }
                    }

                    ReverseBlock(branch.Then, then, statement.Source);
                    ReverseBlock(branch.Else, @else, statement.Source);
                    foreach (var v in exclusive)
                    {
                        _exclusive[v] = false;
                        if (_known[v] is not null && _exclusiveHits[v] != 2)
                        {
                            throw new AliasConflict(v); // only one branch contributed: its gradient is not always that
                        }
                    }

                    if (then.Count == 0 && @else.Count == 0)
                    {
                        break;
                    }

                    if (statement.Source != lastComment)
                    {
                        output.Add(new RComment(statement.Source));
                    }

                    CExpr condition = new CValue(branch.Condition);
                    if (then.Count == 0)
                    {
                        (then, @else) = (@else, then);
                        condition = new CUnary("!", condition);
                    }

                    output.Add(new RIf(condition, then, @else));
                    lastComment = null;
                    continue;

                default:
                    continue;
            }

            if (output.Count == start + 1 && output.Statements[start] is RComment)
            {
                output.Statements.RemoveAt(start); // the rule contributed nothing
            }
            else if (output.Count > start)
            {
                lastComment = statement.Source;
            }
        }
    }

    /// <summary>
    /// The reverse of a loop. Before it, exit gradients become the carried (phi) gradients; each reverse iteration hands
    /// the carried gradients to the values the body assigned to the variables (<c>dh_2 = dh_1; dh_1 = 0;</c>) and then
    /// reverses the body, whose uses of the phis add to the carried gradients again; after it, the carried gradients
    /// belong to the initial values. Returns whether anything was written.
    /// </summary>
    private bool ReverseLoop(IrLoop loop, RBlock output, string? lastComment)
    {
        var carried = loop.Carried.Where(c => _useful[c.Phi]).ToList();
        var start = output.Count;
        if (loop.Source != lastComment)
        {
            output.Add(new RComment(loop.Source));
        }

        foreach (var c in carried.Where(c => c.Exit >= 0 && _hasGradient[c.Exit]))
        {
            Accumulate(output, c.Phi, Gradient(c.Exit));
        }

        var body = new RBlock();
        SetHomes(loop.Body, body);
        foreach (var c in carried)
        {
            AccumulateInto(body, c.Next, new CGradient(c.Phi));
            _hasGradient[c.Phi] = true;
        }

        foreach (var c in carried)
        {
            body.Add(new RReset(c.Phi));
        }

        ReverseBlock(loop.Body, body, loop.Source);
        if (carried.Count == 0 && body.Count == 0)
        {
            // Nothing in the body reaches a derivative: no reverse loop.
            output.Statements.RemoveRange(start, output.Count - start);
            return false;
        }

        output.Add(new RLoop(loop, body));
        foreach (var c in carried)
        {
            AccumulateInto(output, c.Initial, new CGradient(c.Phi));
        }

        return true;
    }

    private void AccumulateInto(RBlock block, IrExpr? source, CExpr gradient)
    {
        if (source is IrRef r && _ir.Values[r.Value].Active)
        {
            Accumulate(block, r.Value, gradient);
        }
    }

    private void Accumulate(RBlock block, int value, CExpr contribution)
    {
        if (C.IsZero(contribution))
        {
            return;
        }

        if (ExclusiveAlias(value, contribution, block))
        {
            return;
        }

        if (_known[value] is not null)
        {
            throw _exclusive[value]
                ? new AliasConflict(value)
                : new InvalidOperationException("a value with a single use received a second gradient contribution");
        }

        // A value used once, directly in its gradient's home block, aliases its only contribution when that is
        // cheap: `dy` instead of `double dt2 = dy;`. Gradients it refers to are final by then (each gradient is read
        // only after all of its own contributions).
        if (CanAlias(value, block, contribution))
        {
            _known[value] = contribution;
            _hasGradient[value] = true;
            return;
        }

        block.Add(new RAccumulate(value, contribution));
        _hasGradient[value] = true;
    }

    private CExpr Gradient(int value) => _known[value] ?? new CGradient(value);

    /// <summary>
    /// Counts, per value, the operand positions that can contribute to its gradient (in active statements). A value
    /// with one such use receives exactly one contribution, so a cheap one can stand in for its gradient.
    /// </summary>
    private void CountUses(IrBlock block, int[] counts)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case IrAssign assign when _ir.Values[assign.Target].Active:
                    foreach (var id in IrWalker.References(assign.Value))
                    {
                        counts[id]++;
                    }

                    break;
                case IrLoop loop:
                    CountUses(loop.Body, counts);
                    foreach (var c in loop.Carried.Where(c => _ir.Values[c.Phi].Active))
                    {
                        foreach (var id in IrWalker.References(c.Initial).Concat(IrWalker.References(c.Next)))
                        {
                            counts[id]++;
                        }
                    }

                    break;
                case IrIf branch:
                    CountUses(branch.Then, counts);
                    CountUses(branch.Else, counts);
                    foreach (var phi in branch.Phis.Where(p => _ir.Values[p.Target].Active))
                    {
                        foreach (var id in IrWalker.References(phi.WhenTrue).Concat(IrWalker.References(phi.WhenFalse)))
                        {
                            counts[id]++;
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>Expressions cheap and stable enough to stand in for an gradient instead of a new local.</summary>
    private static bool IsStable(CExpr e) =>
        e is CNumber or CName or CGradient or CValue || (e is CUnary { Op: "-" } u && IsStable(u.Operand));

    /// <summary>Applies the rule of one forward statement.</summary>
    private void Differentiate(IrAssign assign, RBlock output)
    {
        var kind = _ir.Values[assign.Target].Type.Kind;
        var g = Gradient(assign.Target);
        switch (assign.Value)
        {
            case IrRef source:
                AccumulateInto(output, source, g);
                break;

            case IrBinary binary:
                ScalarRules.Operator(binary.Op, new Context(this, output, assign, new[] { binary.Left, binary.Right }, g, OwnerFor(kind)));
                break;

            case IrUnary { Op: IrUnaryOp.Negate } unary:
                ScalarRules.Negate(new Context(this, output, assign, new[] { unary.Operand }, g, OwnerFor(kind)));
                break;

            case IrUnary { Op: IrUnaryOp.Plus } unary:
                AccumulateInto(output, unary.Operand, g);
                break;

            case IrConvert convert when convert.Operand is IrRef operand:
                AccumulateInto(output, operand, C.Cast(_ir.Values[operand.Value].Type.Name, g)); // y = (T)a: the gradient converts back
                break;

            case IrCall { Callee.Kind: IrCalleeKind.Intrinsic } call:
                ScalarRules.Intrinsic(call.Callee.Name, call.Arguments.Count, new Context(this, output, assign, call.Arguments.ToArray(), g, call.Callee.Owner));
                break;

            case IrCall { Callee.Kind: IrCalleeKind.Differentiable } call:
                CallPullback(assign.Target, call, g, output);
                break;

            case IrCall { Callee.Kind: IrCalleeKind.Rule } call:
                CallRule(assign, call, g, output);
                break;

            default:
                throw new InvalidOperationException("no derivative rule for " + assign.Value.GetType().Name);
        }
    }

    /// <summary><c>GPullback(args..., g, ref dArg...)</c>: the callee's own vector-Jacobian product.</summary>
    private void CallPullback(int target, IrCall call, CExpr g, RBlock output)
    {
        if (_callPartials is not null && call.Callee.BufferedValue)
        {
            AddScaledPartials(target, call, g, output, _callPartials);
            return;
        }

        var arguments = call.Arguments.Select(a => RArgument.Value(C.FromIr(a))).ToList();
        arguments.Add(RArgument.Value(g));
        AddGradientArguments(call, arguments);
        AddUnlessNoOp(output, new RCall(DerivativeNames.OfCallee(call.Callee, DerivativeNames.PullbackSuffix), arguments, target, g));
    }

    /// <summary>
    /// <c>dx_k += g·∂G/∂x_k</c> per active argument of a scalar-valued call, from the partials the forward sweep computed
    /// with its value: a scalar's by product, a tensor's with <c>Buffers.AccumulateScaled(g, t_d0, dw)</c>.
    /// </summary>
    private void AddScaledPartials(int target, IrCall call, CExpr g, RBlock output, string compilerServices)
    {
        var k = 0;
        for (var i = 0; i < call.Arguments.Count && i < call.Callee.DifferentiableParameters.Count; i++)
        {
            if (!call.Callee.DifferentiableParameters[i])
            {
                continue;
            }

            var partial = new CPartial(target, k++);
            if (call.Arguments[i] is not IrRef r || !_ir.Values[r.Value].Active)
            {
                continue;
            }

            if (!_ir.Values[r.Value].Type.IsTensor)
            {
                Accumulate(output, r.Value, C.Multiply(g, partial));
                continue;
            }

            if (_exclusive[r.Value] && _known[r.Value] is not null)
            {
                throw new AliasConflict(r.Value); // the other branch aliased it; this one adds something else
            }

            output.Add(new RCall(AccumulateScaledName(compilerServices), [RArgument.Value(g), RArgument.Value(partial), RArgument.Gradient(r.Value, byRef: false)]));
            _hasGradient[r.Value] = true;
        }
    }

    /// <summary><c>Buffers.AccumulateScaled</c>: adds a call's tensor partials, scaled, to its argument's gradient.</summary>
    public static string AccumulateScaledName(string compilerServices) => compilerServices + "Buffers.AccumulateScaled";

    /// <summary>
    /// <c>FPullback(inputs it reads..., [saved], [result], dResult, dArg...)</c>: a <c>[PullbackOf]</c> rule, handed only
    /// the forward values it declares, so nothing else is kept for it.
    /// </summary>
    private void CallRule(IrAssign assign, IrCall call, CExpr g, RBlock output)
    {
        var arguments = new List<RArgument>();
        for (var i = 0; i < call.Arguments.Count; i++)
        {
            if (call.Callee.RuleReads.Count > i && call.Callee.RuleReads[i])
            {
                arguments.Add(RArgument.Value(C.FromIr(call.Arguments[i])));
            }
        }

        if (call.Callee.SavedType is not null)
        {
            arguments.Add(RArgument.Value(new CSaved(assign.Target)));
        }

        if (call.Callee.RuleReadsResult)
        {
            arguments.Add(RArgument.Value(new CValue(assign.Target)));
        }

        arguments.Add(RArgument.Value(g));
        AddGradientArguments(call, arguments, g, output, assign);
        AddUnlessNoOp(output, new RCall(call.Callee.Pullback!, arguments, seed: g, rule: assign));
    }

    /// <summary>The expression for a rule parameter named in <c>[SameShapeAs]</c>: dResult, saved, result or an input.</summary>
    private static CExpr? ShapeSource(IrAssign assign, IrCall call, CExpr g, int input)
    {
        var name = call.Callee.GradientShapes.Count > input ? call.Callee.GradientShapes[input] : string.Empty;
        switch (name)
        {
            case "":
                return null;
            case "dResult":
                return g;
            case "saved":
                return new CSaved(assign.Target);
            case "result":
                return new CValue(assign.Target);
        }

        return name[0] == '#' && int.TryParse(name.Substring(1), out var index) && index < call.Arguments.Count
            ? C.FromIr(call.Arguments[index])
            : null;
    }

    /// <summary>A rule or pullback only adds into gradients: with none to add to (all null or discarded) it is left out.</summary>
    private static void AddUnlessNoOp(RBlock output, RCall call)
    {
        if (call.Accumulated.Any())
        {
            output.Add(call);
        }
    }

    /// <summary>
    /// One gradient argument per differentiable parameter of the callee: the argument's gradient when it is active;
    /// otherwise <c>null</c> for a tensor (the rule skips it) or a discard local for a scalar <c>ref</c>.
    /// </summary>
    private void AddGradientArguments(IrCall call, List<RArgument> arguments, CExpr? g = null, RBlock? block = null, IrAssign? assign = null)
    {
        var discarded = new List<(int Index, IrTypeKind Kind)>();
        for (var i = 0; i < call.Arguments.Count && i < call.Callee.DifferentiableParameters.Count; i++)
        {
            if (!call.Callee.DifferentiableParameters[i])
            {
                continue;
            }

            var type = TypeOf(call.Arguments[i]);
            var passThrough = call.Callee.PassThrough.Count > i && call.Callee.PassThrough[i];
            var broadcasts = passThrough && (call.Callee.GradientShapes.Count <= i || call.Callee.GradientShapes[i] != "dResult");
            if (passThrough && !broadcasts && call.Arguments[i] is IrRef exclusive && g is not null && ExclusiveAlias(exclusive.Value, g, block))
            {
                arguments.Add(RArgument.Value(new CName("null"))); // both branches hand it the same gradient: shared
            }
            else if (broadcasts && _aliasBroadcasts && call.Arguments[i] is IrRef broadcast && CanAlias(broadcast.Value, block, g))
            {
                // The input may have been broadcast: its gradient is dResult itself only when it has dResult's shape,
                // which the generated code checks (reading the input's shape alone).
                block!.Add(new RAccumulate(broadcast.Value, C.Call(C.PassThroughName, g!, new CValue(broadcast.Value))));
                _hasGradient[broadcast.Value] = true;
                arguments.Add(RArgument.Value(new CName("null")));
            }
            else if (passThrough && !broadcasts && call.Arguments[i] is IrRef alias && CanAlias(alias.Value, block, g))
            {
                // The rule would add exactly dResult: let this input's gradient be the result's.
                _known[alias.Value] = g;
                _hasGradient[alias.Value] = true;
                arguments.Add(RArgument.Value(new CName("null")));
            }
            else if (call.Arguments[i] is IrRef r && _ir.Values[r.Value].Active)
            {
                if (_exclusive[r.Value] && _known[r.Value] is not null)
                {
                    throw new AliasConflict(r.Value); // the other branch aliased it; this one adds something else
                }

                var shape = type.IsTensor && assign is not null && g is not null ? ShapeSource(assign, call, g, i) : null;
                arguments.Add(RArgument.Gradient(r.Value, byRef: !type.IsTensor, shape));
                _hasGradient[r.Value] = true;
            }
            else if (type.IsTensor)
            {
                arguments.Add(RArgument.Value(new CName("null")));
            }
            else
            {
                discarded.Add((arguments.Count, type.Kind));
                arguments.Add(RArgument.Value(new CName("null")));
            }
        }

        // Discard locals are declared only for calls that are kept (a call adding to no gradient is left out).
        if (arguments.Any(a => a.GradientOf is not null))
        {
            foreach (var (index, kind) in discarded)
            {
                if (!_discards.TryGetValue(kind, out var discard))
                {
                    discard = _discards[kind] = _names.Allocate(kind == IrTypeKind.Float ? "unusedFloat" : "unused");
                }

                arguments[index] = RArgument.Discarded(discard);
            }
        }
    }

    /// <summary>
    /// Values defined outside <paramref name="branch"/> (in <paramref name="home"/>) whose only two uses that can
    /// contribute to their gradient are one in each branch (phi inputs included).
    /// </summary>
    private IEnumerable<int> ExclusiveValues(IrIf branch, RBlock home)
    {
        var inThen = new int[_ir.Values.Count];
        var inElse = new int[_ir.Values.Count];
        CountUses(branch.Then, inThen);
        CountUses(branch.Else, inElse);
        foreach (var phi in branch.Phis.Where(p => _ir.Values[p.Target].Active))
        {
            foreach (var id in IrWalker.References(phi.WhenTrue))
            {
                inThen[id]++;
            }

            foreach (var id in IrWalker.References(phi.WhenFalse))
            {
                inElse[id]++;
            }
        }

        for (var v = 0; v < inThen.Length; v++)
        {
            if (inThen[v] == 1 && inElse[v] == 1 && _useCount[v] == 2 && _home[v] == home && _ir.Values[v].Active
                && !_noAlias[v] && !_parameters.ContainsKey(v) && !_notExclusive.Contains(v))
            {
                yield return v;
            }
        }
    }

    /// <summary>
    /// For a branch-exclusive value: its first contribution, if stable, becomes its gradient; the other branch's
    /// contribution is accepted if it is the same expression. Anything else is not this case (false), or a conflict.
    /// </summary>
    private bool ExclusiveAlias(int value, CExpr contribution, RBlock? block)
    {
        // Only a contribution every run of its branch makes can stand for the gradient: one inside a nested branch (a
        // rule's case split, an inner if) is conditional, and sharing it would leak it into runs that skip it.
        if (!_exclusive[value] || !IsStable(contribution) || block is null || !_exclusiveBranches.TryGetValue(value, out var branches)
            || (block != branches.Then && block != branches.Else))
        {
            return false;
        }

        if (!_hasGradient[value])
        {
            _known[value] = contribution;
            _hasGradient[value] = true;
            _exclusiveHits[value]++;
            return true;
        }

        if (_known[value] is { } known && known.Equals(contribution))
        {
            _exclusiveHits[value]++;
            return true;
        }

        return false;
    }

    /// <summary>Thrown when a branch-exclusive alias turns out wrong; <see cref="Run"/> starts again without it.</summary>
    private sealed class AliasConflict(int value) : Exception
    {
        public int Value { get; } = value;
    }

    /// <summary>Whether a value's gradient can simply be <paramref name="contribution"/> (its only one, in its home block).</summary>
    private bool CanAlias(int value, RBlock? block, CExpr? contribution) =>
        block is not null && contribution is not null && IsStable(contribution) && _ir.Values[value].Active
        && !_noAlias[value] && !_hasGradient[value] && _useCount[value] <= 1 && !_parameters.ContainsKey(value) && _home[value] == block;

    private IrType TypeOf(IrExpr expr) => expr switch
    {
        IrRef r => _ir.Values[r.Value].Type,
        IrConstant c => c.Type,
        IrConvert c => c.To,
        _ => _ir.ReturnType,
    };

    private string OwnerFor(IrTypeKind kind) => _mathPrefix + (kind == IrTypeKind.Float ? "MathF" : "Math");

    /// <summary>The reverse applier of one statement's local derivatives: <c>dx_i += g·∂y/∂x_i</c>.</summary>
    private sealed class Context : ILocalDerivatives
    {
        private readonly ReverseSweep _sweep;
        private readonly IrExpr[] _operands;
        private readonly CExpr _g;
        private RBlock _output;

        public Context(ReverseSweep sweep, RBlock output, IrAssign assign, IrExpr[] operands, CExpr g, string owner)
        {
            _sweep = sweep;
            _output = output;
            _operands = operands;
            _g = g;
            Y = new CValue(assign.Target);
            Kind = sweep._ir.Values[assign.Target].Type.Kind;
            Owner = owner;
        }

        public CExpr Y { get; }

        public IrTypeKind Kind { get; }

        public string Owner { get; }

        public CExpr Arg(int index) => C.FromIr(_operands[index]);

        public CExpr Companion(string function) => C.Call(Owner + "." + function, Arg(0));

        public bool IsActive(int index) => _operands[index] is IrRef r && _sweep._ir.Values[r.Value].Active;

        public bool SameOperands(int first, int second) => _operands[first] is IrRef a && Equals(a, _operands[second]);

        public void Partial(int index, CExpr derivative)
        {
            if (IsActive(index))
            {
                _sweep.Accumulate(_output, ((IrRef)_operands[index]).Value, ScalarRules.Chain(_g, derivative));
            }
        }

        public void Select(CExpr condition, Action then, Action? @else)
        {
            // x >= x and the like (Math.Max(c, c)) are decided here; the compiler would flag them (CS1718).
            if (condition is CBinary { Left: CValue left, Right: CValue right } comparison && left.Id == right.Id)
            {
                var holds = comparison.Op is IrBinaryOp.GreaterThanOrEqual or IrBinaryOp.LessThanOrEqual or IrBinaryOp.Equals;
                (holds ? then : @else)?.Invoke();
                return;
            }

            var outer = _output;
            var thenBlock = new RBlock();
            var elseBlock = new RBlock();
            _output = thenBlock;
            then();
            _output = elseBlock;
            @else?.Invoke();
            _output = outer;
            if (thenBlock.Count == 0 && elseBlock.Count == 0)
            {
                return;
            }

            if (thenBlock.Count == 0)
            {
                (thenBlock, elseBlock) = (elseBlock, thenBlock);
                condition = new CUnary("!", condition);
            }

            outer.Add(new RIf(condition, thenBlock, elseBlock));
        }
    }
}
