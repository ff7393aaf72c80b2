using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// A statement of the reverse sweep. The sweep first says only "add this to the gradient of value v"
/// (<see cref="RAccumulate"/>); <see cref="GradientPlacement"/> then decides where each gradient is declared.
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

    /// <summary>
    /// Every statement of the block, each followed by those nested in it (a branch's then and else blocks, a loop's
    /// body), in order: the one walk the passes that collect from a whole sweep share.
    /// </summary>
    public IEnumerable<RStatement> Descendants()
    {
        foreach (var statement in Statements)
        {
            yield return statement;
            var nested = statement switch
            {
                RIf branch => branch.Then.Descendants().Concat(branch.Else.Descendants()),
                RLoop loop => loop.Body.Descendants(),
                _ => Enumerable.Empty<RStatement>(),
            };

            foreach (var inner in nested)
            {
                yield return inner;
            }
        }
    }
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
/// A call in the reverse sweep: a generated pullback <c>GPullback(args..., seed, ref dA, ...)</c> or a
/// <c>[PullbackOf]</c> rule <c>Rule(args..., result, dResult, dA, ...)</c>.
/// </summary>
internal sealed class RCall : RStatement
{
    public RCall(string target, IReadOnlyList<RArgument> arguments, int forward = -1, CExpr? seed = null, IrAssign? rule = null)
    {
        Target = target;
        Arguments = arguments;
        Forward = forward;
        Seed = seed;
        Rule = rule;
    }

    /// <summary>For a <c>[PullbackOf]</c> rule: the forward statement whose call it differentiates (dResult is <see cref="Seed"/>).</summary>
    public IrAssign? Rule { get; }

    public string Target { get; }

    /// <summary>For a differentiable callee's pullback: the value its forward call defined (-1 for rules).</summary>
    public int Forward { get; }

    /// <summary>For a differentiable callee's pullback: the gradient handed to it.</summary>
    public CExpr? Seed { get; }

    public IReadOnlyList<RArgument> Arguments { get; }

    /// <summary>The values whose gradients the call adds to (they must be declared before it).</summary>
    public IEnumerable<int> Accumulated
    {
        get
        {
            foreach (var argument in Arguments)
            {
                if (argument.GradientOf is { } value)
                {
                    yield return value;
                }
            }
        }
    }
}

/// <summary>An argument of an <see cref="RCall"/>: a value, an gradient to add to (by <c>ref</c> for scalars), or a discard.</summary>
internal sealed class RArgument
{
    private RArgument(CExpr? expression, int? gradientOf, bool byRef, string? discard, CExpr? shape = null, int? gradientTangentOf = null)
    {
        Expression = expression;
        GradientOf = gradientOf;
        ByRef = byRef;
        Discard = discard;
        Shape = shape;
        GradientTangentOf = gradientTangentOf;
    }

    /// <summary>In a Hessian-vector product: the tangent of a gradient, which a pullback-tangent rule adds to.</summary>
    public int? GradientTangentOf { get; }

    public static RArgument GradientTangent(int value, bool byRef) => new(null, null, byRef, null, null, value);

    public CExpr? Expression { get; }

    public int? GradientOf { get; }

    public bool ByRef { get; }

    /// <summary>The local that receives a derivative nobody needs (a <c>ref</c> argument for a constant input).</summary>
    public string? Discard { get; }

    public static RArgument Value(CExpr expression) => new(expression, null, false, null);

    /// <summary>
    /// For a tensor gradient: another argument of the same call whose tensor has its shape (the rule's
    /// <c>[SameShapeAs]</c>), so a buffer declared right before the call need not read the value itself.
    /// </summary>
    public CExpr? Shape { get; }

    public static RArgument Gradient(int value, bool byRef, CExpr? shape = null) => new(null, value, byRef, null, shape);

    public static RArgument Discarded(string local) => new(null, null, true, local);
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

/// <summary>Resolved: the gradient declared as zero (<c>double dv = 0;</c>, or a zeroed workspace tensor).</summary>
internal sealed class RZero : RStatement
{
    public RZero(int value, CExpr? shape = null)
    {
        Value = value;
        Shape = shape;
    }

    public int Value { get; }

    /// <summary>For a tensor: what to take the buffer's shape from, when not the value itself.</summary>
    public CExpr? Shape { get; }
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

/// <summary>
/// The reverse of a loop: runs the iterations backwards (the cursor counts down to where this execution started),
/// each reading its taped values, handing the carried gradients to the values the body defined, and then reversing
/// the body.
/// </summary>
internal sealed class RLoop : RStatement
{
    public RLoop(IrLoop loop, RBlock body)
    {
        Loop = loop;
        Body = body;
    }

    /// <summary>The forward loop (its cursor, start and the values its body defines).</summary>
    public IrLoop Loop { get; }

    public RBlock Body { get; }
}

/// <summary><c>dv = 0;</c> (a tensor is cleared): a carried gradient starting over for the previous iteration.</summary>
internal sealed class RReset : RStatement
{
    public RReset(int value) => Value = value;

    public int Value { get; }
}
