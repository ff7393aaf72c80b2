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

    /// <summary>A loop's iteration cursor (<c>iter0</c>): indexes the tapes.</summary>
    Cursor,

    /// <summary>The cursor's value when a nested loop starts (<c>iter1Start</c>).</summary>
    LoopStart,
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
/// The current SSA value of every parameter and local in scope (null: declared, not yet assigned), keyed by symbol or
/// by a <see cref="SyntheticLocal"/> (flags the lowering adds, such as a loop's "broke out" flag). Symbols stay
/// inside the lowering step; only value indices leave it.
/// </summary>
internal sealed class Environment
{
    private readonly Dictionary<object, IrExpr?> _values;
    private readonly List<object> _order;

    public Environment()
    {
        _values = new Dictionary<object, IrExpr?>(KeyComparer.Instance);
        _order = new List<object>();
    }

    private Environment(Environment other)
    {
        _values = new Dictionary<object, IrExpr?>(other._values, KeyComparer.Instance);
        _order = new List<object>(other._order);
    }

    /// <summary>Variables in declaration order (deterministic phi order).</summary>
    public IReadOnlyList<object> Symbols => _order;

    public Environment Clone() => new(this);

    public bool TryGet(object symbol, out IrExpr? value) => _values.TryGetValue(symbol, out value);

    public void Set(object symbol, IrExpr? value)
    {
        if (!_values.ContainsKey(symbol))
        {
            _order.Add(symbol);
        }

        _values[symbol] = value;
    }

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) =>
            x is ISymbol a && y is ISymbol b ? SymbolEqualityComparer.Default.Equals(a, b) : ReferenceEquals(x, y);

        public int GetHashCode(object obj) =>
            obj is ISymbol symbol ? SymbolEqualityComparer.Default.GetHashCode(symbol) : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}

/// <summary>A variable the lowering introduces (not in the source): it lives in the environment like a local.</summary>
internal sealed class SyntheticLocal
{
    public SyntheticLocal(string name, IrType type)
    {
        Name = name;
        Type = type;
    }

    public string Name { get; }

    public IrType Type { get; }
}

/// <summary>How a lowered statement sequence ends.</summary>
internal abstract class Exit
{
    public static readonly Exit FallThrough = new FallThroughExit();
    public static readonly Exit Throw = new ThrowExit();

    /// <summary>A <c>break</c> or <c>continue</c>: the path goes to the end of the loop body (the rest is skipped).</summary>
    public static readonly Exit LoopJump = new LoopJumpExit();

    private sealed class FallThroughExit : Exit
    {
    }

    private sealed class ThrowExit : Exit
    {
    }

    private sealed class LoopJumpExit : Exit
    {
    }
}

/// <summary>The sequence returns <see cref="Value"/>.</summary>
internal sealed class ReturnExit : Exit
{
    public ReturnExit(IrExpr value) => Value = value;

    public IrExpr Value { get; }
}
