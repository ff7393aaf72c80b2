using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Planning;

/// <summary>
/// A call to another file's scalar-valued differentiable method whose partials the reverse sweep reads
/// (<see cref="CPartial"/>): the forward sweep calls the callee's generated gradient, which returns the value and
/// writes ∂G/∂x_k (a tensor argument's into a zeroed workspace buffer, a slot per iteration inside loops; a scalar's
/// into a local, or a tape slot inside loops), so the callee runs once. A call the reverse sweep does not reach keeps
/// its buffered form (the value alone).
/// </summary>
internal sealed partial class ReversePlan
{
    private readonly Dictionary<int, HashSet<int>> _callPartials = new();
    private readonly HashSet<int> _partialsOnly = new();
    private readonly HashSet<int> _partialsAhead = new();

    /// <summary>One partial of a call: its name, its C# type, whether it is a tensor and whether the reverse sweep reads it.</summary>
    public sealed record CallPartial(string Name, string Type, bool Tensor, bool Read, IrExpr Argument);

    /// <summary>
    /// Whether the forward sweep computes this call's partials with its value (when a recomputed iteration only reruns
    /// it for them, the forward loop itself computes the value alone).
    /// </summary>
    public bool ComputesPartials(int id, bool recomputing) => _callPartials.ContainsKey(id) && (recomputing || !InRecomputedLoop(id));

    /// <summary>A call's partials, one per differentiable parameter of the callee, in order.</summary>
    public IReadOnlyList<CallPartial> Partials(int id)
    {
        var call = (IrCall)_definitions[id].Value;
        var partials = new List<CallPartial>();
        for (var i = 0; i < call.Arguments.Count && i < call.Callee.DifferentiableParameters.Count; i++)
        {
            if (call.Callee.DifferentiableParameters[i])
            {
                var k = partials.Count;
                var type = call.Arguments[i] is IrRef r ? _ir.Values[r.Value].Type : _ir.Values[id].Type;
                partials.Add(new CallPartial(PartialName(id, k), type.Name, type.IsTensor, _callPartials[id].Contains(k), call.Arguments[i]));
            }
        }

        return partials;
    }

    /// <summary>Whether a read partial lives in the workspace (a tensor, or a scalar inside a loop), not in a local.</summary>
    public bool PartialInWorkspace(int id, CallPartial partial) => partial.Tensor || _owner[id] >= 0;

    /// <summary>Whether a partial is kept per iteration (a slot of a tape): read, and inside a loop.</summary>
    public bool PartialOnTape(int id, CallPartial partial) => partial.Read && _owner[id] >= 0;

    /// <summary>Scalar partials of calls inside this outermost branch, declared before it (the reverse sweep reads them).</summary>
    public IEnumerable<CallPartial> PartialsDeclaredAhead(IrIf branch) =>
        DefinedWithin(branch).Where(_partialsAhead.Contains).SelectMany(id => Partials(id).Where(p => p.Read && !p.Tensor));

    /// <summary>Whether a call's scalar partials were declared before its branch.</summary>
    public bool PartialsAhead(int id) => _partialsAhead.Contains(id);

    private string PartialName(int id, int k) => AuxiliaryTapeName(id, "_d" + k);

    private void FindCallPartials(RBlock reverse)
    {
        var expressions = reverse.Descendants().SelectMany(s => s switch
        {
            RAccumulate a => [a.Contribution],
            RDeclare d => [d.Initializer],
            RAddAssign a => [a.Contribution],
            RCall call => call.Arguments.Select(a => a.Expression).OfType<CExpr>(),
            _ => Enumerable.Empty<CExpr>(),
        }).ToList();
        foreach (var partial in expressions.SelectMany(C.Partials))
        {
            if (!_callPartials.TryGetValue(partial.Id, out var read))
            {
                read = _callPartials[partial.Id] = new HashSet<int>();
            }

            read.Add(partial.Index);
        }

        // Nothing else reads the call's value: it need not be taped (its partials are).
        var values = new HashSet<int>(expressions.SelectMany(C.Values));
        _partialsOnly.UnionWith(_callPartials.Keys.Where(id => !values.Contains(id)));
    }

    private void LayOutCallPartials(IrAssign assign)
    {
        foreach (var partial in Partials(assign.Target).Where(p => p.Tensor || PartialOnTape(assign.Target, p)))
        {
            AddField(PartialOnTape(assign.Target, partial) ? WorkspaceFieldKind.Tape : WorkspaceFieldKind.Buffer,
                partial.Tensor && PartialOnTape(assign.Target, partial) ? partial.Type + "?" : partial.Type, partial.Name);
        }
    }
}
