using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Planning;

namespace SymDiff.Generator.Emission;

/// <summary>
/// Prints a <see cref="HessianVectorProduct"/> as <c>{Method}HessianVectorProduct</c>: the forward sweep with tangents
/// along v, then the reverse sweep with each gradient step's tangent beside it; the parameters' gradient tangents are H·v.
/// What it computes and what its loops tape is the plan's (<see cref="HessianVectorProductPlan"/>); this only prints it.
/// </summary>
internal sealed class HessianVectorProductWriter : ILoopTaping
{
    private readonly MethodModel _model;
    private readonly SignatureNames _names;
    private readonly IrMethod _ir;
    private readonly HessianVectorProduct _hvp;
    private readonly HessianVectorProductPlan _plan;
    private readonly TangentPlan _forward;
    private IndentedTextWriter _writer;
    private readonly CExprPrinter _printer;
    private readonly HashSet<int> _declared = new();
    private readonly string _compilerServices;

    /// <summary>Tensor gradients and gradient tangents in workspace buffers, by field name and type.</summary>
    private readonly SortedDictionary<string, string> _tensorFields = new(System.StringComparer.Ordinal);

    public HessianVectorProductWriter(MethodModel model, SignatureNames names, HessianVectorProductPlan plan, IndentedTextWriter writer)
    {
        var hvp = plan.Product;
        _plan = plan;
        _forward = plan.Forward;
        _model = model;
        _names = names;
        _ir = model.Ir;
        _hvp = hvp;
        _writer = writer;
        _printer = new CExprPrinter(ValueInScope, TangentInScope, hvp.GradientName, id => hvp.GradientTangentNames[id], id => (SavedSlot(id) ?? "workspace." + _ir.Values[id].Name + "Saved") + "!");
        _compilerServices = model.Usings.Any(u => u == "SymDiff.CompilerServices") ? string.Empty : "global::SymDiff.CompilerServices.";
    }

    /// <summary>
    /// For a scalar-valued method forward over reverse does not cover: its Hessian-vector product declared with the
    /// signature it would have, as an error to use (SD0020), so a call to it fails to compile at the call, saying what
    /// is not covered and, for an op without a pullback-tangent rule, the rule to add.
    /// </summary>
    public static void WriteUnavailable(MethodModel model, IndentedTextWriter writer, string toolVersion)
    {
        var ir = model.Ir;
        var name = DerivativeNames.HessianVectorProduct(model.MethodName);
        var names = DerivativeNames.Allocator(ir);
        var differentiable = ir.Parameters.Where(p => p.Differentiable).ToList();
        var directions = differentiable.Select(p => p.Type.Name + (p.Type.IsTensor ? "? " : " ") + names.AllocateDerivative("v", p.Name)).ToList();
        var products = differentiable.Select(p => (p.Type.IsTensor ? string.Empty : "out ") + p.Type.Name + " " + names.AllocateDerivative("hv", p.Name)).ToList();
        var parameters = ir.Parameters.Select(p => p.Type.Name + " " + p.Name).Concat(directions).Concat(products);
        PushforwardWriter.WriteObsolete(
            writer,
            toolVersion,
            "Not generated: forward over reverse does not cover everything " + model.MethodName + " uses. Calling it is a compile-time error (SD0020) that says what, and what to add.",
            name + " is not available: " + model.HessianVectorProductGap + ".",
            "SD0020",
            model.Accessibility + " static " + ir.ReturnType.Name + " " + name + "(" + string.Join(", ", parameters) + ")");
    }

    /// <summary>The reverse loops being printed, innermost last (null: printing the forward sweep).</summary>
    private List<int>? _reverseLoops;

    /// <summary>
    /// A value by its name; in the reverse sweep, a nested loop's carried value read outside that loop's reverse is the
    /// value the loop left, which the enclosing iteration restored from its own tape (<c>hExit</c>).
    /// </summary>
    private string ValueInScope(int id) =>
        _reverseLoops is not { } loops ? _forward.Locals.Name(id)
        : _plan.ExitTaped(id) && !loops.Contains(_plan.Owner(id)) ? _plan.ExitName(id) : _ir.Values[id].Name;

    /// <summary>
    /// A value's tangent: in the forward sweep the local it shares with its variable's other versions (<c>vs</c>), in the
    /// reverse sweep its own (what the reverse sweep reads by name keeps it; the rest comes back from tapes under it).
    /// </summary>
    private string TangentInScope(int id) => _reverseLoops is null ? _forward.TangentName(id) : _hvp.Forward.TangentNames[id];

    private string Name => DerivativeNames.HessianVectorProduct(_model.MethodName);

    private string WorkspaceClass => Name + "Workspace";

    public void Write(string toolVersion)
    {
        var differentiable = _ir.Parameters.Where(p => p.Differentiable).ToList();
        var tensors = differentiable.Where(p => p.Type.IsTensor).ToList();
        var type = _ir.ReturnType.Name;
        SummaryWriter.Write(
            _writer,
            "Hessian-vector product of " + _model.MethodReference + ": returns its value and "
            + (tensors.Count > 0 ? "adds (+=) H·v to " : "writes H·v to ")
            + string.Join(", ", differentiable.Select(p => "<paramref name=\"" + _hvp.Products[p.Value] + "\"/>"))
            + (tensors.Count == 0 ? string.Empty : " (tensors of the parameters' shapes, which the caller owns and zeroes"
                + (tensors.Count < differentiable.Count ? "; scalars are written)" : ")"))
            + ", H being its Hessian with respect to (" + string.Join(", ", differentiable.Select(p => p.Name.TrimStart('@')))
            + ") and v = (" + string.Join(", ", differentiable.Select(p => _hvp.Directions[p.Value])) + "). Derived forward over reverse:"
            + " the tangent of every step of the gradient along v.");
        var parameters = _ir.Parameters.Select(p => p.Type.Name + " " + p.Name)
            .Concat(differentiable.Select(p => p.Type.Name + (p.Type.IsTensor ? "? " : " ") + _hvp.Directions[p.Value]))
            .Concat(differentiable.Select(p => (p.Type.IsTensor ? string.Empty : "out ") + p.Type.Name + " " + _hvp.Products[p.Value]));
        _writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"SymDiff\", \"" + toolVersion + "\")]");
        _writer.WriteLine(_model.Accessibility + " static " + type + " " + Name + "(" + string.Join(", ", parameters) + ")");
        IndentedTextWriter body;
        using (_writer.WriteBlock())
        {
            if (tensors.Count > 0)
            {
                _writer.WriteLine("// the arguments, checked before anything is written");
                foreach (var parameter in tensors)
                {
                    // A null direction is a zero one, as in the pushforward (a caller's argument the direction does not move).
                    _writer.WriteLine(_compilerServices + "Arguments.CheckGradient(\"" + Name + "\", " + parameter.Name + ", " + _hvp.Directions[parameter.Value] + ", required: false);");
                    _writer.WriteLine(_compilerServices + "Arguments.CheckGradient(\"" + Name + "\", " + parameter.Name + ", " + _hvp.Products[parameter.Value] + ", required: true);");
                }
            }

            // The body goes to its own writer first: which workspace buffers it uses is known once it is written.
            body = new IndentedTextWriter();
            var outer = _writer;
            _writer = body;
            _writer.WriteLine("// forward sweep, with tangents along v");
            foreach (var loop in _plan.Counted)
            {
                _writer.WriteLine("int " + ValueName(loop.Cursor) + " = 0; // iterations of '" + loop.Source + "' so far: indexes its tapes");
            }

            new PushforwardWriter(_model, _names, _forward, _writer, _printer, callSites: _plan.CallSites, taping: this).WriteBlock(_forward.Program.Body);
            _writer.WriteLine("// reverse sweep (dResult = 1), with the tangent of each gradient along v");
            // The reverse sweep goes to its own writer first: which discards its calls use is known once it is written.
            var reverse = new IndentedTextWriter();
            var sweeps = _writer;
            _writer = reverse;
            _reverseLoops = [];
            WriteReverse(_hvp.Reverse);
            _reverseLoops = null;
            _writer = sweeps;
            foreach (var discard in _hvp.Discards.Where(d => _usedDiscards.Contains(d.Value)).OrderBy(d => d.Key))
            {
                _writer.WriteLine((discard.Key == IrTypeKind.Float ? "float " : "double ") + discard.Value + " = 0; // receives derivatives of constant arguments");
            }

            _writer.WriteLines(reverse);
            foreach (var parameter in differentiable.Where(p => !p.Type.IsTensor))
            {
                // A parameter the result does not depend on has a zero row in H.
                _writer.WriteLine(_hvp.Products[parameter.Value] + " = " + (_declared.Contains(parameter.Value) ? _hvp.GradientTangentNames[parameter.Value] : "0") + ";");
            }

            if (_ir.Result is not null)
            {
                _writer.WriteLine("return " + _printer.Print(C.FromIr(_ir.Result)) + ";");
            }

            _writer = outer;
            if (UsesWorkspace)
            {
                _writer.WriteLine("var workspace = " + WorkspaceClass + ".Current; // buffers reused from call to call");
            }

            _writer.WriteLines(body);
        }

        if (UsesWorkspace)
        {
            WriteWorkspace(toolVersion);
        }
    }

    private bool UsesWorkspace => _plan.UsesWorkspace || _tensorFields.Count > 0;

    private void WriteWorkspace(string toolVersion) =>
        WorkspaceWriter.Write(
            _writer,
            WorkspaceClass,
            "Buffers (forward values, tangents, gradients and their tangents) that <see cref=\"" + Name + "\"/> reuses from call to call on each thread, so that once they have grown it allocates nothing.",
            toolVersion,
            _forward.ValueBuffers.Select(id => "public " + TypeOf(id) + "? " + _ir.Values[id].Name + ";")
                .Concat(_forward.SavedBuffers.Select(id => _plan.TapesSaved(id) ? Tape(_forward.SavedType(id) + "?", _ir.Values[id].Name + "Saved") : "public " + _forward.SavedType(id) + "? " + _ir.Values[id].Name + "Saved;"))
                .Concat(_forward.TangentBuffers.Select(id => "public " + TypeOf(id) + "? " + _hvp.Forward.TangentNames[id] + ";"))
                .Concat(_tensorFields.Select(field => "public " + field.Value + "? " + field.Key + ";"))
                .Concat(_plan.OverwrittenBuffers.Select(b => "public " + TypeOf(b.Id) + "? " + TapeName(b.Id, b.Tangent) + "; // overwritten by every iteration"))
                .Concat(_plan.Tapes.Select(tape => Tape(TapedType(tape.Value), TapeName(tape.Value, tape.Tangent))))
                .Concat(_plan.IterationTapes.Select(b => Tape(TypeOf(b.Id) + "?", TapeName(b.Id, b.Tangent)) + " // one per iteration, which may outlive it"))
                .Concat(_plan.ExitTapes.Select(phi => Tape(TypeOf(phi), _plan.ExitName(phi))))
                .Concat(_plan.Counted.SelectMany(l => _plan.TapedCalls(l.Cursor)).SelectMany(site => PushforwardWriter.CallSiteLocals(_ir, site).Select(l => Tape(l.Type + (l.Tensor ? "?" : string.Empty), l.Name)))));

    /// <summary>The discards a printed pullback call passes (only those are declared).</summary>
    private readonly HashSet<string> _usedDiscards = new(StringComparer.Ordinal);

    /// <summary>Values (false) and tangents (true) computed straight into their tape slots: not stored again.</summary>
    private readonly HashSet<(int, bool)> _inSlot = new();

    public string? ValueSlot(int id) => InSlot(id, tangent: false);

    public string? TangentSlot(int id) => InSlot(id, tangent: true);

    /// <summary>
    /// A taped tensor (or tangent) is computed into its slot on the tape, which keeps it for the reverse loop; any other
    /// an iteration computes into its slot of a tape never restored (when it may outlive the iteration) or into one
    /// buffer every iteration overwrites.
    /// </summary>
    private string? InSlot(int id, bool tangent)
    {
        if (!IsTensor(id))
        {
            return null;
        }

        if (_plan.Overwritten(id, tangent))
        {
            return "workspace." + TapeName(id, tangent);
        }

        if (_plan.KeptPerIteration(id, tangent))
        {
            return "workspace." + TapeName(id, tangent) + "[" + ValueName(_plan.Owner(id)) + "]";
        }

        if (!(tangent ? _plan.TapesTangent(id) : _plan.TapesValue(id)))
        {
            return null;
        }

        _inSlot.Add((id, tangent));
        return "workspace." + TapeName(id, tangent) + "[" + ValueName(_plan.Owner(id)) + "]";
    }

    /// <summary>A call in a loop saves its state into this iteration's slot of a tape (<c>workspace.tSaved[iter0]</c>).</summary>
    public string? SavedSlot(int id) => _plan.TapesSaved(id) ? "workspace." + _ir.Values[id].Name + "Saved[" + ValueName(_plan.Owner(id)) + "]" : null;

    private string Tape(string type, string name) => "public readonly " + _compilerServices + "Tape<" + type + "> " + name + " = new();";

    /// <summary>The locals a call to another differentiable method defines for the reverse step: the callee's partials and H·v.</summary>
    private static IEnumerable<string> CallSiteLocals(CallSite site) => site.Gradients.Concat(site.Products);

    /// <summary>
    /// A call's partials or H·v for a tensor argument: computed into this iteration's slot when its loop tapes them (the
    /// tape keeps them for the reverse loop), else into a workspace buffer.
    /// </summary>
    public string CallSiteBuffer(CallSite site, string name, string type)
    {
        if (_plan.Owner(site.Target) is var owner and >= 0 && _plan.TapedCalls(owner).Contains(site))
        {
            return "workspace." + name + "[" + ValueName(owner) + "]";
        }

        _tensorFields[name] = type;
        return "workspace." + name;
    }

    /// <summary>A call's tensor partials and H·v declared ahead of its branch (nullable there): read with <c>!</c> after it.</summary>
    private bool HoistedTensorLocal(string text) =>
        _plan.CallSites.Values.Any(site => _forward.Hoisted(site.Target) && PushforwardWriter.CallSiteLocals(_ir, site).Any(l => l.Tensor && l.Name == text));

    private void WriteReverse(RBlock block)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case RComment comment:
                    _writer.WriteLine("// " + comment.Text);
                    break;
                case RDeclare or RZero or RAddAssign or RReset when !_plan.Computes(GradientOf(statement)):
                    break;
                case RDeclare declare when IsTensor(declare.Value):
                    WriteZero(_hvp.GradientName(declare.Value), declare.Value, declare.Initializer);
                    WriteAccumulate(_hvp.GradientName(declare.Value), declare.Initializer);
                    break;
                case RDeclare declare:
                    _writer.WriteLine(Declaration(declare.Value, _hvp.GradientName(declare.Value)) + " = " + _printer.Print(declare.Initializer) + ";");
                    break;
                case RZero zero when IsTensor(zero.Value):
                    WriteZero(_hvp.GradientName(zero.Value), zero.Value, zero.Shape);
                    break;
                case RZero zero:
                    _writer.WriteLine(Declaration(zero.Value, _hvp.GradientName(zero.Value)) + " = 0;");
                    break;
                case RAddAssign add when IsTensor(add.Value):
                    WriteAccumulate(_hvp.GradientName(add.Value), add.Contribution);
                    break;
                case RAddAssign add:
                    _writer.WriteLine(_hvp.GradientName(add.Value) + " += " + _printer.Print(add.Contribution) + ";");
                    break;
                case RReset reset when IsTensor(reset.Value):
                    // In this iteration's shape (a carried tensor may change shape from one iteration to the next).
                    WriteRestart(_hvp.GradientName(reset.Value), reset.Value);
                    break;
                case RReset reset:
                    _writer.WriteLine(_hvp.GradientName(reset.Value) + " = 0;");
                    break;
                case RResetTangent reset when _plan.ComputesTangent(reset.Value) && IsTensor(reset.Value):
                    WriteRestart(_hvp.GradientTangentNames[reset.Value], reset.Value);
                    break;
                case RResetTangent reset when _plan.ComputesTangent(reset.Value):
                    _writer.WriteLine(_hvp.GradientTangentNames[reset.Value] + " = 0;");
                    break;
                case RLoop loop:
                    WriteReverseLoop(loop);
                    break;
                case RGradientTangent tangent when !_plan.ComputesTangent(tangent.Value):
                    break;
                case RGradientTangent tangent when tangent.Declares && IsTensor(tangent.Value):
                    _declared.Add(tangent.Value);
                    // Shaped like the gradient just declared, or when H·v does not need it like the value itself (not
                    // like the gradient a rule's [SameShapeAs] names: it may not be computed here, nothing reads it).
                    WriteZero(_hvp.GradientTangentNames[tangent.Value], tangent.Value, _plan.TangentShape(tangent.Value));
                    if (!TangentSweep.IsZero(tangent.Tangent))
                    {
                        WriteAccumulate(_hvp.GradientTangentNames[tangent.Value], tangent.Tangent);
                    }

                    break;
                case RGradientTangent tangent when tangent.Declares:
                    _declared.Add(tangent.Value);
                    _writer.WriteLine(Declaration(tangent.Value, _hvp.GradientTangentNames[tangent.Value]) + " = " + _printer.Print(tangent.Tangent) + ";");
                    break;
                case RGradientTangent tangent when IsTensor(tangent.Value):
                    WriteAccumulate(_hvp.GradientTangentNames[tangent.Value], tangent.Tangent);
                    break;
                case RGradientTangent tangent:
                    _writer.WriteLine(_hvp.GradientTangentNames[tangent.Value] + " += " + _printer.Print(tangent.Tangent) + ";");
                    break;
                case RCall call when call.Accumulated.Any(_plan.Computes):
                    _writer.WriteLine(call.Target + "(" + string.Join(", ", call.Arguments.Select(Argument)) + ");");
                    break;
                case RRuleTangent rule when rule.Arguments.Any(a => a.GradientTangentOf is { } v && _plan.ComputesTangent(v)):
                    _writer.WriteLine(rule.Target + "(" + string.Join(", ", rule.Arguments.Select(Argument)) + ");");
                    break;
                case RIf branch:
                    using (_writer.WriteBlock("if (" + _printer.Print(branch.Condition) + ")"))
                    {
                        WriteReverse(branch.Then);
                    }

                    if (branch.Else.Count > 0)
                    {
                        using (_writer.WriteBlock("else"))
                        {
                            WriteReverse(branch.Else);
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// An argument of a pullback or pullback-tangent call: a gradient (or its tangent) that nothing reads is not computed,
    /// so a tensor one is passed as null (the rule skips it).
    /// </summary>
    private string Argument(RArgument argument)
    {
        if (argument.Discard is not null)
        {
            _usedDiscards.Add(argument.Discard);
            return "ref " + argument.Discard;
        }

        var (value, live, name) = argument switch
        {
            { GradientOf: { } g } => (g, _plan.Computes(g), _hvp.GradientName(g)),
            { GradientTangentOf: { } t } => (t, _plan.ComputesTangent(t), _hvp.GradientTangentNames[t]),
            _ => (-1, false, string.Empty),
        };
        return value >= 0 ? (!live ? "null" : (argument.ByRef ? "ref " : string.Empty) + name)
            : argument.Expression is CName { Text: var text } && _reverseLoops is { Count: 0 } && HoistedTensorLocal(text) ? text + "!"
            : _printer.Print(argument.Expression!);
    }

    /// <summary><c>var dh = Buffers.EnsureZeroed(ref workspace.dh, shape);</c> (a parameter's buffer is the caller's).</summary>
    private void WriteZero(string name, int value, CExpr? shape)
    {
        if (_ir.Parameters.Any(p => p.Value == value))
        {
            return;
        }

        _tensorFields[name] = TypeOf(value);
        _writer.WriteLine(TypeOf(value) + " " + name + " = " + _compilerServices + "Buffers.EnsureZeroed(ref workspace." + name + ", " + _printer.Print(shape ?? new CValue(value)) + ");");
    }

    /// <summary><c>dh = Buffers.EnsureZeroed(ref workspace.dh, h);</c>: a carried tensor's gradient (or tangent) starting over.</summary>
    private void WriteRestart(string name, int value)
    {
        _tensorFields[name] = TypeOf(value);
        _writer.WriteLine(name + " = " + _compilerServices + "Buffers.EnsureZeroed(ref workspace." + name + ", " + _printer.Print(new CValue(value)) + ");");
    }

    private void WriteAccumulate(string name, CExpr contribution) =>
        _writer.WriteLine(_compilerServices + "Buffers.AccumulateInto(" + name + ", " + _printer.Print(contribution) + ");");

    private bool IsTensor(int value) => _ir.Values[value].Type.IsTensor;

    private string TypeOf(int value) => _ir.Values[value].Type.Name;

    private static int GradientOf(RStatement statement) => statement switch
    {
        RDeclare d => d.Value,
        RZero z => z.Value,
        RAddAssign a => a.Value,
        RReset r => r.Value,
        _ => -1,
    };

    /// <summary>
    /// The iterations backwards, as the gradient runs them: the cursor counts down to where this run of the loop started;
    /// each iteration first takes back from the tapes the values and tangents it reads, then runs the reversed body with
    /// the tangent of each step beside it.
    /// </summary>
    private void WriteReverseLoop(RLoop loop)
    {
        var cursor = ValueName(loop.Loop.Cursor);
        using (_writer.WriteBlock("while (" + cursor + " > " + (loop.Loop.Start >= 0 ? ValueName(loop.Loop.Start) : "0") + ")"))
        {
            _writer.WriteLine(cursor + "--;");
            foreach (var id in _plan.TapedValues(loop.Loop.Cursor))
            {
                WriteRestore(id, ValueName(id), TapeName(id, tangent: false), cursor, tangent: false);
            }

            foreach (var id in _plan.TapedTangents(loop.Loop.Cursor))
            {
                WriteRestore(id, _hvp.Forward.TangentNames[id], TapeName(id, tangent: true), cursor, tangent: true);
            }

            foreach (var site in _plan.TapedCalls(loop.Loop.Cursor))
            {
                foreach (var (name, type, tensor) in PushforwardWriter.CallSiteLocals(_ir, site))
                {
                    _writer.WriteLine(type + " " + name + " = workspace." + name + "[" + cursor + "]" + (tensor ? "!" : string.Empty) + ";");
                }
            }

            foreach (var span in _plan.Remade(loop.Loop.Cursor))
            {
                _writer.WriteLine(TypeOf(span.Target) + " " + ValueName(span.Target) + " = " + _printer.Print(C.FromIr(span.Value)) + "; // made again: a span cannot be taped");
            }

            foreach (var phi in _plan.ExitTapedIn(loop.Loop.Cursor))
            {
                _writer.WriteLine(TypeOf(phi) + " " + _plan.ExitName(phi) + " = workspace." + _plan.ExitName(phi) + "[" + cursor + "]; // as '" + IrWalker.Loops(_ir.Body.Statements).First(l => l.Cursor == _plan.Owner(phi)).Source + "' left it");
            }

            _reverseLoops!.Add(loop.Loop.Cursor);
            WriteReverse(loop.Body);
            _reverseLoops.RemoveAt(_reverseLoops.Count - 1);
        }
    }

    /// <summary><c>double h = workspace.h[iter0];</c> (a carried value the method's scope declares is assigned).</summary>
    private void WriteRestore(int id, string name, string tape, string cursor, bool tangent) =>
        _writer.WriteLine((_plan.InMethodScope(id, tangent) ? string.Empty : TypeOf(id) + (tangent && IsTensor(id) ? "? " : " ")) + name + " = workspace." + tape + "[" + cursor + "]"
            + (!tangent && IsTensor(id) ? "!" : string.Empty) + ";");

    /// <summary>
    /// What a tape keeps: a value's type, or its tangent's (a tensor tangent may be null: zero); a tensor's slot is
    /// nullable, as the destination an op computes into.
    /// </summary>
    private string TapedType(int id) => TypeOf(id) + (IsTensor(id) ? "?" : string.Empty);

    /// <summary>The workspace tape of a value (<c>h</c>) or of its tangent (<c>vh</c>): named as the local it keeps.</summary>
    private string TapeName(int id, bool tangent) => tangent ? _hvp.Forward.TangentNames[id] : _ir.Values[id].Name.TrimStart('@');

    private string ValueName(int id) => _ir.Values[id].Name;

    // ----- forward sweep: what its loops keep (ILoopTaping) ---------------------------------------------------

    public void BeforeLoop(TLoop loop)
    {
        var cursor = loop.Loop.Cursor;
        if (!_plan.Counted.Any(l => l.Cursor == cursor))
        {
            return;
        }

        var taped = _plan.TapedValues(cursor).Select(ValueName).Concat(_plan.TapedTangents(cursor).Select(id => _hvp.Forward.TangentNames[id]))
            .Concat(_plan.TapedSaved(cursor).Select(id => ValueName(id) + "Saved"))
            .Concat(_plan.TapedCalls(cursor).SelectMany(CallSiteLocals)).ToList();
        _writer.WriteLine("// per iteration, " + (taped.Count == 0 ? "nothing taped (the reverse sweep reads no value of an iteration)"
            : "taped: " + string.Join(", ", taped) + " (the reverse sweep reads " + (taped.Count == 1 ? "it" : "them") + ")"));
        if (loop.Loop.Start >= 0)
        {
            _writer.WriteLine("int " + ValueName(loop.Loop.Start) + " = " + ValueName(cursor) + "; // where this run of the loop starts on its tapes");
            Store(loop.Loop.Start, tangent: false);
        }
    }

    public void IterationStart(TLoop loop)
    {
        foreach (var carried in loop.Loop.Carried)
        {
            Store(carried.Phi, tangent: false);
            Store(carried.Phi, tangent: true);
        }
    }

    public void IterationEnd(TLoop loop, bool leaving)
    {
        if (_plan.Counted.Any(l => l.Cursor == loop.Loop.Cursor))
        {
            _writer.WriteLine(ValueName(loop.Loop.Cursor) + "++;" + (leaving ? " // counts the iteration it leaves" : string.Empty));
        }
    }

    public void After(TStatement statement)
    {
        switch (statement)
        {
            case TPrimal { Statement: IrAssign assign }:
                Store(assign.Target, tangent: false);
                break;
            case TTangent tangent:
                Store(tangent.Value, tangent: true);
                break;
            case TRuleTangent rule:
                Store(rule.Target, tangent: true);
                break;
            case TPushforwardCall call:
                Store(call.Target, tangent: false);
                Store(call.Target, tangent: true);
                if (_plan.Owner(call.Target) is var owner and >= 0 && _plan.TapedCalls(owner).FirstOrDefault(s => s.Target == call.Target) is { } site)
                {
                    // A tensor argument's partials and H·v were computed in their slots.
                    foreach (var (name, _, _) in PushforwardWriter.CallSiteLocals(_ir, site).Where(l => !l.Tensor))
                    {
                        _writer.WriteLine("workspace." + name + "[" + ValueName(owner) + "] = " + name + ";");
                    }
                }

                break;
            case TIf branch:
                foreach (var phi in branch.Branch.Phis)
                {
                    Store(phi.Target, tangent: false);
                    Store(phi.Target, tangent: true);
                }

                break;
            case TLoop loop:
                foreach (var carried in loop.Loop.Carried.Where(c => c.Exit >= 0))
                {
                    Store(carried.Exit, tangent: false);
                    Store(carried.Exit, tangent: true);
                }

                foreach (var phi in loop.Loop.Carried.Select(c => c.Phi).Where(_plan.ExitTaped))
                {
                    _writer.WriteLine("workspace." + _plan.ExitName(phi) + "[" + ValueName(_plan.Enclosing(loop.Loop.Cursor)) + "] = " + _forward.Locals.Name(phi) + ";");
                }

                break;
        }
    }

    /// <summary><c>workspace.h[iter0] = h;</c> for a value (or tangent) an iteration defines and the reverse loop reads.</summary>
    private void Store(int id, bool tangent)
    {
        if (!(tangent ? _plan.TapesTangent(id) : _plan.TapesValue(id)) || _inSlot.Contains((id, tangent)))
        {
            return;
        }

        _writer.WriteLine("workspace." + TapeName(id, tangent) + "[" + ValueName(_plan.Owner(id)) + "] = " + (tangent ? _forward.TangentName(id) : _forward.Locals.Name(id)) + ";");
    }

    /// <summary>Every gradient (a parameter's too: here it is a local) is declared where it starts.</summary>
    private string Declaration(int value, string name) => _ir.Values[value].Type.Name + " " + name;
}
