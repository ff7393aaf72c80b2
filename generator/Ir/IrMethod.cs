using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Ir;

/// <summary>
/// One SSA value: its C# name in the generated code, its type, whether it carries a derivative, and the source
/// variable it is a version of (its name as written; null for temporaries), so printers may give a variable's versions
/// one name where their lifetimes allow.
/// </summary>
internal sealed record IrValue(string Name, IrType Type, bool Active, string? Variable = null);

/// <summary>A parameter of the differentiated method.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Value">The SSA value holding it on entry.</param>
/// <param name="Differentiable">Whether the generated methods produce a derivative for it.</param>
internal sealed record IrParameter(string Name, IrType Type, int Value, bool Differentiable);

/// <summary>
/// A lowered method body: straight-line SSA statements with structured branches, ready to differentiate.
/// </summary>
/// <param name="Values">Every SSA value; <see cref="IrRef.Value"/> indexes this list.</param>
/// <param name="Body">The statements, in forward order.</param>
/// <param name="Result">What the method returns (null if every path throws).</param>
/// <param name="ReturnType">The method's return type (double or float).</param>
/// <param name="ReservedNames">Names generated code must not use for locals (parameters, callees).</param>
internal sealed record IrMethod(
    EquatableArray<IrParameter> Parameters,
    EquatableArray<IrValue> Values,
    IrBlock Body,
    IrExpr? Result,
    IrType ReturnType,
    EquatableArray<string> ReservedNames);
