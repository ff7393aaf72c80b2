using System.Collections.Generic;
using System.Linq;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// Decides where each gradient is declared. The first contribution to an gradient, when it happens directly in the
/// gradient's home block, becomes its declaration (<c>double dh = ...;</c>); when it happens inside a nested branch or
/// through a <c>ref</c> argument, the gradient is declared as zero just before. Later contributions are <c>+=</c>.
/// In a pullback, parameter gradients are the caller's accumulators and are only ever added to.
/// </summary>
internal sealed class GradientPlacement
{
    private readonly ReverseSweep _sweep;
    private readonly HashSet<int> _declared = new();

    private GradientPlacement(ReverseSweep sweep, IEnumerable<int> predeclared)
    {
        _sweep = sweep;
        _declared.UnionWith(predeclared);
    }

    /// <summary>Rewrites <paramref name="root"/> in place; returns the set of values whose gradient was declared.</summary>
    public static HashSet<int> Resolve(RBlock root, ReverseSweep sweep, IEnumerable<int> predeclared)
    {
        var placement = new GradientPlacement(sweep, predeclared);
        placement.ResolveBlock(root);
        return placement._declared;
    }

    private void ResolveBlock(RBlock block)
    {
        var resolved = new List<RStatement>();
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case RAccumulate accumulate when !_declared.Contains(accumulate.Value) && _sweep.Home(accumulate.Value) == block:
                    _declared.Add(accumulate.Value);
                    resolved.Add(new RDeclare(accumulate.Value, accumulate.Contribution));
                    break;

                case RAccumulate accumulate:
                    DeclareZeros(new[] { accumulate.Value }, block, resolved);
                    resolved.Add(new RAddAssign(accumulate.Value, accumulate.Contribution));
                    break;

                case RCall call:
                    DeclareZeros(call.Accumulated, block, resolved, call);
                    resolved.Add(call);
                    break;

                case RIf branch:
                    DeclareZeros(Accumulated(branch.Then).Concat(Accumulated(branch.Else)), block, resolved);
                    ResolveBlock(branch.Then);
                    ResolveBlock(branch.Else);
                    resolved.Add(branch);
                    break;

                case RLoop loop:
                    DeclareZeros(Accumulated(loop.Body), block, resolved);
                    ResolveBlock(loop.Body);
                    resolved.Add(loop);
                    break;

                case RReset reset:
                    DeclareZeros(new[] { reset.Value }, block, resolved);
                    resolved.Add(reset);
                    break;

                default:
                    resolved.Add(statement);
                    break;
            }
        }

        block.Statements.Clear();
        block.Statements.AddRange(resolved);
    }

    /// <summary>Declares as zero, in <paramref name="block"/>, the gradients homed here that are not declared yet.</summary>
    private void DeclareZeros(IEnumerable<int> values, RBlock block, List<RStatement> output, RCall? call = null)
    {
        // Declarations go above the comment that introduces the statement needing them.
        var position = output.Count > 0 && output[output.Count - 1] is RComment ? output.Count - 1 : output.Count;
        // Value order: parameters first, in parameter order, then intermediates in forward order.
        foreach (var value in values.Distinct().OrderBy(v => v))
        {
            if (!_declared.Contains(value) && _sweep.Home(value) == block)
            {
                _declared.Add(value);
                // Right before a call, a tensor buffer may take its shape from another of the call's arguments.
                var shape = call?.Arguments.FirstOrDefault(a => a.GradientOf == value)?.Shape;
                output.Insert(position++, new RZero(value, shape));
            }
        }
    }

    /// <summary>Every value a block (nested blocks included) contributes to, in order of first contribution.</summary>
    private static IEnumerable<int> Accumulated(RBlock block) => block.Descendants().SelectMany(statement => statement switch
    {
        RAccumulate accumulate => new[] { accumulate.Value },
        RCall call => call.Accumulated,
        RReset reset => new[] { reset.Value },
        _ => Enumerable.Empty<int>(),
    });
}
