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
/// </summary>
internal sealed class HessianVectorProductWriter
{
    private readonly MethodModel _model;
    private readonly SignatureNames _names;
    private readonly IrMethod _ir;
    private readonly HessianVectorProduct _hvp;
    private readonly TangentPlan _forward;
    private IndentedTextWriter _writer;
    private readonly CExprPrinter _printer;
    private readonly HashSet<int> _declared = new();
    private readonly string _compilerServices;

    /// <summary>Tensor gradients and gradient tangents in workspace buffers, by field name and type.</summary>
    private readonly SortedDictionary<string, string> _tensorFields = new(System.StringComparer.Ordinal);

    /// <summary>Gradients some step reads; the others (the parameters', usually) are not computed: only their tangents are.</summary>
    private readonly HashSet<int> _read;

    /// <summary>Gradient tangents some step reads, and the parameters' (the outputs).</summary>
    private readonly HashSet<int> _readTangents;

    public HessianVectorProductWriter(MethodModel model, SignatureNames names, HessianVectorProduct hvp, TangentPlan forward, IndentedTextWriter writer)
    {
        _forward = forward;
        _model = model;
        _names = names;
        _ir = model.Ir;
        _hvp = hvp;
        _writer = writer;
        // Only what H·v needs is computed: from the parameters' gradient tangents back through the steps that feed them
        // (anything else would be a local assigned and never read, CS0219).
        (_read, _readTangents) = Live(hvp.Reverse, _ir.Parameters.Where(p => p.Differentiable).Select(p => p.Value));
        _printer = new CExprPrinter(id => _ir.Values[id].Name, id => hvp.Forward.TangentNames[id], hvp.GradientName, id => hvp.GradientTangentNames[id], id => "workspace." + _ir.Values[id].Name + "Saved!");
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
        var directions = differentiable.Select(p => p.Type.Name + " " + names.AllocateDerivative("v", p.Name)).ToList();
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
            .Concat(differentiable.Select(p => p.Type.Name + " " + _hvp.Directions[p.Value]))
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
                    _writer.WriteLine(_compilerServices + "Arguments.CheckGradient(\"" + Name + "\", " + parameter.Name + ", " + _hvp.Directions[parameter.Value] + ", required: true);");
                    _writer.WriteLine(_compilerServices + "Arguments.CheckGradient(\"" + Name + "\", " + parameter.Name + ", " + _hvp.Products[parameter.Value] + ", required: true);");
                }
            }

            // The body goes to its own writer first: which workspace buffers it uses is known once it is written.
            body = new IndentedTextWriter();
            var outer = _writer;
            _writer = body;
            _writer.WriteLine("// forward sweep, with tangents along v");
            new PushforwardWriter(_model, _names, _forward, _writer, _printer, callSites: _hvp.CallSites).WriteBlock(_hvp.Forward.Body);
            _writer.WriteLine("// reverse sweep (dResult = 1), with the tangent of each gradient along v");
            foreach (var discard in _hvp.Discards.OrderBy(d => d.Key))
            {
                _writer.WriteLine((discard.Key == IrTypeKind.Float ? "float " : "double ") + discard.Value + " = 0; // receives derivatives of constant arguments");
            }

            WriteReverse(_hvp.Reverse);
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

    private bool UsesWorkspace => _forward.UsesWorkspace || _tensorFields.Count > 0;

    private void WriteWorkspace(string toolVersion) =>
        WorkspaceWriter.Write(
            _writer,
            WorkspaceClass,
            "Buffers (forward values, tangents, gradients and their tangents) that <see cref=\"" + Name + "\"/> reuses from call to call on each thread, so that once they have grown it allocates nothing.",
            toolVersion,
            _forward.ValueBuffers.Select(id => "public " + TypeOf(id) + "? " + _ir.Values[id].Name + ";")
                .Concat(_forward.SavedBuffers.Select(id => "public " + _forward.SavedType(id) + "? " + _ir.Values[id].Name + "Saved;"))
                .Concat(_forward.TangentBuffers.Select(id => "public " + TypeOf(id) + "? " + _hvp.Forward.TangentNames[id] + ";"))
                .Concat(_tensorFields.Select(field => "public " + field.Value + "? " + field.Key + ";")));

    private void WriteReverse(RBlock block)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case RComment comment:
                    _writer.WriteLine("// " + comment.Text);
                    break;
                case RDeclare or RZero or RAddAssign when !_read.Contains(GradientOf(statement)):
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
                case RGradientTangent tangent when !_readTangents.Contains(tangent.Value):
                    break;
                case RGradientTangent tangent when tangent.Declares && IsTensor(tangent.Value):
                    _declared.Add(tangent.Value);
                    // Shaped like the value itself: the forward sweep computed every value, while the gradient a rule's
                    // [SameShapeAs] names may not be computed here (nothing reads it).
                    WriteZero(_hvp.GradientTangentNames[tangent.Value], tangent.Value, null);
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
                case RCall call when call.Accumulated.Any(_read.Contains):
                    _writer.WriteLine(call.Target + "(" + string.Join(", ", call.Arguments.Select(Argument)) + ");");
                    break;
                case RRuleTangent rule when rule.Arguments.Any(a => a.GradientTangentOf is { } v && _readTangents.Contains(v)):
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
            return "ref " + argument.Discard;
        }

        var (value, live, name) = argument switch
        {
            { GradientOf: { } g } => (g, _read.Contains(g), _hvp.GradientName(g)),
            { GradientTangentOf: { } t } => (t, _readTangents.Contains(t), _hvp.GradientTangentNames[t]),
            _ => (-1, false, string.Empty),
        };
        return value < 0 ? _printer.Print(argument.Expression!) : !live ? "null" : (argument.ByRef ? "ref " : string.Empty) + name;
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

    private void WriteAccumulate(string name, CExpr contribution) =>
        _writer.WriteLine(_compilerServices + "Buffers.AccumulateInto(" + name + ", " + _printer.Print(contribution) + ");");

    private bool IsTensor(int value) => _ir.Values[value].Type.IsTensor;

    private string TypeOf(int value) => _ir.Values[value].Type.Name;

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

    private static CExpr[] Values(IEnumerable<RArgument> arguments) => arguments.Where(a => a.Expression is not null).Select(a => a.Expression!).ToArray();

    private static int GradientOf(RStatement statement) => statement switch
    {
        RDeclare d => d.Value,
        RZero z => z.Value,
        RAddAssign a => a.Value,
        _ => -1,
    };

    /// <summary>Every gradient (a parameter's too: here it is a local) is declared where it starts.</summary>
    private string Declaration(int value, string name) => _ir.Values[value].Type.Name + " " + name;
}
