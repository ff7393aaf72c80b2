using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Turns a <see cref="LoweredBody"/> into the final <see cref="IrMethod"/>: removes values nothing needs (dead-code
/// elimination, so the forward sweep computes only what the result depends on), then names every remaining value,
/// apart from the reserved names and from <c>keptFree</c>: names later stages declare beside the values (the
/// derivative parameters of the generated signatures), which the pipeline passes in without saying what they are.
/// </summary>
internal static class IrFinisher
{
    public static IrMethod Finish(
        LoweredBody body,
        IReadOnlyList<ParameterFacts> parameters,
        IrType returnType,
        IEnumerable<string> reservedNames,
        IEnumerable<string> keptFree)
    {
        var live = new bool[body.Values.Count];
        IrLiveness.Mark(body.Result, live);
        var statements = IrLiveness.Prune(body.Statements, live);

        // Names: parameters, then the first version of each local under its own name, then everything else.
        var reserved = reservedNames.Concat(parameters.Select(p => p.Name)).ToList();
        var allocator = new NameAllocator(reserved.Concat(keptFree));

        if (body.Result is IrRef { Value: var resultId } && body.Values[resultId].Kind == ValueKind.Temporary)
        {
            body.Values[resultId].Kind = ValueKind.Result;
        }

        var names = new string?[body.Values.Count];
        for (var i = 0; i < body.Parameters.Count; i++)
        {
            names[body.Parameters[i]] = NameAllocator.Escape(parameters[i].Name);
        }

        // Numbering follows the order in which values appear in the generated forward sweep.
        var order = IrWalker.DefinitionOrder(statements).ToList();
        foreach (var id in order)
        {
            var value = body.Values[id];
            if (names[id] is null && value.Kind == ValueKind.Local && !allocator.IsTaken(value.BaseName!))
            {
                names[id] = allocator.Allocate(value.BaseName!);
            }
        }

        // Temporaries are t0, t1, ... unless the method has a variable t, whose versions (t_1) would sit beside them.
        var localNames = new HashSet<string>(order.Select(id => body.Values[id]).Where(v => v.Kind == ValueKind.Local).Select(v => v.BaseName!)
            .Concat(parameters.Select(p => p.Name)));
        var temporaryPrefix = new[] { "t", "tmp", "temp" }.FirstOrDefault(p => !localNames.Contains(p)) ?? "t";
        var temporary = 0;
        var condition = 0;
        var cursor = 0;
        foreach (var id in order)
        {
            var value = body.Values[id];
            if (names[id] is not null)
            {
                continue;
            }

            names[id] = value.Kind switch
            {
                ValueKind.Cursor => allocator.AllocateNumbered("iter", ref cursor),
                ValueKind.LoopStart => allocator.Allocate(names[id + 1] + "Start"), // named after its loop's cursor
                ValueKind.Local => allocator.Allocate(value.BaseName!),
                ValueKind.Condition => allocator.AllocateNumbered("cond", ref condition),
                ValueKind.Result => allocator.Allocate("result"),
                _ => allocator.AllocateNumbered(temporaryPrefix, ref temporary),
            };
        }

        var values = body.Values
            .Select((v, id) => new IrValue(names[id] ?? "unused" + id, v.Type, v.Active, v.Kind == ValueKind.Local ? v.BaseName : null))
            .ToEquatableArray();
        var irParameters = parameters
            .Select((p, i) => new IrParameter(names[body.Parameters[i]]!, p.Type, body.Parameters[i], p.Differentiable))
            .ToEquatableArray();

        return new IrMethod(irParameters, values, new IrBlock(statements.ToEquatableArray()), body.Result, returnType, reserved.ToEquatableArray());
    }
}

/// <summary>Facts about a parameter gathered before lowering.</summary>
internal sealed class ParameterFacts
{
    public ParameterFacts(string name, IrType type, bool differentiable)
    {
        Name = name;
        Type = type;
        Differentiable = differentiable;
    }

    public string Name { get; }

    public IrType Type { get; }

    public bool Differentiable { get; }
}
