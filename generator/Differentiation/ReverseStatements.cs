using System.Collections.Generic;
using SymDiff.Generator.Emission;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// A statement of the reverse sweep. The sweep first says only "add this to the adjoint of value v"
/// (<see cref="RAccumulate"/>); <see cref="AdjointPlacement"/> then decides where each adjoint is declared.
/// </summary>
internal abstract class RStatement
{
}

/// <summary>A block of the reverse sweep; mirrors one block of the forward sweep.</summary>
internal sealed class RBlock
{
    public List<RStatement> Statements { get; } = new();

    public int Count => Statements.Count;

    public void Add(RStatement statement) => Statements.Add(statement);
}

/// <summary>Quotes the forward statement that the following reverse statements differentiate.</summary>
internal sealed class RComment : RStatement
{
    public RComment(string text) => Text = text;

    public string Text { get; }
}

/// <summary><c>dv += e</c>, or the declaration <c>double dv = e</c> if it is the first contribution.</summary>
internal sealed class RAccumulate : RStatement
{
    public RAccumulate(int value, CExpr contribution)
    {
        Value = value;
        Contribution = contribution;
    }

    public int Value { get; }

    public CExpr Contribution { get; }
}

/// <summary>
/// A call to a pullback: <c>G(args..., seed, ref dA, ref dB)</c>. <see cref="RefValues"/> names the value whose adjoint
/// each <c>ref</c> argument accumulates into, or null for a derivative nobody needs, which goes to the local
/// named in <see cref="Discards"/>.
/// </summary>
internal sealed class RCall : RStatement
{
    public RCall(string target, IReadOnlyList<CExpr> arguments, IReadOnlyList<int?> refValues, IReadOnlyList<string?> discards)
    {
        Target = target;
        Arguments = arguments;
        RefValues = refValues;
        Discards = discards;
    }

    public string Target { get; }

    public IReadOnlyList<CExpr> Arguments { get; }

    public IReadOnlyList<int?> RefValues { get; }

    public IReadOnlyList<string?> Discards { get; }
}

/// <summary>A branch of the reverse sweep (the branch the forward sweep took, or a rule's case split).</summary>
internal sealed class RIf : RStatement
{
    public RIf(CExpr condition, RBlock then, RBlock @else)
    {
        Condition = condition;
        Then = then;
        Else = @else;
    }

    public CExpr Condition { get; }

    public RBlock Then { get; }

    public RBlock Else { get; }
}

/// <summary>Resolved: <c>T dv = e;</c> (or <c>dv = e;</c> for an <c>out</c> parameter).</summary>
internal sealed class RDeclare : RStatement
{
    public RDeclare(int value, CExpr initializer)
    {
        Value = value;
        Initializer = initializer;
    }

    public int Value { get; }

    public CExpr Initializer { get; }
}

/// <summary>Resolved: <c>dv += e;</c>.</summary>
internal sealed class RAddAssign : RStatement
{
    public RAddAssign(int value, CExpr contribution)
    {
        Value = value;
        Contribution = contribution;
    }

    public int Value { get; }

    public CExpr Contribution { get; }
}
