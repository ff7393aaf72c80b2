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
    private readonly IndentedTextWriter _writer;
    private readonly CExprPrinter _printer;
    private readonly HashSet<int> _declared = new();

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
        _printer = new CExprPrinter(id => _ir.Values[id].Name, id => hvp.Forward.TangentNames[id], hvp.GradientName, id => hvp.GradientTangentNames[id]);
    }

    public void Write(string toolVersion)
    {
        var differentiable = _ir.Parameters.Where(p => p.Differentiable).ToList();
        var type = _ir.ReturnType.Name;
        SummaryWriter.Write(
            _writer,
            "Hessian-vector product of " + _model.MethodReference + ": returns its value and writes H·v to "
            + string.Join(", ", differentiable.Select(p => "<paramref name=\"" + _hvp.Products[p.Value] + "\"/>"))
            + ", H being its Hessian with respect to (" + string.Join(", ", differentiable.Select(p => p.Name.TrimStart('@')))
            + ") and v = (" + string.Join(", ", differentiable.Select(p => _hvp.Directions[p.Value])) + "). Derived forward over reverse:"
            + " the tangent of every step of the gradient along v.");
        var parameters = _ir.Parameters.Select(p => p.Type.Name + " " + p.Name)
            .Concat(differentiable.Select(p => p.Type.Name + " " + _hvp.Directions[p.Value]))
            .Concat(differentiable.Select(p => "out " + p.Type.Name + " " + _hvp.Products[p.Value]));
        _writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"SymDiff\", \"" + toolVersion + "\")]");
        _writer.WriteLine(_model.Accessibility + " static " + type + " " + DerivativeNames.HessianVectorProduct(_model.MethodName) + "(" + string.Join(", ", parameters) + ")");
        using (_writer.WriteBlock())
        {
            _writer.WriteLine("// forward sweep, with tangents along v");
            new PushforwardWriter(_model, _names, _forward, _writer, _printer, callSites: _hvp.CallSites).WriteBlock(_hvp.Forward.Body);
            _writer.WriteLine("// reverse sweep (dResult = 1), with the tangent of each gradient along v");
            WriteReverse(_hvp.Reverse);
            foreach (var parameter in differentiable)
            {
                // A parameter the result does not depend on has a zero row in H.
                _writer.WriteLine(_hvp.Products[parameter.Value] + " = " + (_declared.Contains(parameter.Value) ? _hvp.GradientTangentNames[parameter.Value] : "0") + ";");
            }

            if (_ir.Result is not null)
            {
                _writer.WriteLine("return " + _printer.Print(C.FromIr(_ir.Result)) + ";");
            }
        }
    }

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
                case RDeclare declare:
                    _writer.WriteLine(Declaration(declare.Value, _hvp.GradientName(declare.Value)) + " = " + _printer.Print(declare.Initializer) + ";");
                    break;
                case RZero zero:
                    _writer.WriteLine(Declaration(zero.Value, _hvp.GradientName(zero.Value)) + " = 0;");
                    break;
                case RAddAssign add:
                    _writer.WriteLine(_hvp.GradientName(add.Value) + " += " + _printer.Print(add.Contribution) + ";");
                    break;
                case RGradientTangent tangent when !_readTangents.Contains(tangent.Value):
                    break;
                case RGradientTangent tangent when tangent.Declares:
                    _declared.Add(tangent.Value);
                    _writer.WriteLine(Declaration(tangent.Value, _hvp.GradientTangentNames[tangent.Value]) + " = " + _printer.Print(tangent.Tangent) + ";");
                    break;
                case RGradientTangent tangent:
                    _writer.WriteLine(_hvp.GradientTangentNames[tangent.Value] + " += " + _printer.Print(tangent.Tangent) + ";");
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
                CExpr? read = statement switch
                {
                    RGradientTangent t when tangents.Contains(t.Value) => t.Tangent,
                    RDeclare d when gradients.Contains(d.Value) => d.Initializer,
                    RAddAssign a when gradients.Contains(a.Value) => a.Contribution,
                    _ => null,
                };
                if (read is null)
                {
                    continue;
                }

                foreach (var id in C.Gradients(read).ToList())
                {
                    changed |= gradients.Add(id);
                }

                foreach (var id in C.GradientTangents(read).ToList())
                {
                    changed |= tangents.Add(id);
                }
            }
        }

        return (gradients, tangents);
    }

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
