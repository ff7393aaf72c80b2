using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// The output of forward-mode differentiation: the method's own statements in their order, each followed by the
/// statement that computes its tangent. Tangents are <see cref="CExpr"/> trees over values (<see cref="CValue"/>) and
/// tangents (<see cref="CTangent"/>, the derivative of a value along the direction): IR, never C# text.
/// </summary>
internal abstract class TStatement
{
}

internal sealed class TBlock
{
    public List<TStatement> Statements { get; } = new();

    public void Add(TStatement statement) => Statements.Add(statement);
}

/// <summary>A comment quoting the source statement the following steps come from.</summary>
internal sealed class TComment(string source) : TStatement
{
    public string Source { get; } = source;
}

/// <summary>
/// A statement of the original method, run as written (an assignment, an effect, a throw); a sine or cosine whose
/// tangent needs the other one computes both (<see cref="Companion"/>).
/// </summary>
internal sealed class TPrimal(IrStatement statement, TCompanion? companion = null) : TStatement
{
    public IrStatement Statement { get; } = statement;

    public TCompanion? Companion { get; } = companion;
}

/// <summary>The local <see cref="Name"/> holding <see cref="Function"/> (<c>Sin</c> or <c>Cos</c>) of a sine's or cosine's operand.</summary>
internal sealed record TCompanion(string Name, string Function);

/// <summary>Defines the tangent of <see cref="Value"/>.</summary>
internal sealed class TTangent(int value, CExpr tangent) : TStatement
{
    public int Value { get; } = value;

    public CExpr Tangent { get; } = tangent;
}

/// <summary>
/// A call to another <c>[Differentiable]</c> method through its pushforward, which returns the value and writes its
/// tangent: one call instead of the original. <see cref="Tangents"/> has one entry per differentiable parameter.
/// </summary>
internal sealed class TPushforwardCall(int target, IrCall call, IReadOnlyList<CExpr> tangents) : TStatement
{
    public int Target { get; } = target;

    public IrCall Call { get; } = call;

    public IReadOnlyList<CExpr> Tangents { get; } = tangents;
}

/// <summary>
/// A call to a function with a <c>[PushforwardOf]</c> rule (a tensor op): after the call, the rule gives the result's
/// tangent from the arguments' (<see cref="Tangents"/>: one per differentiable parameter; <c>null</c> or 0 for none).
/// </summary>
internal sealed class TRuleTangent(int target, IrCall call, IReadOnlyList<CExpr> tangents) : TStatement
{
    public int Target { get; } = target;

    public IrCall Call { get; } = call;

    public IReadOnlyList<CExpr> Tangents { get; } = tangents;
}

/// <summary>A branch: the original condition, each side with its tangents, and the tangents of the merged values.</summary>
internal sealed class TIf(IrIf branch, TBlock then, TBlock @else, IReadOnlyList<TPhi> tangentPhis) : TStatement
{
    public IrIf Branch { get; } = branch;

    public TBlock Then { get; } = then;

    public TBlock Else { get; } = @else;

    public IReadOnlyList<TPhi> TangentPhis { get; } = tangentPhis;
}

/// <summary>The tangent of a merged value: which tangent each side hands it (null: that side throws).</summary>
internal sealed record TPhi(int Target, CExpr? WhenTrue, CExpr? WhenFalse);

/// <summary>A loop: forward mode keeps no tape, so each carried value simply carries its tangent beside it.</summary>
internal sealed class TLoop(IrLoop loop, TBlock header, TBlock body, IReadOnlyList<TCarried> tangents) : TStatement
{
    public IrLoop Loop { get; } = loop;

    public TBlock Header { get; } = header;

    public TBlock Body { get; } = body;

    public IReadOnlyList<TCarried> Tangents { get; } = tangents;
}

/// <summary>The tangent of a carried value: on entry, after each iteration, and its exit value's (-1 when unused).</summary>
internal sealed record TCarried(int Phi, CExpr Initial, CExpr Next, int Exit);

/// <summary>A differentiated method in forward mode: its statements with tangents, and the result's tangent.</summary>
internal sealed class TangentProgram(TBlock body, CExpr resultTangent, IReadOnlyDictionary<int, string> tangentNames, IReadOnlyList<CExpr?> tangents)
{
    /// <summary>Each value's tangent where the method ends (null: zero), for differentiating what follows (a reverse sweep).</summary>
    public CExpr? TangentOf(int value) => tangents[value];

    public TBlock Body { get; } = body;

    public CExpr ResultTangent { get; } = resultTangent;

    /// <summary>The C# name of each tangent the program defines or reads (<c>dh</c> for <c>h</c>; parameters' are theirs).</summary>
    public IReadOnlyDictionary<int, string> TangentNames { get; } = tangentNames;

    /// <summary>The same program with other statements (fewer tangents) and the names of the tangents it still has.</summary>
    public TangentProgram With(TBlock body, IReadOnlyDictionary<int, string> names) => new(body, ResultTangent, names, tangents);
}

/// <summary>
/// How a tangent program names things: its allocator (shared with the code around it), the prefix of tangent locals,
/// and the names of the direction's components, by parameter value.
/// </summary>
internal sealed class TangentNaming(Lowering.NameAllocator names, string prefix, IReadOnlyDictionary<int, string> parameters)
{
    public Lowering.NameAllocator Names { get; } = names;

    public string Prefix { get; } = prefix;

    public IReadOnlyDictionary<int, string> Parameters { get; } = parameters;

    /// <summary>A pushforward's: <c>da</c> for parameter <c>a</c> (its gradient's name elsewhere), <c>dh</c> for <c>h</c>.</summary>
    public static TangentNaming Pushforward(IrMethod ir) => new(
        DerivativeNames.Allocator(ir),
        "d",
        DerivativeNames.Of(ir).Parameters);
}
