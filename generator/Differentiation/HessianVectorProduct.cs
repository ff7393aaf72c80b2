using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// A gradient's step's tangent, beside the step: <c>double vdh = ...</c> after <c>double dh = ...</c>, or <c>vdh += ...</c>
/// after <c>dh += ...</c>.
/// </summary>
internal sealed class RGradientTangent(int value, CExpr tangent, bool declares, CExpr? shape = null) : RStatement
{
    /// <summary>For a tensor declared here: what its zeroed buffer takes its shape from (null: the value itself).</summary>
    public CExpr? Shape { get; } = shape;

    public int Value { get; } = value;

    public CExpr Tangent { get; } = tangent;

    /// <summary>Whether this defines the tangent (else it adds to it).</summary>
    public bool Declares { get; } = declares;
}

/// <summary>
/// The tangent of a rule's pullback step, right after it: its <c>[PullbackTangentOf]</c> rule, or for a linear pullback
/// the pullback itself handed dResult's tangent; either adds into the tangents of the gradients the step adds into.
/// </summary>
internal sealed class RRuleTangent(string target, IReadOnlyList<RArgument> arguments) : RStatement
{
    public string Target { get; } = target;

    /// <summary>Values and tangents (<see cref="RArgument.Value"/>) and the gradient tangents it adds into.</summary>
    public IReadOnlyList<RArgument> Arguments { get; } = arguments;
}

/// <summary>
/// In a reverse loop, right after a carried gradient starts over (<see cref="RReset"/>): its tangent starts over too
/// (<c>vdh_1 = 0;</c>).
/// </summary>
internal sealed class RResetTangent(int value) : RStatement
{
    public int Value { get; } = value;
}

/// <summary>
/// A call to another <c>[Differentiable]</c> method in a Hessian-vector product: its value and H·v come from the callee's
/// own Hessian-vector product (<see cref="Products"/>, along the arguments' tangents), its gradient from the callee's
/// gradient (<see cref="Gradients"/>): the value's tangent is Σ ∂G/∂x_k·ẋ_k, and the tangent of its pullback's step
/// <c>dx_k += g·∂G/∂x_k</c> is <c>ġ·∂G/∂x_k + g·(H_G·ẋ)_k</c>. One entry per differentiable parameter of the callee;
/// for a tensor argument (<see cref="TensorInputs"/>: the value, else null) the partials and H·v are tensors of its
/// shape, in zeroed workspace buffers the callee adds into (a slot per iteration when a loop tapes them).
/// </summary>
internal sealed record CallSite(int Target, IrCall Call, IReadOnlyList<CExpr> Tangents, IReadOnlyList<string> Gradients, IReadOnlyList<string> Products, CExpr ValueTangent, IReadOnlyList<int?> TensorInputs);

/// <summary>
/// Forward over reverse: the method's forward sweep with tangents along a direction v, then its reverse sweep (seed 1)
/// with the tangent of every gradient step beside the step. The tangents of the parameters' gradients are H·v.
/// </summary>
internal sealed class HessianVectorProduct
{
    private HessianVectorProduct(
        TangentProgram forward,
        RBlock reverse,
        Func<int, string> gradientName,
        IReadOnlyDictionary<int, string> gradientTangentNames,
        IReadOnlyDictionary<int, string> directions,
        IReadOnlyDictionary<int, string> products,
        IReadOnlyDictionary<int, CallSite> callSites,
        IReadOnlyDictionary<IrTypeKind, string> discards)
    {
        Discards = discards;
        CallSites = callSites;
        Forward = forward;
        Reverse = reverse;
        GradientName = gradientName;
        GradientTangentNames = gradientTangentNames;
        Directions = directions;
        Products = products;
    }

    public TangentProgram Forward { get; }

    /// <summary>The reverse sweep with <see cref="RGradientTangent"/> steps interleaved.</summary>
    public RBlock Reverse { get; }

    public Func<int, string> GradientName { get; }

    /// <summary>The name of each gradient's tangent (<c>vdh</c> for <c>dh</c>).</summary>
    public IReadOnlyDictionary<int, string> GradientTangentNames { get; }

    /// <summary>The direction's components, by parameter value (<c>va</c>).</summary>
    public IReadOnlyDictionary<int, string> Directions { get; }

    /// <summary>The outputs H·v, by parameter value (<c>hva</c>).</summary>
    public IReadOnlyDictionary<int, string> Products { get; }

    /// <summary>Locals declared for derivatives nobody reads, by element type (the reverse sweep's).</summary>
    public IReadOnlyDictionary<IrTypeKind, string> Discards { get; }

    /// <summary>Calls to other differentiable methods, by the value they define.</summary>
    public IReadOnlyDictionary<int, CallSite> CallSites { get; }

    /// <summary>
    /// Derives the Hessian-vector product of a scalar method forward over reverse covers
    /// (<c>ForwardModeSupport.SecondOrderGap</c> is null). Its reverse loops read, per iteration, values and tangents the
    /// forward sweep keeps on tapes (<c>Planning/HessianTapes</c> decides which).
    /// </summary>
    /// <param name="compilerServices">How generated code spells <c>SymDiff.CompilerServices.</c> (empty when imported).</param>
    public static HessianVectorProduct Derive(IrMethod ir, string mathPrefix, string compilerServices)
    {
        var sweep = new ReverseSweep(ir, SweepMode.Gradient, mathPrefix, aliasBroadcasts: false);
        var reverse = sweep.Run();
        // A tensor parameter's gradient tangent is the caller's buffer hv (added into, as the gradient method does).
        var tensorParameters = ir.Parameters.Where(p => p.Differentiable && p.Type.IsTensor).Select(p => p.Value).ToList();
        GradientPlacement.Resolve(reverse, sweep, tensorParameters);
        var gradients = GradientsIn(reverse).Distinct().ToList();
        var names = DerivativeNames.Allocator(ir);
        foreach (var id in gradients.Concat(ir.Parameters.Where(p => p.Differentiable).Select(p => p.Value)))
        {
            names.Reserve(sweep.GradientName(id));
        }

        var differentiable = ir.Parameters.Where(p => p.Differentiable).ToList();
        var directions = differentiable.ToDictionary(p => p.Value, p => names.AllocateDerivative("v", p.Name));
        var products = differentiable.ToDictionary(p => p.Value, p => names.AllocateDerivative("hv", p.Name));
        var forward = TangentSweep.Run(ir, mathPrefix, new TangentNaming(names, "v", directions));
        var gradientTangentNames = new Dictionary<int, string>();
        foreach (var id in gradients.Concat(differentiable.Select(p => p.Value)).Distinct())
        {
            gradientTangentNames[id] = tensorParameters.Contains(id) ? products[id] : names.AllocateDerivative("v", sweep.GradientName(id));
        }

        var callSites = new Dictionary<int, CallSite>();
        foreach (var call in Calls(forward.Body))
        {
            var name = ir.Values[call.Target].Name.TrimStart('@');
            var gradientNames = call.Tangents.Select((_, k) => names.Allocate(name + "_d" + k)).ToList();
            var productNames = call.Tangents.Select((_, k) => names.Allocate(name + "_hv" + k)).ToList();
            var tensorInputs = call.Call.Arguments
                .Where((_, i) => i < call.Call.Callee.DifferentiableParameters.Count && call.Call.Callee.DifferentiableParameters[i])
                .Select(a => a is IrRef r && ir.Values[r.Value].Type.IsTensor ? r.Value : (int?)null)
                .ToList();
            // A tensor argument's share of the value's tangent is the sum of its tangent times the partials (zero for none).
            var valueTangent = call.Tangents.Select((t, k) => TangentSweep.IsZero(t) ? C.Number(0, ir.ReturnType.Kind)
                    : tensorInputs[k] is null ? C.Multiply(t, new CName(gradientNames[k]))
                    : C.Call(compilerServices + "Buffers.Dot", t, new CName(gradientNames[k])))
                .Aggregate((CExpr)C.Number(0, ir.ReturnType.Kind), C.Add);
            callSites[call.Target] = new CallSite(call.Target, call.Call, call.Tangents, gradientNames, productNames, valueTangent, tensorInputs);
        }

        // A scalar gradient whose tangent nothing non-zero reaches (the seed's, when it is scaled by constants) is 0 all
        // along: its tangent is folded away. Start from every scalar gradient but the parameters' and drop, until nothing
        // changes, those a step gives a non-zero tangent (loops carry tangents round, so one pass is not enough).
        var zero = new HashSet<int>(gradients.Where(id => !ir.Values[id].Type.IsTensor && differentiable.All(p => p.Value != id)));
        RBlock interleaved;
        while (true)
        {
            var tangents = new ExpressionTangent(forward.TangentOf, ir.ReturnType.Kind, zero.Contains);
            interleaved = Interleave(reverse, new Tangents(ir, forward, tangents, zero), callSites, compilerServices);
            var nonZero = NonZeroGradientTangents(interleaved).ToList();
            if (!nonZero.Any(zero.Contains))
            {
                break;
            }

            zero.ExceptWith(nonZero);
        }

        return new HessianVectorProduct(forward, interleaved, sweep.GradientName, gradientTangentNames, directions, products, callSites, sweep.Discards);
    }

    private static IEnumerable<int> GradientsIn(RBlock block) => block.Descendants().SelectMany(s => s switch
    {
        RDeclare d => new[] { d.Value }.Concat(C.Gradients(d.Initializer)),
        RZero z => new[] { z.Value },
        RAddAssign a => new[] { a.Value }.Concat(C.Gradients(a.Contribution)),
        RIf i => C.Gradients(i.Condition),
        _ => Enumerable.Empty<int>(),
    });

    /// <summary>The gradient a zeroing or reset starts over (-1 for other statements).</summary>
    private static int StartedGradient(RStatement statement) => statement switch
    {
        RReset reset => reset.Value,
        RZero zero => zero.Value,
        _ => -1,
    };

    /// <summary>The gradients some step of an interleaved sweep gives a tangent that is not zero.</summary>
    private static IEnumerable<int> NonZeroGradientTangents(RBlock block) => block.Descendants().SelectMany(s => s switch
    {
        RGradientTangent t when !C.IsZero(t.Tangent) => [t.Value],
        RRuleTangent rule => rule.Arguments.Select(a => a.GradientTangentOf).OfType<int>(),
        _ => Enumerable.Empty<int>(),
    });

    private static IEnumerable<TPushforwardCall> Calls(TBlock block) => block.Statements.SelectMany(s => s switch
    {
        TPushforwardCall call => new[] { call },
        TIf branch => Calls(branch.Then).Concat(Calls(branch.Else)),
        TLoop loop => Calls(loop.Header).Concat(Calls(loop.Body)),
        _ => Enumerable.Empty<TPushforwardCall>(),
    });

    /// <summary>What the interleaving needs: the method, its forward tangents, and the tangents of reverse-sweep formulas.</summary>
    private sealed class Tangents(IrMethod ir, TangentProgram forward, ExpressionTangent expressions, HashSet<int> zero)
    {
        public CExpr Of(CExpr e) => expressions.Of(e);

        /// <summary>Whether a gradient's tangent is 0 all along (folded: never declared nor read).</summary>
        public bool Zero(int gradient) => zero.Contains(gradient);

        /// <summary>A forward value's tangent: null (zero) for a tensor without one, 0 for a scalar.</summary>
        public CExpr OfValue(IrExpr e) => e is IrRef r && forward.TangentOf(r.Value) is { } t ? t
            : e is IrRef tensor && ir.Values[tensor.Value].Type.IsTensor ? new CName("null") : C.Number(0, ir.ReturnType.Kind);
    }

    private static RBlock Interleave(RBlock block, Tangents tangents, IReadOnlyDictionary<int, CallSite> callSites, string compilerServices)
    {
        var output = new RBlock();
        foreach (var statement in block.Statements)
        {
            if (statement is RCall { Forward: >= 0 } pullback && callSites.TryGetValue(pullback.Forward, out var site))
            {
                // dx_k += g·∂G/∂x_k, and its tangent ġ·∂G/∂x_k + g·(H_G·ẋ)_k, per differentiable argument.
                var g = pullback.Seed!;
                var gradients = pullback.Arguments.Skip(site.Call.Arguments.Count + 1).ToList();
                for (var k = 0; k < gradients.Count && k < site.Gradients.Count; k++)
                {
                    if (gradients[k].GradientOf is not { } value)
                    {
                        continue;
                    }

                    if (site.TensorInputs[k] is not null)
                    {
                        // Tensors: Buffers.AccumulateScaled(g, t_d0, dw), then (ġ, t_d0, g, t_hv0, vdw) for its tangent.
                        var accumulate = ReverseSweep.AccumulateScaledName(compilerServices);
                        var (tensorPartial, tensorProduct) = (RArgument.Value(new CName(site.Gradients[k])), RArgument.Value(new CName(site.Products[k])));
                        output.Add(new RCall(accumulate, [RArgument.Value(g), tensorPartial, RArgument.Gradient(value, byRef: false)]));
                        var gTangent = tangents.Of(g);
                        output.Add(new RRuleTangent(accumulate, C.IsZero(gTangent)
                            ? [RArgument.Value(g), tensorProduct, RArgument.GradientTangent(value, byRef: false)]
                            : [RArgument.Value(gTangent), tensorPartial, RArgument.Value(g), tensorProduct, RArgument.GradientTangent(value, byRef: false)]));
                        continue;
                    }

                    var partial = new CName(site.Gradients[k]);
                    output.Add(new RAddAssign(value, C.Multiply(g, partial)));
                    output.Add(new RGradientTangent(value, C.Add(C.Multiply(tangents.Of(g), partial), C.Multiply(g, new CName(site.Products[k]))), declares: false));
                }

                continue;
            }

            output.Add(statement switch
            {
                RIf branch => new RIf(branch.Condition, Interleave(branch.Then, tangents, callSites, compilerServices), Interleave(branch.Else, tangents, callSites, compilerServices)),
                RLoop loop => new RLoop(loop.Loop, Interleave(loop.Body, tangents, callSites, compilerServices)),
                _ => statement,
            });
            switch (statement)
            {
                case RReset or RZero when tangents.Zero(StartedGradient(statement)):
                    break;
                case RDeclare declare when tangents.Zero(declare.Value) && C.IsZero(tangents.Of(declare.Initializer)):
                    break;
                case RReset reset:
                    output.Add(new RResetTangent(reset.Value));
                    break;
                case RDeclare declare:
                    output.Add(new RGradientTangent(declare.Value, tangents.Of(declare.Initializer), declares: true, declare.Initializer));
                    break;
                case RZero zero:
                    output.Add(new RGradientTangent(zero.Value, tangents.Of(C.Number(0, IrTypeKind.Double)), declares: true, zero.Shape));
                    break;
                case RCall { Rule: { Value: IrCall call } assign, Seed: { } g } rulePullback:
                    output.Add(RuleTangent(rulePullback, assign, call, g, tangents));
                    break;
                case RAddAssign add when tangents.Of(add.Contribution) is var tangent && !C.IsZero(tangent):
                    output.Add(new RGradientTangent(add.Value, tangent, declares: false));
                    break;
                case RComment or RIf or RLoop or RAddAssign:
                    break;
                default:
                    throw new NotSupportedException("forward over reverse does not cover " + statement.GetType().Name);
            }
        }

        return output;
    }

    /// <summary>
    /// The tangent of a rule's pullback step <c>Pullback(reads..., dResult, dx...)</c>: its pullback-tangent rule handed
    /// what it reads, the tangents it reads, dResult's tangent and the gradient tangents; or, for a linear pullback, the
    /// pullback itself with dResult's tangent in dResult's place and the gradient tangents in the gradients'.
    /// </summary>
    private static RRuleTangent RuleTangent(RCall pullback, IrAssign assign, IrCall call, CExpr g, Tangents tangents)
    {
        var differentiable = call.Callee.DifferentiableParameters.Count(d => d);
        var outputs = pullback.Arguments.Skip(pullback.Arguments.Count - differentiable)
            .Select(a => a.GradientOf is { } value ? RArgument.GradientTangent(value, a.ByRef) : a)
            .ToList();
        var gTangent = RArgument.Value(tangents.Of(g));
        if (call.Callee.PullbackTangent is not { } rule)
        {
            // Linear: the same arguments, dResult's tangent for dResult and the tangents of the gradients for them.
            var values = pullback.Arguments.Take(pullback.Arguments.Count - differentiable - 1);
            return new RRuleTangent(pullback.Target, values.Append(gTangent).Concat(outputs).ToList());
        }

        var arguments = new List<RArgument>();
        for (var i = 0; i < call.Arguments.Count; i++)
        {
            if (rule.Reads.Count > i && rule.Reads[i])
            {
                arguments.Add(RArgument.Value(C.FromIr(call.Arguments[i])));
            }
        }

        if (rule.Saved)
        {
            arguments.Add(RArgument.Value(new CSaved(assign.Target)));
        }

        if (rule.ReadsResult)
        {
            arguments.Add(RArgument.Value(new CValue(assign.Target)));
        }

        if (rule.ReadsDResult)
        {
            arguments.Add(RArgument.Value(g));
        }

        for (var i = 0; i < call.Arguments.Count; i++)
        {
            if (rule.Tangents.Count > i && rule.Tangents[i])
            {
                arguments.Add(RArgument.Value(tangents.OfValue(call.Arguments[i])));
            }
        }

        if (rule.ReadsResultTangent)
        {
            arguments.Add(RArgument.Value(tangents.OfValue(new IrRef(assign.Target))));
        }

        arguments.Add(gTangent);
        arguments.AddRange(outputs);
        return new RRuleTangent(rule.Target, arguments);
    }
}
