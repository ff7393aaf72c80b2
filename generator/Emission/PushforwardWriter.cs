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
                _writer.WriteLine(_names.Seed + " = " + _printer.Print(last.Tangent) + ";");
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
                _plan.ValueBuffers.Select(id => "public " + TypeOf(id) + "? " + Name(id) + ";")
                    .Concat(_plan.TangentBuffers.Select(id => "public " + TypeOf(id) + "? " + Tangent(id) + ";")));
        }
    }

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
    public void WriteBlock(TBlock block) => WriteStatements(block.Statements);

    private void WriteStatements(IEnumerable<TStatement> statements)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case TComment comment:
                    _writer.WriteLine("// " + comment.Source);
                    break;
                case TPrimal { Statement: IrAssign { Value: IrCall { Arguments.Count: 1 } call } assign, Companion: { } companion }:
                    // Math.SinCos gives the sine and the cosine for little more than one of them (and the same bits).
                    var value = Declare(assign.Target) + Name(assign.Target);
                    var other = TypeOf(assign.Target) + " " + companion.Name;
                    var pair = companion.Function == "Cos" ? value + ", " + other : other + ", " + value;
                    _writer.WriteLine("(" + pair + ") = " + call.Callee.Owner + ".SinCos(" + _printer.Print(C.FromIr(call.Arguments[0])) + ");");
                    break;
                case TPrimal { Statement: IrAssign assign }:
                    _writer.WriteLine(Declare(assign.Target) + Name(assign.Target) + " = " + _printer.Print(Forward(assign)) + ";");
                    break;
                case TPrimal { Statement: IrEffect effect }:
                    _writer.WriteLine(_printer.Print(C.FromIr(effect.Value)) + ";");
                    break;
                case TPrimal { Statement: IrThrow thrown }:
                    _writer.WriteLine("throw " + _printer.Print(C.FromIr(thrown.Exception)) + ";");
                    break;
                case TTangent tangent:
                    _writer.WriteLine(DeclareTangent(tangent.Value) + Tangent(tangent.Value) + " = " + _printer.Print(tangent.Tangent) + ";");
                    break;
                case TPushforwardCall call when _callSites.TryGetValue(call.Target, out var site):
                    WriteCallSite(site);
                    break;
                case TPushforwardCall call:
                    var arguments = call.Call.Arguments.Select(a => _printer.Print(C.FromIr(a)))
                        .Concat(call.Tangents.Select(_printer.Print))
                        .Append("out " + TypeOf(call.Target) + " " + Tangent(call.Target));
                    _writer.WriteLine(TypeOf(call.Target) + " " + Name(call.Target) + " = " + DerivativeNames.OfCallee(call.Call.Callee, DerivativeNames.PushforwardSuffix) + "(" + string.Join(", ", arguments) + ");");
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
    /// A call in a Hessian-vector product: <c>t = GHessianVectorProduct(args, ẋ, out t_hv0, ...)</c>, then
    /// <c>GGradient(args, out t_d0, ...)</c>, then the value's tangent <c>vt = ẋ_0·t_d0 + ...</c>.
    /// </summary>
    private void WriteCallSite(CallSite site)
    {
        var hoisted = _plan.Hoisted(site.Target);
        var outType = hoisted ? "out " : "out " + TypeOf(site.Target) + " ";
        var callee = site.Call.Callee;
        var arguments = site.Call.Arguments.Select(a => _printer.Print(C.FromIr(a))).ToList();
        _writer.WriteLine(Declare(site.Target) + Name(site.Target) + " = " + DerivativeNames.OfCallee(callee, DerivativeNames.HessianVectorProductSuffix) + "(" + string.Join(", ", arguments
            .Concat(site.Tangents.Select(_printer.Print)).Concat(site.Products.Select(p => outType + p))) + ");");
        _writer.WriteLine(DerivativeNames.OfCallee(callee, DerivativeNames.GradientSuffix) + "(" + string.Join(", ", arguments.Concat(site.Gradients.Select(g => outType + g))) + ");");
        _writer.WriteLine(DeclareTangent(site.Target) + Tangent(site.Target) + " = " + _printer.Print(site.ValueTangent) + ";");
    }

    /// <summary>A tensor op computes into its workspace buffer when the plan says so: <c>Op(x, ref workspace.h)</c>.</summary>
    private CExpr Forward(IrAssign assign)
    {
        var value = C.FromIr(assign.Value);
        if (_plan.SavedBuffers.Contains(assign.Target) && value is CCall saving)
        {
            return new CCall(saving.Receiver, saving.Name, saving.Arguments.Append(new CName("ref workspace." + Name(assign.Target) + "Saved")).ToList());
        }

        return _plan.ComputesIntoBuffer(assign) && value is CCall call
            ? new CCall(call.Receiver, call.Name, call.Arguments.Append(new CName("ref workspace." + Name(assign.Target))).ToList())
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
            _writer.WriteLine(Declare(rule.Target) + Tangent(rule.Target) + " = " + call.Callee.Pushforward + "(" + string.Join(", ", arguments) + ");");
            return;
        }

        _writer.WriteLine(Declare(rule.Target) + Tangent(rule.Target) + " = " + (_plan.FreshTangent(rule.Target)
            ? "new " + TypeOf(rule.Target) + "(" + Name(rule.Target) + ".Shape.ToArray()); // fresh each iteration"
            : _compilerServices + "Buffers.Ensure(ref workspace." + Tangent(rule.Target) + ", " + Name(rule.Target) + ".Shape);"));
        arguments.Add(Tangent(rule.Target));
        _writer.WriteLine(call.Callee.Pushforward + "(" + string.Join(", ", arguments) + ");");
    }

    private void WriteIf(TIf t)
    {
        var branch = t.Branch;
        foreach (var group in _plan.DeclaredAhead(t).GroupBy(TypeOf))
        {
                var zero = _ir.Values[group.First()].Type.DefaultValueText;
            _writer.WriteLine(group.Key + " " + string.Join(", ", group.SelectMany(id => Hoisted(id).Select(name => name + " = " + zero))) + "; // read after the branch");
        }

        foreach (var phi in branch.Phis.Where(p => !_plan.Hoisted(p.Target)))
        {
            _writer.WriteLine(TypeOf(phi.Target) + " " + Name(phi.Target) + ";");
        }

        foreach (var phi in t.TangentPhis.Where(p => !_plan.Hoisted(p.Target)))
        {
            _writer.WriteLine(DeclareTangent(phi.Target) + Tangent(phi.Target) + ";");
        }

        using (_writer.WriteBlock("if (" + Name(branch.Condition) + ")"))
        {
            WriteBlock(t.Then);
            WriteMerges(branch.Phis.Select(p => (p.Target, p.WhenTrue)), t.TangentPhis.Select(p => (p.Target, p.WhenTrue)));
        }

        if (t.Else.Statements.Count > 0 || branch.Phis.Any(p => p.WhenFalse is not null))
        {
            using (_writer.WriteBlock("else"))
            {
                WriteBlock(t.Else);
                WriteMerges(branch.Phis.Select(p => (p.Target, p.WhenFalse)), t.TangentPhis.Select(p => (p.Target, p.WhenFalse)));
            }
        }
    }

    private void WriteMerges(IEnumerable<(int Target, IrExpr? Source)> values, IEnumerable<(int Target, CExpr? Source)> tangents)
    {
        foreach (var (target, source) in values.Where(v => v.Source is not null))
        {
            _writer.WriteLine(Name(target) + " = " + _printer.Print(C.FromIr(source!)) + ";");
        }

        foreach (var (target, source) in tangents.Where(v => v.Source is not null))
        {
            _writer.WriteLine(Tangent(target) + " = " + _printer.Print(source!) + ";");
        }
    }

    /// <summary>The loop as the forward pass runs it, each carried value with its tangent beside it.</summary>
    private void WriteLoop(TLoop t)
    {
        var loop = t.Loop;
        foreach (var carried in loop.Carried)
        {
            _writer.WriteLine(TypeOf(carried.Phi) + " " + Name(carried.Phi) + " = " + _printer.Print(C.FromIr(carried.Initial)) + ";");
        }

        foreach (var carried in t.Tangents)
        {
            _writer.WriteLine(DeclareTangent(carried.Phi) + Tangent(carried.Phi) + " = " + _printer.Print(carried.Initial) + ";");
        }

        _taping?.BeforeLoop(t);
        var (test, simple) = LoopTest.Of(loop, _printer, Name(loop.Condition));
        using (_writer.WriteBlock("while (" + test + ")"))
        {
            if (!simple)
            {
                WriteBlock(t.Header);
                _writer.WriteLine("if (!" + Name(loop.Condition) + ") break;");
            }

            _taping?.IterationStart(t);
            WriteBlock(t.Body);
            _taping?.IterationEnd(t);
            WriteCarriedUpdates(t);
        }

        foreach (var carried in loop.Carried.Where(c => c.Exit >= 0))
        {
            _writer.WriteLine(Declare(carried.Exit) + Name(carried.Exit) + " = " + Name(carried.Phi) + ";");
        }

        foreach (var carried in t.Tangents.Where(c => c.Exit >= 0))
        {
            _writer.WriteLine(DeclareTangent(carried.Exit) + Tangent(carried.Exit) + " = " + Tangent(carried.Phi) + ";");
        }
    }

    /// <summary>
    /// Moves values and tangents on to the next iteration: one statement each, or one tuple assignment when an update
    /// reads a variable an earlier update already changed (<c>(a, b) = (b, a)</c>).
    /// </summary>
    private void WriteCarriedUpdates(TLoop t)
    {
        var updates = new List<(string Target, string Value, HashSet<string> Reads, bool RefLike)>();
        foreach (var carried in t.Loop.Carried.Where(c => !(c.Next is IrRef { Value: var n } && n == c.Phi)))
        {
            var next = C.FromIr(carried.Next);
            updates.Add((Name(carried.Phi), _printer.Print(next), Reads(next), _ir.Values[carried.Phi].Type.IsRefLike));
        }

        foreach (var carried in t.Tangents.Where(c => !(c.Next is CTangent { Id: var n } && n == c.Phi)))
        {
            updates.Add((Tangent(carried.Phi), _printer.Print(carried.Next), Reads(carried.Next), false));
        }

        var hazard = updates.Select((u, i) => updates.Take(i).Any(earlier => u.Reads.Contains(earlier.Target))).Any(h => h);
        if (hazard && !updates.Any(u => u.RefLike))
        {
            _writer.WriteLine("(" + string.Join(", ", updates.Select(u => u.Target)) + ") = (" + string.Join(", ", updates.Select(u => u.Value)) + ");");
            return;
        }

        foreach (var update in updates)
        {
            _writer.WriteLine(update.Target + " = " + update.Value + ";");
        }
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
            foreach (var name in site.Products.Concat(site.Gradients))
            {
                yield return name;
            }
        }
    }

    /// <summary>The type and a space, or nothing for a value declared ahead of its branch.</summary>
    private string Declare(int id) => _plan.Hoisted(id) ? string.Empty : TypeOf(id) + " ";

    /// <summary>A tangent's declaration: a tensor's may be null (a zero direction).</summary>
    private string DeclareTangent(int id) => _plan.Hoisted(id) ? string.Empty : TypeOf(id) + (_ir.Values[id].Type.IsTensor ? "? " : " ");

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

    private string Name(int id) => _ir.Values[id].Name;

    private string Tangent(int id) => _program.TangentNames[id];

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

    /// <summary>At the end of an iteration, before the carried values move on: the iteration counted.</summary>
    void IterationEnd(TLoop loop);

    /// <summary>After a statement: the values and tangents it defined that the reverse loop reads.</summary>
    void After(TStatement statement);
}
