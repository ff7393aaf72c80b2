using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>What an SSA value is, which decides how it is named in the generated code.</summary>
internal enum ValueKind
{
    Parameter,
    Local,
    Temporary,
    Condition,
    Result,
}

/// <summary>A value under construction; frozen into an <see cref="IrValue"/> once names are chosen.</summary>
internal sealed class ValueInfo
{
    public ValueInfo(ValueKind kind, string? baseName, IrType type, bool active)
    {
        Kind = kind;
        BaseName = baseName;
        Type = type;
        Active = active;
    }

    public ValueKind Kind { get; set; }

    /// <summary>The source name (parameter or local) this value is a version of, if any.</summary>
    public string? BaseName { get; set; }

    public IrType Type { get; }

    public bool Active { get; }
}

/// <summary>
/// The current SSA value of every parameter and local in scope (null: declared, not yet assigned). Symbols stay
/// inside the lowering step; only value indices leave it.
/// </summary>
internal sealed class Environment
{
    private readonly Dictionary<ISymbol, IrExpr?> _values;
    private readonly List<ISymbol> _order;

    public Environment()
    {
        _values = new Dictionary<ISymbol, IrExpr?>(SymbolEqualityComparer.Default);
        _order = new List<ISymbol>();
    }

    private Environment(Environment other)
    {
        _values = new Dictionary<ISymbol, IrExpr?>(other._values, SymbolEqualityComparer.Default);
        _order = new List<ISymbol>(other._order);
    }

    /// <summary>Symbols in declaration order (deterministic phi order).</summary>
    public IReadOnlyList<ISymbol> Symbols => _order;

    public Environment Clone() => new(this);

    public bool TryGet(ISymbol symbol, out IrExpr? value) => _values.TryGetValue(symbol, out value);

    public void Set(ISymbol symbol, IrExpr? value)
    {
        if (!_values.ContainsKey(symbol))
        {
            _order.Add(symbol);
        }

        _values[symbol] = value;
    }
}

/// <summary>How a lowered statement sequence ends.</summary>
internal abstract class Exit
{
    public static readonly Exit FallThrough = new FallThroughExit();
    public static readonly Exit Throw = new ThrowExit();

    private sealed class FallThroughExit : Exit
    {
    }

    private sealed class ThrowExit : Exit
    {
    }
}

/// <summary>The sequence returns <see cref="Value"/>.</summary>
internal sealed class ReturnExit : Exit
{
    public ReturnExit(IrExpr value) => Value = value;

    public IrExpr Value { get; }
}
