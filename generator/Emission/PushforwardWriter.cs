using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Planning;

namespace SymDiff.Generator.Emission;

/// <summary>
/// Prints a <see cref="TangentProgram"/> as <c>{Method}Pushforward</c>: the method's own statements, each followed by
/// its tangent, under comments quoting the source statement they come from.
/// </summary>
internal sealed class PushforwardWriter
{
    private readonly MethodModel _model;
    private readonly SignatureNames _names;
    private readonly IrMethod _ir;
    private readonly TangentPlan _plan;
    private readonly TangentProgram _program;
    private readonly IndentedTextWriter _writer;
    private readonly CExprPrinter _printer;
    private readonly IReadOnlyDictionary<int, CallSite> _callSites;
    private readonly string _compilerServices;
    private readonly ILoopTaping? _taping;
    private readonly LoopLocals? _locals;
    private readonly Dictionary<IrLoop, TLoop> _loops = new();
    private string? _pendingComment;

    /// <param name="callSites">In a Hessian-vector product: calls to other differentiable methods, by their value.</param>
    /// <param name="taping">In a Hessian-vector product: what its loops keep for the reverse sweep.</param>
    public PushforwardWriter(
        MethodModel model,
        SignatureNames names,
        TangentPlan plan,
        IndentedTextWriter writer,
        CExprPrinter? printer = null,
        IReadOnlyDictionary<int, CallSite>? callSites = null,
        ILoopTaping? taping = null)
    {
        _taping = taping;
        _callSites = callSites ?? new Dictionary<int, CallSite>();
        _plan = plan;
        _compilerServices = model.Usings.Any(u => u == "SymDiff.CompilerServices") ? string.Empty : "global::SymDiff.CompilerServices.";
        _model = model;
        _names = names;
        _ir = model.Ir;
        _program = plan.Program;
        _locals = plan.Locals;
        _writer = writer;
        _printer = printer ?? new CExprPrinter(Name, Tangent, NoGradients, NoGradients);
    }

    private static string NoGradients(int id) => throw new System.InvalidOperationException("a pushforward has no gradients");

    public void Write(string toolVersion)
    {
        var differentiable = _ir.Parameters.Where(p => p.Differentiable).ToList();
        var direction = differentiable.Count == 0 ? "(no parameter is differentiable)" : "(" + string.Join(", ", differentiable.Select(_names.Of)) + ")";
        var sum = differentiable.Count == 0 ? "0" : string.Join(" + ", differentiable.Select(p => "∂/∂" + NameAllocatorText(p.Name) + "·" + _names.Of(p)));
        SummaryWriter.Write(
            _writer,
            "Pushforward (Jacobian-vector product) of " + _model.MethodReference + " (forward mode): returns its value and writes to <paramref name=\""
            + _names.Seed + "\"/> its derivative along the direction " + direction + ", that is " + sum + "."
            + (differentiable.Any(p => p.Type.IsTensor) ? " A null tensor direction is zero." : string.Empty)
            + (_ir.ReturnType.IsTensor ? " The tangent overwrites <paramref name=\"" + _names.Seed + "\"/>, which has the result's shape." : string.Empty));
        var tensorResult = _ir.ReturnType.IsTensor;
        _writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"SymDiff\", \"" + toolVersion + "\")]");
        _writer.WriteLine(Signature(_model, _names, PushforwardName));
        using (_writer.WriteBlock())
        {
            foreach (var parameter in differentiable.Where(p => p.Type.IsTensor))
            {
                _writer.WriteLine(_compilerServices + "Arguments.CheckGradient(\"" + PushforwardName + "\", " + parameter.Name + ", " + _names.Of(parameter) + ", false);");
            }

            if (_plan.UsesWorkspace)
            {
                _writer.WriteLine("var workspace = " + WorkspaceClass + ".Current;");
            }

            // The result's tangent goes straight to dResult when it is the last thing computed (no dresult local).
            var statements = _program.Body.Statements;
            var last = statements.Count > 0 ? statements[statements.Count - 1] as TTangent : null;
            if (last is not null && !tensorResult && _program.ResultTangent is CTangent { Id: var id } && id == last.Value)
            {
                WriteStatements(statements.Take(statements.Count - 1));
                Line(_names.Seed + " = " + _printer.Print(last.Tangent) + ";");
            }
            else if (tensorResult)
            {
                WriteBlock(_program.Body);
                _writer.WriteLine(_compilerServices + "Buffers.WriteTangent(\"" + PushforwardName + "\", " + _printer.Print(C.FromIr(_ir.Result!)) + ", "
                    + _printer.Print(_program.ResultTangent) + ", " + _names.Seed + ");");
            }
            else
            {
                WriteBlock(_program.Body);
                _writer.WriteLine(_names.Seed + " = " + _printer.Print(_program.ResultTangent) + ";");
            }
            if (_ir.Result is not null)
            {
                _writer.WriteLine("return " + _printer.Print(C.FromIr(_ir.Result)) + ";");
            }
        }

        if (_plan.UsesWorkspace)
        {
            WorkspaceWriter.Write(
                _writer,
                WorkspaceClass,
                "Buffers (forward values and tangents) that <see cref=\"" + PushforwardName + "\"/> reuses from call to call on each thread, so that once they have grown it allocates nothing but its result.",
                toolVersion,
                _plan.ValueBuffers.Select(id => Field(id, Name(id), _plan.ValueSlot(id)))
                    .Concat(_plan.TangentBuffers.Select(id => Field(id, Tangent(id), _plan.TangentSlot(id)))));
        }
    }

    /// <summary>A workspace buffer, or the two (or more) a loop uses in turn (a tape of which it uses slots 0, 1, ...).</summary>
    private string Field(int id, string name, int cursor) => cursor < 0
        ? "public " + TypeOf(id) + "? " + name + ";"
        : "public readonly " + _compilerServices + "Tape<" + TypeOf(id) + "?> " + name + " = new(); // "
            + (_plan.BuffersInTurn(cursor) switch { 2 => "two", 3 => "three", 4 => "four", var n => n.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            + " buffers, used in turn by the iterations of '" + LoopSource(cursor) + "'";

    private string LoopSource(int cursor) => IrWalker.Loops(_ir.Body.Statements).First(l => l.Cursor == cursor).Source;

    /// <summary><c>[iter0 &amp; 1]</c> (<c>[iter0 % 3]</c>, ...) for a buffer the loop uses in turn, else nothing.</summary>
    private string Slot(int cursor) => cursor < 0 ? string.Empty
        : "[" + Name(cursor) + (_plan.BuffersInTurn(cursor) == 2 ? " & 1]" : " % " + _plan.BuffersInTurn(cursor).ToString(System.Globalization.CultureInfo.InvariantCulture) + "]");

    /// <summary>The pushforward's declaration: F's parameters, a direction per differentiable one, then dResult.</summary>
    private static string Signature(MethodModel model, SignatureNames names, string name)
    {
        var ir = model.Ir;
        var parameters = ir.Parameters.Select(p => p.Type.Name + " " + p.Name)
            .Concat(ir.Parameters.Where(p => p.Differentiable).Select(p => p.Type.Name + (p.Type.IsTensor ? "? " : " ") + names.Of(p)))
            .Append((ir.ReturnType.IsTensor ? string.Empty : "out ") + ir.ReturnType.Name + " " + names.Seed);
        return model.Accessibility + " static " + ir.ReturnType.Name + " " + name + "(" + string.Join(", ", parameters) + ")";
    }

    /// <summary>
    /// For a method forward mode does not cover: its pushforward declared, with the signature it would have, as an
    /// error to use (<c>[Obsolete(error: true)]</c>, SD0018), so a call to it fails to compile at the call, saying what
    /// the method uses that forward mode does not cover and what to add, while builds that never call it are unaffected.
    /// </summary>
    public static void WriteUnavailable(MethodModel model, SignatureNames names, IndentedTextWriter writer, string toolVersion)
    {
        var name = DerivativeNames.Pushforward(model.MethodName);
        var reason = name + " is not available: forward mode does not cover " + model.PushforwardGap + " (SymDiff SD2001 marks where).";
        WriteObsolete(
            writer,
            toolVersion,
            "Not generated: forward mode does not cover everything " + model.MethodName + " uses. Calling it is a compile-time error (SD0018) that says what, and what to add.",
            reason,
            "SD0018",
            Signature(model, names, name));
    }

    /// <summary>
    /// A generated method declared unusable: <c>[Obsolete(reason, error: true, DiagnosticId = id)]</c>, hidden from
    /// IntelliSense, its body throwing (it is never reached: a call to it does not compile).
    /// </summary>
    public static void WriteObsolete(IndentedTextWriter writer, string toolVersion, string summary, string reason, string id, string signature)
    {
        SummaryWriter.Write(writer, summary);
        writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"SymDiff\", \"" + toolVersion + "\")]");
        writer.WriteLine("[global::System.Obsolete(" + Literal(reason) + ", true, DiagnosticId = \"" + id + "\")]");
        writer.WriteLine("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        writer.WriteLine(signature + " =>");
        writer.WriteLine("    throw new global::System.NotSupportedException(" + Literal(reason) + ");");
    }

    /// <summary>A C# string literal of <paramref name="text"/> (source text quoted in it may span lines: joined).</summary>
    private static string Literal(string text) =>
        "\"" + string.Join(" ", text.Split(new[] { "\r\n", "\n", "\r" }, System.StringSplitOptions.None).Select(line => line.Trim()))
            .Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private string PushforwardName => DerivativeNames.Pushforward(_model.MethodName);

    private string WorkspaceClass => PushforwardName + "Workspace";

    /// <summary>Writes the statements of a tangent program (the forward sweep of a Hessian-vector product, too).</summary>
    public void WriteBlock(TBlock block)
    {
        WriteStatements(block.Statements);
        _pendingComment = null; // it quoted only statements that print nothing
    }

    private void WriteStatements(IEnumerable<TStatement> statements)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case TComment comment:
                    Comment(comment.Source);
                    break;
                case TPrimal { Statement: IrAssign { Value: IrCall { Arguments.Count: 1 } call } assign, Companion: { } companion }:
                    // Math.SinCos gives the sine and the cosine for little more than one of them (and the same bits).
                    var value = Declare(assign.Target) + Name(assign.Target);
                    var other = TypeOf(assign.Target) + " " + companion.Name;
                    var pair = companion.Function == "Cos" ? value + ", " + other : other + ", " + value;
                    Line("(" + pair + ") = " + call.Callee.Owner + ".SinCos(" + _printer.Print(C.FromIr(call.Arguments[0])) + ");");
                    WriteSharedTangentDeclaration(assign.Target);
                    break;
                case TPrimal { Statement: IrAssign assign } when LoopShape.PrintsNothing(assign, _locals):
                    break; // in a for header, or a copy of a local onto itself
                case TPrimal { Statement: IrAssign assign } when _locals is { } locals && locals.Compound(assign.Target, assign.Value) is not null:
                    Line(LoopShape.Assignment(assign, locals, _printer, Name) + ";");
                    break;
                case TPrimal { Statement: IrAssign assign }:
                    Line(Declare(assign.Target) + Name(assign.Target) + " = " + _printer.Print(Forward(assign)) + ";");
                    WriteSharedTangentDeclaration(assign.Target);
                    break;
                case TPrimal { Statement: IrEffect effect }:
                    Line(_printer.Print(C.FromIr(effect.Value)) + ";");
                    break;
                case TPrimal { Statement: IrThrow thrown }:
                    Line("throw " + _printer.Print(C.FromIr(thrown.Exception)) + ";");
                    break;
                case TTangent tangent:
                    WriteTangent(tangent.Value, tangent.Tangent);
                    break;
                case TPushforwardCall call when _callSites.TryGetValue(call.Target, out var site):
                    WriteCallSite(site);
                    break;
                case TPushforwardCall call:
                    var arguments = call.Call.Arguments.Select(a => _printer.Print(C.FromIr(a)))
                        .Concat(call.Tangents.Select(_printer.Print))
                        .Append("out " + TypeOf(call.Target) + " " + Tangent(call.Target));
                    Line(TypeOf(call.Target) + " " + Name(call.Target) + " = " + DerivativeNames.OfCallee(call.Call.Callee, DerivativeNames.PushforwardSuffix) + "(" + string.Join(", ", arguments) + ");");
                    break;
                case TRuleTangent rule:
                    WriteRuleTangent(rule);
                    break;
                case TIf branch:
                    WriteIf(branch);
                    break;
                case TLoop loop:
                    WriteLoop(loop);
                    break;
            }

            _taping?.After(statement);
        }
    }

    /// <summary>
    /// <c>dy = tangent;</c>, or <c>ds += dt0</c> when it adds to the tangent of the version before, which shares its local;
    /// nothing when it copies that tangent.
    /// </summary>
    private void WriteTangent(int id, CExpr tangent)
    {
        var name = Tangent(id);
        if (IsTangentOf(tangent, name))
        {
            return;
        }

        if (tangent is CBinary { Op: IrBinaryOp.Add or IrBinaryOp.Subtract } sum && IsTangentOf(sum.Left, name) && !_plan.DeclaresTangent(id))
        {
            Line(name + (sum.Op == IrBinaryOp.Add ? " += " : " -= ") + _printer.Print(sum.Right) + ";");
            return;
        }

        Line(DeclareTangent(id) + name + " = " + _printer.Print(tangent) + ";");
    }

    /// <summary>Whether <paramref name="tangent"/> is the tangent local <paramref name="name"/> itself.</summary>
    private bool IsTangentOf(CExpr? tangent, string name) => tangent is CTangent { Id: var from } && Tangent(from) == name;

    /// <summary>
    /// <c>double ds = 0;</c> right after the version that declares its variable's local, when the tangents its versions
    /// share are all defined in nested blocks (a branch's sides, a loop's body).
    /// </summary>
    private void WriteSharedTangentDeclaration(int id)
    {
        if (_plan.TangentDeclaredWith(id) is { } name)
        {
            Line(TypeOf(id) + " " + name + " = " + _ir.Values[id].Type.DefaultValueText + "; // the tangent of " + Name(id) + ", set below");
        }
    }

    /// <summary>A comment quoting the source statement the following lines come from (in a pushforward, printed only if one does).</summary>
    private void Comment(string source)
    {
        if (_locals is null)
        {
            _writer.WriteLine("// " + source);
            return;
        }

        _pendingComment = source;
    }

    private void Line(string text)
    {
        if (_pendingComment is not null)
        {
            _writer.WriteLine("// " + _pendingComment);
            _pendingComment = null;
        }

        _writer.WriteLine(text);
    }

    private System.IDisposable Block(string header)
    {
        Line(header);
        _pendingComment = null;
        return _writer.WriteBlock();
    }

    /// <summary>
    /// A call in a Hessian-vector product: <c>t = GHessianVectorProduct(args, ẋ, out t_hv0, ...)</c>, then
    /// <c>GGradient(args, out t_d0, ...)</c>, then the value's tangent <c>vt = ẋ_0·t_d0 + ...</c> unless nothing reads it
    /// (the plan's program names only the tangents it keeps).
    /// </summary>
    private void WriteCallSite(CallSite site)
    {
        var hoisted = _plan.Hoisted(site.Target);
        var outType = hoisted ? "out " : "out " + TypeOf(site.Target) + " ";
        var callee = site.Call.Callee;
        var arguments = site.Call.Arguments.Select(a => _printer.Print(C.FromIr(a))).ToList();
        for (var k = 0; k < site.TensorInputs.Count; k++)
        {
            if (site.TensorInputs[k] is { } input)
            {
                // The callee adds its H·v and partials for a tensor argument into zeroed buffers of its shape.
                foreach (var name in new[] { site.Products[k], site.Gradients[k] })
                {
                    Line((hoisted ? string.Empty : TypeOf(input) + " ") + name + " = " + _compilerServices + "Buffers.EnsureZeroed(ref "
                        + (_taping?.CallSiteBuffer(site, name, TypeOf(input)) ?? "workspace." + name) + ", " + Name(input) + ");");
                }
            }
        }

        string Output(string name, int k) => site.TensorInputs[k] is null ? outType + name : name;
        Line(Declare(site.Target) + Name(site.Target) + " = " + DerivativeNames.OfCallee(callee, DerivativeNames.HessianVectorProductSuffix) + "(" + string.Join(", ", arguments
            .Concat(site.Tangents.Select(_printer.Print)).Concat(site.Products.Select(Output))) + ");");
        Line(DerivativeNames.OfCallee(callee, DerivativeNames.GradientSuffix) + "(" + string.Join(", ", arguments.Concat(site.Gradients.Select(Output))) + ");");
        if (!C.IsZero(site.ValueTangent) && _program.TangentNames.ContainsKey(site.Target))
        {
            Line(DeclareTangent(site.Target) + Tangent(site.Target) + " = " + _printer.Print(site.ValueTangent) + ";");
        }
    }

    /// <summary>A tensor op computes into its workspace buffer when the plan says so: <c>Op(x, ref workspace.h)</c>.</summary>
    private CExpr Forward(IrAssign assign)
    {
        var value = C.FromIr(assign.Value);
        if (_plan.SavedBuffers.Contains(assign.Target) && value is CCall saving)
        {
            return new CCall(saving.Receiver, saving.Name, saving.Arguments.Append(new CName("ref " + (_taping?.SavedSlot(assign.Target) ?? "workspace." + Name(assign.Target) + "Saved"))).ToList());
        }

        if (assign.Value is IrCall { Callee.HasDestination: true } && value is CCall taped && _taping?.ValueSlot(assign.Target) is { } slot)
        {
            return new CCall(taped.Receiver, taped.Name, taped.Arguments.Append(new CName("ref " + slot)).ToList());
        }

        return _plan.ComputesIntoBuffer(assign) && value is CCall call
            ? new CCall(call.Receiver, call.Name, call.Arguments.Append(new CName("ref workspace." + Name(assign.Target) + Slot(_plan.ValueSlot(assign.Target)))).ToList())
            : value;
    }

    /// <summary>
    /// <c>double dt = FPushforward(inputs it reads, [result], tangents)</c>, or for a tensor result
    /// <c>var dt = Buffers.Ensure(ref workspace.dt, t.Shape); FPushforward(..., dt);</c>.
    /// </summary>
    private void WriteRuleTangent(TRuleTangent rule)
    {
        var call = rule.Call;
        var arguments = new List<string>();
        for (var i = 0; i < call.Arguments.Count; i++)
        {
            if (call.Callee.PushforwardReads.Count > i && call.Callee.PushforwardReads[i])
            {
                arguments.Add(_printer.Print(C.FromIr(call.Arguments[i])));
            }
        }

        if (call.Callee.PushforwardReadsResult)
        {
            arguments.Add(Name(rule.Target));
        }

        arguments.AddRange(rule.Tangents.Select(_printer.Print));
        if (!_ir.Values[rule.Target].Type.IsTensor)
        {
            Line(DeclareTangent(rule.Target) + Tangent(rule.Target) + " = " + call.Callee.Pushforward + "(" + string.Join(", ", arguments) + ");");
            return;
        }

        Line(Declare(rule.Target) + Tangent(rule.Target) + " = " + (_taping?.TangentSlot(rule.Target) is { } slot
            ? _compilerServices + "Buffers.Ensure(ref " + slot + ", " + Name(rule.Target) + ".Shape);"
            : _plan.FreshTangent(rule.Target)
            ? "new " + TypeOf(rule.Target) + "(" + Name(rule.Target) + ".Shape.ToArray()); // fresh each iteration"
            : _compilerServices + "Buffers.Ensure(ref workspace." + Tangent(rule.Target) + Slot(_plan.TangentSlot(rule.Target)) + ", " + Name(rule.Target) + ".Shape);"));
        arguments.Add(Tangent(rule.Target));
        Line(call.Callee.Pushforward + "(" + string.Join(", ", arguments) + ");");
    }

    private void WriteIf(TIf t)
    {
        var branch = t.Branch;
        foreach (var group in _plan.DeclaredAhead(t).GroupBy(TypeOf))
        {
            var zero = _ir.Values[group.First()].Type.DefaultValueText;
            if (!_ir.Values[group.First()].Type.IsTensor)
            {
                Line(group.Key + " " + string.Join(", ", group.SelectMany(id => Hoisted(id).Select(name => name + " = " + zero))) + "; // read after the branch");
                foreach (var tensors in group.Where(_callSites.ContainsKey).SelectMany(id => TensorCallSiteLocals(_callSites[id])).GroupBy(l => l.Type))
                {
                    Line(tensors.Key + "? " + string.Join(", ", tensors.Select(l => l.Name + " = null")) + "; // the call's partials and H·v, read after the branch");
                }

                continue;
            }

            // A tensor's tangent may be null (a zero direction), as its declaration anywhere else says.
            var tangents = new HashSet<string>(group.Where(_program.TangentNames.ContainsKey).Select(id => _program.TangentNames[id]));
            Line(group.Key + " " + string.Join(", ", group.SelectMany(Hoisted).Where(name => !tangents.Contains(name)).Select(name => name + " = " + zero)) + "; // read after the branch");
            if (tangents.Count > 0)
            {
                Line(group.Key + "? " + string.Join(", ", group.SelectMany(Hoisted).Where(tangents.Contains).Select(name => name + " = null")) + ";");
            }
        }

        foreach (var phi in branch.Phis.Where(p => !_plan.Hoisted(p.Target) && Declares(p.Target) && !IsBreakFlag(p.Target)))
        {
            Line(TypeOf(phi.Target) + " " + Name(phi.Target) + ";");
            WriteSharedTangentDeclaration(phi.Target);
        }

        foreach (var phi in t.TangentPhis.Where(p => !_plan.Hoisted(p.Target) && _plan.DeclaresTangent(p.Target)))
        {
            Line(DeclareTangent(phi.Target) + Tangent(phi.Target) + ";");
        }

        // A side that prints nothing (a 'continue', or copies of locals onto themselves) leaves the other one alone
        // under the negated condition.
        var thenPrints = PrintsSomething(t, whenTrue: true);
        var elsePrints = PrintsSomething(t, whenTrue: false);
        if (!thenPrints && elsePrints)
        {
            using (Block("if (!" + Name(branch.Condition) + ")"))
            {
                WriteSide(t, whenTrue: false);
            }

            return;
        }

        using (Block("if (" + Name(branch.Condition) + ")"))
        {
            WriteSide(t, whenTrue: true);
        }

        if (elsePrints)
        {
            using (Block("else"))
            {
                WriteSide(t, whenTrue: false);
            }
        }
    }

    private bool PrintsSomething(TIf t, bool whenTrue) =>
        (whenTrue ? t.Then : t.Else).Statements.Any(s => s is not TComment)
        || t.Branch.Phis.Any(p => (whenTrue ? p.WhenTrue : p.WhenFalse) is { } source && !IsBreakFlag(p.Target) && !IsSelfCopy(p.Target, source))
        || t.TangentPhis.Any(p => (whenTrue ? p.WhenTrue : p.WhenFalse) is { } source && !IsTangentOf(source, Tangent(p.Target)))
        || Breaks(t.Branch, whenTrue);

    /// <summary>Whether this side of the branch leaves its loop (a <c>break</c> whose flag prints as <c>break;</c>).</summary>
    private bool Breaks(IrIf branch, bool whenTrue) =>
        branch.Phis.Any(p => IsBreakFlag(p.Target) && (whenTrue ? p.WhenTrue : p.WhenFalse) is IrConstant);

    /// <summary>One side of a branch: its statements, then the values and tangents it hands the merges, then its break.</summary>
    private void WriteSide(TIf t, bool whenTrue)
    {
        WriteBlock(whenTrue ? t.Then : t.Else);
        foreach (var phi in t.Branch.Phis)
        {
            var source = whenTrue ? phi.WhenTrue : phi.WhenFalse;
            if (source is not null && !IsBreakFlag(phi.Target) && !IsSelfCopy(phi.Target, source))
            {
                Line(Name(phi.Target) + " = " + _printer.Print(C.FromIr(source)) + ";");
            }
        }

        foreach (var phi in t.TangentPhis)
        {
            var source = whenTrue ? phi.WhenTrue : phi.WhenFalse;
            if (source is not null && !IsTangentOf(source, Tangent(phi.Target)))
            {
                Line(Tangent(phi.Target) + " = " + _printer.Print(source) + ";");
            }
        }

        if (Breaks(t.Branch, whenTrue))
        {
            // A break first counts its iteration and moves the carried variables on, as the end of its iteration would.
            var loop = _loops[_locals!.FlagLoop(t.Branch.Phis.First(p => IsBreakFlag(p.Target)).Target)];
            _taping?.IterationEnd(loop, leaving: true);
            WriteCarriedUpdates(loop);
            Line("break;");
        }
    }

    /// <summary>
    /// The loop as the forward pass runs it, in the user's shape where the plan has one (<see cref="LoopShape"/>), each
    /// carried value with its tangent beside it.
    /// </summary>
    private void WriteLoop(TLoop t)
    {
        var loop = t.Loop;
        _loops[loop] = t;
        var initials = LoopShape.Initials(loop, _locals).ToList();
        var tangentInitials = t.Tangents.Where(c => !IsTangentOf(c.Initial, Tangent(c.Phi))).ToList();
        if (initials.Count + tangentInitials.Count == 0)
        {
            _pendingComment = null; // the header quotes the loop
        }

        foreach (var carried in initials)
        {
            Line(Declare(carried.Phi) + Name(carried.Phi) + " = " + _printer.Print(C.FromIr(carried.Initial)) + ";");
            WriteSharedTangentDeclaration(carried.Phi);
        }

        foreach (var carried in tangentInitials)
        {
            Line(DeclareTangent(carried.Phi) + Tangent(carried.Phi) + " = " + _printer.Print(carried.Initial) + ";");
        }

        if (_plan.Counts(loop))
        {
            Line("int " + Name(loop.Cursor) + " = 0; // iterations so far: alternates the buffers of tensors an iteration hands to the next");
        }

        _taping?.BeforeLoop(t);
        var (header, simple, doTest) = LoopShape.Header(loop, _locals, _printer, Name, TypeOf);
        using (Block(header))
        {
            if (!simple)
            {
                WriteBlock(t.Header);
                Line("if (!" + Name(loop.Condition) + ") break;");
            }

            _taping?.IterationStart(t);
            WriteBlock(t.Body);
            _taping?.IterationEnd(t, leaving: false);
            WriteCarriedUpdates(t);
            if (_plan.Counts(loop))
            {
                Line(Name(loop.Cursor) + "++;");
            }
        }

        if (doTest is not null)
        {
            Line("while (" + doTest + ");");
        }

        // A nested loop run again reuses its buffers: what it leaves is copied into a buffer of the enclosing iteration's.
        foreach (var carried in LoopShape.Exits(loop, _locals))
        {
            Line(Declare(carried.Exit) + Name(carried.Exit) + " = " + (_plan.CopiesExit(carried.Exit)
                ? _compilerServices + "Buffers.Copy(" + Name(carried.Phi) + ", ref workspace." + Name(carried.Exit) + Slot(_plan.ValueSlot(carried.Exit)) + "); // its buffer is reused by the loop's next run"
                : Name(carried.Phi) + ";"));
            WriteSharedTangentDeclaration(carried.Exit);
        }

        foreach (var carried in t.Tangents.Where(c => c.Exit >= 0 && Tangent(c.Exit) != Tangent(c.Phi)))
        {
            Line(DeclareTangent(carried.Exit) + Tangent(carried.Exit) + " = " + (_plan.CopiesTangentExit(carried.Exit)
                ? Tangent(carried.Phi) + " is null ? null : " + _compilerServices + "Buffers.Copy(" + Tangent(carried.Phi) + ", ref workspace." + Tangent(carried.Exit) + Slot(_plan.TangentSlot(carried.Exit)) + ");"
                : Tangent(carried.Phi) + ";"));
        }
    }

    /// <summary>
    /// Moves values and tangents on to the next iteration: one statement each, or one tuple assignment when an update
    /// reads a variable an earlier update already changed (<c>(a, b) = (b, a)</c>).
    /// </summary>
    private void WriteCarriedUpdates(TLoop t)
    {
        var updates = new List<(string Target, string Value, HashSet<string> Reads, bool RefLike)>();
        foreach (var carried in LoopShape.Updates(t.Loop, _locals))
        {
            var next = C.FromIr(carried.Next);
            updates.Add((Name(carried.Phi), _printer.Print(next), Reads(next), _ir.Values[carried.Phi].Type.IsRefLike));
        }

        foreach (var carried in t.Tangents.Where(c => !IsTangentOf(c.Next, Tangent(c.Phi))))
        {
            updates.Add((Tangent(carried.Phi), _printer.Print(carried.Next), Reads(carried.Next), false));
        }

        var hazard = updates.Select((u, i) => updates.Take(i).Any(earlier => u.Reads.Contains(earlier.Target))).Any(h => h);
        LoopShape.WriteUpdates(_writer, updates.Select(u => (u.Target, u.Value)).ToList(), hazard, updates.Any(u => u.RefLike));
    }

    /// <summary>The names a value declared ahead of its branch brings: itself, its tangent, a call's partials and products.</summary>
    private IEnumerable<string> Hoisted(int id)
    {
        yield return Name(id);
        if (_program.TangentNames.TryGetValue(id, out var tangent))
        {
            yield return tangent;
        }

        if (_callSites.TryGetValue(id, out var site))
        {
            foreach (var name in site.Products.Concat(site.Gradients).Except(TensorCallSiteLocals(site).Select(l => l.Name)))
            {
                yield return name;
            }
        }
    }

    private IEnumerable<(string Name, string Type)> TensorCallSiteLocals(CallSite site) => CallSiteLocals(_ir, site).Where(l => l.Tensor).Select(l => (l.Name, l.Type));

    /// <summary>
    /// The locals a call to another differentiable method defines for the reverse step, the callee's H·v and partials,
    /// with their types: a tensor argument's are buffers of its type, a scalar's the call's own.
    /// </summary>
    public static IEnumerable<(string Name, string Type, bool Tensor)> CallSiteLocals(IrMethod ir, CallSite site) =>
        site.Products.Select((name, k) => (name, k)).Concat(site.Gradients.Select((name, k) => (name, k)))
            .Select(l => site.TensorInputs[l.k] is { } id ? (l.name, ir.Values[id].Type.Name, true) : (l.name, ir.Values[site.Target].Type.Name, false));

    /// <summary>The type and a space, or nothing for a value declared ahead of its branch or sharing an earlier version's local.</summary>
    private string Declare(int id) => _plan.Hoisted(id) || !Declares(id) ? string.Empty : TypeOf(id) + " ";

    /// <summary>A tangent's declaration: a tensor's may be null (a zero direction).</summary>
    private string DeclareTangent(int id) => _plan.Hoisted(id) || !_plan.DeclaresTangent(id) ? string.Empty : TypeOf(id) + (_ir.Values[id].Type.IsTensor ? "? " : " ");

    private bool Declares(int id) => _locals?.Declares(id) ?? true;

    private bool IsBreakFlag(int id) => _locals is { } locals && locals.IsBreakFlag(id);

    private bool IsSelfCopy(int target, IrExpr? source) => _locals is { } locals && locals.IsSelfCopy(target, source);

    /// <summary>The names of the values and tangents an expression reads.</summary>
    private HashSet<string> Reads(CExpr e)
    {
        var names = new HashSet<string>(C.Values(e).Select(Name));
        foreach (var id in C.Tangents(e))
        {
            names.Add(Tangent(id));
        }

        return names;
    }

    private static string NameAllocatorText(string name) => name.TrimStart('@');

    private string Name(int id) => _locals?.Name(id) ?? _ir.Values[id].Name;

    private string Tangent(int id) => _plan.TangentName(id);

    private string TypeOf(int id) => _ir.Values[id].Type.Name;
}

/// <summary>
/// What a Hessian-vector product adds to the loops of its forward sweep: each iteration counted and what the reverse
/// loop reads kept on tapes, right where it is defined.
/// </summary>
internal interface ILoopTaping
{
    /// <summary>Before the loop's header: what it tapes, and where this run of it starts.</summary>
    void BeforeLoop(TLoop loop);

    /// <summary>At the top of an iteration, once its test passed: the carried values it starts from.</summary>
    void IterationStart(TLoop loop);

    /// <summary>
    /// At the end of an iteration, or at a <c>break;</c> (<paramref name="leaving"/>), before the carried values move on:
    /// the iteration counted.
    /// </summary>
    void IterationEnd(TLoop loop, bool leaving);

    /// <summary>After a statement: the values and tangents it defined that the reverse loop reads.</summary>
    void After(TStatement statement);

    /// <summary>
    /// Where a call inside a loop saves state for its rule when each iteration keeps its own: its slot on a tape
    /// (<c>workspace.tSaved[iter0]</c>), else null (the workspace buffer).
    /// </summary>
    string? SavedSlot(int id);

    /// <summary>
    /// Where a tensor an iteration defines and keeps on a tape is computed: its slot on that tape
    /// (<c>workspace.h[iter0]</c>, reused from call to call), else null. Asked only of a destination-passing call.
    /// </summary>
    string? ValueSlot(int id);

    /// <summary>Where a tensor tangent an iteration defines and keeps on a tape is computed (its slot), else null.</summary>
    string? TangentSlot(int id);

    /// <summary>
    /// The workspace buffer (or, when a loop tapes the call's partials, this iteration's slot) that a call to another
    /// file's method fills with its partials or H·v for a tensor argument (<paramref name="name"/>, of <paramref name="type"/>).
    /// </summary>
    string CallSiteBuffer(CallSite site, string name, string type);
}
