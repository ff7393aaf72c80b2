using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// Forward-mode differentiation of an <see cref="IrMethod"/> (Clad's and JAX's JVP): walks the statements in order and
/// follows each with its tangent, <c>dy = Σ ∂y/∂x_i · dx_i</c>, from the same local derivatives the reverse sweep uses
/// (<see cref="ScalarRules"/>). Nothing is kept: branches and loops run once, carrying tangents beside values.
/// Values that do not depend on a differentiable parameter have a zero tangent and no statement.
/// </summary>
internal sealed class TangentSweep
{
    private readonly IrMethod _ir;
    private readonly string _mathPrefix;
    private readonly NameAllocator _names;
    private readonly CExpr?[] _tangent;
    private readonly Dictionary<int, string> _tangentNames = new();
    private readonly HashSet<int> _carried = new();
    private readonly Dictionary<int, TCompanion> _companions = new();
    private readonly string _prefix;

    private TangentSweep(IrMethod ir, string mathPrefix, TangentNaming naming)
    {
        _ir = ir;
        _mathPrefix = mathPrefix;
        _names = naming.Names;
        _prefix = naming.Prefix;
        _tangent = new CExpr?[ir.Values.Count];
        foreach (var parameter in ir.Parameters.Where(p => p.Differentiable))
        {
            _tangentNames[parameter.Value] = naming.Parameters[parameter.Value];
            _tangent[parameter.Value] = new CTangent(parameter.Value);
        }
    }

    /// <summary>
    /// The method with its tangents; the direction's components are the differentiable parameters' tangents, named as
    /// <paramref name="naming"/> says (<c>da</c> in a pushforward, <c>va</c> in a Hessian-vector product).
    /// </summary>
    public static TangentProgram Run(IrMethod ir, string mathPrefix, TangentNaming naming)
    {
        var sweep = new TangentSweep(ir, mathPrefix, naming);
        var body = new TBlock();
        sweep.Block(ir.Body, body);
        var result = ir.Result is null ? Zero(ir.ReturnType.Kind) : sweep.TangentOf(ir.Result, ir.ReturnType.Kind);
        return new TangentProgram(body, result, sweep._tangentNames, sweep._tangent);
    }

    private void Block(IrBlock block, TBlock output)
    {
        string? lastComment = null;
        foreach (var statement in block.Statements)
        {
            if (statement.Source != lastComment && statement is not IrIf)
            {
                output.Add(new TComment(statement.Source));
                lastComment = statement.Source;
            }

            switch (statement)
            {
                case IrAssign { Value: IrCall { Callee.Kind: IrCalleeKind.Differentiable } call } assign when _ir.Values[assign.Target].Active:
                    var callTangents = call.Arguments
                        .Where((_, i) => i < call.Callee.DifferentiableParameters.Count && call.Callee.DifferentiableParameters[i])
                        .Select(a => TangentOf(a, TypeOf(a)))
                        .ToList();
                    output.Add(new TPushforwardCall(assign.Target, call, callTangents));
                    if (callTangents.All(IsZero) && !_ir.Values[assign.Target].Type.IsTensor)
                    {
                        // Active only through the callee's [NoDiff] parameters (a stop-gradient): a pushforward is linear
                        // in its directions, so with none the value's tangent is zero; it keeps a name for the call's out.
                        Name(assign.Target);
                    }
                    else
                    {
                        Define(assign.Target);
                    }

                    break;

                case IrAssign { Value: IrCall { Callee.Kind: IrCalleeKind.Rule } call } assign when _ir.Values[assign.Target].Active:
                    output.Add(new TPrimal(assign));
                    var tangents = call.Arguments
                        .Where((_, i) => i < call.Callee.DifferentiableParameters.Count && call.Callee.DifferentiableParameters[i])
                        .Select(a => TangentOf(a, TypeOf(a)))
                        .ToList();
                    if (tangents.Any(t => !IsZero(t)))
                    {
                        output.Add(new TRuleTangent(assign.Target, call, tangents));
                        Define(assign.Target);
                    }

                    break;

                case IrAssign assign when _ir.Values[assign.Target].Active:
                    var primal = output.Statements.Count;
                    output.Add(new TPrimal(assign));
                    Assign(assign, output);
                    if (_companions.TryGetValue(assign.Target, out var companion))
                    {
                        output.Statements[primal] = new TPrimal(assign, companion); // sine and cosine in one call
                    }

                    break;

                case IrIf branch:
                    if (branch.Source != lastComment)
                    {
                        output.Add(new TComment(branch.Source));
                        lastComment = branch.Source;
                    }

                    output.Add(If(branch));
                    break;

                case IrLoop loop:
                    output.Add(Loop(loop));
                    break;

                default:
                    output.Add(new TPrimal(statement));
                    break;
            }
        }
    }

    /// <summary>The tangent of one assignment: <c>dy = Σ ∂y/∂x_i · dx_i</c>.</summary>
    private void Assign(IrAssign assign, TBlock output)
    {
        var kind = _ir.Values[assign.Target].Type.Kind;
        var tangent = assign.Value switch
        {
            IrRef source => TangentOf(source, kind),
            IrUnary { Op: IrUnaryOp.Plus } plus => TangentOf(plus.Operand, kind),
            IrConvert convert when _ir.Values[assign.Target].Type.IsTensor => TangentOf(convert.Operand, IrTypeKind.Tensor), // a boxed tensor unboxed
            IrConvert convert => C.Cast(_ir.Values[assign.Target].Type.Name, TangentOf(convert.Operand, KindOf(convert.Operand))),
            IrBinary binary => Apply(assign, new[] { binary.Left, binary.Right }, OwnerFor(kind), c => ScalarRules.Operator(binary.Op, c)),
            IrUnary { Op: IrUnaryOp.Negate } negate => Apply(assign, new[] { negate.Operand }, OwnerFor(kind), ScalarRules.Negate),
            IrCall { Callee.Kind: IrCalleeKind.Intrinsic } call => Apply(assign, call.Arguments.ToArray(), call.Callee.Owner, c => ScalarRules.Intrinsic(call.Callee.Name, call.Arguments.Count, c)),
            _ => throw new InvalidOperationException("no forward-mode rule for " + assign.Value.GetType().Name),
        };

        if (IsZero(tangent))
        {
            return; // zero along every direction: no statement
        }

        // A copy of a parameter's tangent or a constant needs no local; a carried tangent changes, so it is copied.
        if (tangent is CNumber || (tangent is CTangent { Id: var id } && !_carried.Contains(id)) || (tangent is CTangent && _ir.Values[assign.Target].Type.IsTensor))
        {
            _tangent[assign.Target] = tangent;
            return;
        }

        output.Add(new TTangent(assign.Target, tangent));
        Define(assign.Target);
    }

    private CExpr Apply(IrAssign assign, IrExpr[] operands, string owner, Action<ILocalDerivatives> rule)
    {
        var context = new Context(this, assign, operands, owner);
        rule(context);
        return context.Sum;
    }

    private TIf If(IrIf branch)
    {
        var then = new TBlock();
        var @else = new TBlock();
        Block(branch.Then, then);
        var whenTrue = branch.Phis.Select(p => p.WhenTrue is null ? null : TangentOf(p.WhenTrue, KindOf(p.Target))).ToList();
        Block(branch.Else, @else);
        var whenFalse = branch.Phis.Select(p => p.WhenFalse is null ? null : TangentOf(p.WhenFalse, KindOf(p.Target))).ToList();
        var phis = new List<TPhi>();
        for (var i = 0; i < branch.Phis.Count; i++)
        {
            var phi = branch.Phis[i];
            if (!_ir.Values[phi.Target].Active || ((whenTrue[i] is null || IsZero(whenTrue[i]!)) && (whenFalse[i] is null || IsZero(whenFalse[i]!))))
            {
                continue;
            }

            phis.Add(new TPhi(phi.Target, whenTrue[i], whenFalse[i]));
            Define(phi.Target);
        }

        return new TIf(branch, then, @else, phis);
    }

    /// <summary>
    /// A loop carries each active value's tangent beside it: defined before the body is differentiated (the body reads
    /// it), moved on with the value after each iteration, and copied to the exit value's tangent after the loop.
    /// </summary>
    private TLoop Loop(IrLoop loop)
    {
        var active = loop.Carried.Where(c => _ir.Values[c.Phi].Active).ToList();
        foreach (var carried in active)
        {
            _carried.Add(carried.Phi);
            Define(carried.Phi);
        }

        var header = new TBlock();
        Block(loop.Header, header);
        var body = new TBlock();
        Block(loop.Body, body);
        var tangents = new List<TCarried>();
        foreach (var carried in active)
        {
            var kind = KindOf(carried.Phi);
            if (carried.Exit >= 0)
            {
                Define(carried.Exit);
            }

            tangents.Add(new TCarried(carried.Phi, TangentOf(carried.Initial, kind), TangentOf(carried.Next, kind), carried.Exit));
        }

        return new TLoop(loop, header, body, tangents);
    }

    /// <summary>Gives <paramref name="value"/> a tangent local (<c>dh</c> for <c>h</c>).</summary>
    private void Define(int value)
    {
        Name(value);
        _tangent[value] = new CTangent(value);
    }

    private void Name(int value)
    {
        if (!_tangentNames.ContainsKey(value))
        {
            _tangentNames[value] = _names.AllocateDerivative(_prefix, _ir.Values[value].Name);
        }
    }

    private CExpr TangentOf(IrExpr expr, IrTypeKind kind) =>
        expr is IrRef r && _ir.Values[r.Value].Active && _tangent[r.Value] is { } tangent ? tangent : Zero(kind);

    private CExpr TangentOf(IrExpr expr, IrType type) => TangentOf(expr, type.Kind);

    /// <summary>A zero tangent: the number 0, or <c>null</c> for a tensor (rules read a null tangent as zero).</summary>
    private static CExpr Zero(IrTypeKind kind) =>
        kind == IrTypeKind.Tensor ? new CName("null") : C.Number(0, kind == IrTypeKind.Float ? IrTypeKind.Float : IrTypeKind.Double);

    /// <summary>Whether a tangent is zero along every direction.</summary>
    public static bool IsZero(CExpr tangent) => C.IsZero(tangent) || tangent is CName { Text: "null" };

    private IrType TypeOf(IrExpr expr) => expr switch
    {
        IrRef r => _ir.Values[r.Value].Type,
        IrConstant c => c.Type,
        IrConvert c => c.To,
        _ => _ir.ReturnType,
    };

    private IrTypeKind KindOf(IrExpr expr) => expr switch
    {
        IrRef r => KindOf(r.Value),
        IrConstant c => c.Type.Kind,
        IrConvert c => c.To.Kind,
        _ => _ir.ReturnType.Kind,
    };

    private IrTypeKind KindOf(int value) => _ir.Values[value].Type.Kind;

    private string OwnerFor(IrTypeKind kind) => _mathPrefix + (kind == IrTypeKind.Float ? "MathF" : "Math");

    /// <summary>The forward applier over one statement's IR operands.</summary>
    private sealed class Context(TangentSweep sweep, IrAssign assign, IrExpr[] operands, string owner)
        : TangentApplier(new CValue(assign.Target), sweep._ir.Values[assign.Target].Type.Kind, owner)
    {
        public override CExpr Arg(int index) => C.FromIr(operands[index]);

        public override bool SameOperands(int first, int second) => operands[first] is IrRef a && Equals(a, operands[second]);

        protected override CExpr TangentOf(int index) => sweep.TangentOf(operands[index], Kind);

        public override CExpr Companion(string function) =>
            IsActive(0) ? sweep.CompanionOf(assign, operands[0], function) : base.Companion(function);
    }

    /// <summary>
    /// Names the other half of <paramref name="assign"/>'s sine or cosine (<c>cosX</c> for <c>Math.Sin(x)</c>), which its
    /// forward statement then computes with it (<see cref="TPrimal.Companion"/>).
    /// </summary>
    private CExpr CompanionOf(IrAssign assign, IrExpr operand, string function)
    {
        if (!_companions.TryGetValue(assign.Target, out var companion))
        {
            var of = operand is IrRef { Value: var id } ? _ir.Values[id].Name : "Arg";
            companion = new TCompanion(_names.Allocate(function.ToLowerInvariant() + char.ToUpperInvariant(of[0]) + of.Substring(1)), function);
            _companions[assign.Target] = companion;
        }

        return new CName(companion.Name);
    }
}
