using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Patterns, as the comparisons they stand for: <c>x is &gt; 0 and &lt; 1</c> is <c>x &gt; 0 &amp;&amp; x &lt; 1</c>, and a switch
/// expression is a chain of <c>?:</c> over its arms, tested in order. Constant, relational, <c>and</c>/<c>or</c>/<c>not</c>
/// and discard patterns are supported; patterns that test types or declare variables are reported.
/// </summary>
internal sealed partial class BodyLowerer
{
    private IrExpr LowerIsPattern(IIsPatternOperation isPattern)
    {
        var subject = LowerValue(isPattern.Value);
        return IsError(subject)
            ? new IrError(IrType.Bool)
            : PatternTest(Atomize(subject, _types.Map(isPattern.Value.Type)), isPattern.Pattern, isPattern);
    }

    private IrExpr LowerSwitchExpression(ISwitchExpressionOperation switchExpression)
    {
        var type = _types.Map(switchExpression.Type);
        var arms = switchExpression.Arms;
        if (arms.Length == 0 || arms[arms.Length - 1] is not { Pattern: IDiscardPatternOperation, Guard: null })
        {
            // Without a catch-all arm C# throws when nothing matches; say so rather than guess.
            return Unsupported(switchExpression, "A switch expression without a final '_ => ...' arm", "end it with a '_ => value' arm");
        }

        var value = LowerValue(switchExpression.Value);
        if (IsError(value))
        {
            return new IrError(type);
        }

        var subject = Atomize(value, _types.Map(switchExpression.Value.Type));
        return Arm(0);

        IrExpr Arm(int index)
        {
            var arm = arms[index];
            if (index == arms.Length - 1)
            {
                return LowerValue(arm.Value);
            }

            return LowerChoice(
                () =>
                {
                    var test = PatternTest(subject, arm.Pattern, arm);
                    return arm.Guard is null ? test : new IrBinary(IrBinaryOp.ConditionalAnd, test, LowerValue(arm.Guard));
                },
                () => LowerValue(arm.Value),
                () => Arm(index + 1),
                type,
                arm);
        }
    }

    /// <summary>The bool that says whether <paramref name="subject"/> matches <paramref name="pattern"/>.</summary>
    private IrExpr PatternTest(IrExpr subject, IPatternOperation pattern, IOperation site)
    {
        switch (pattern)
        {
            case IDiscardPatternOperation:
                return Literals.Bool(true);

            case IConstantPatternOperation constant:
                return Compare(IrBinaryOp.Equals, subject, constant.Value, site);

            case IRelationalPatternOperation relational when RelationalOp(relational.OperatorKind) is { } op:
                return Compare(op, subject, relational.Value, site);

            case INegatedPatternOperation negated:
                return new IrUnary(IrUnaryOp.Not, PatternTest(subject, negated.Pattern, site));

            case IBinaryPatternOperation binary:
                var left = PatternTest(subject, binary.LeftPattern, site);
                var right = PatternTest(subject, binary.RightPattern, site);
                return new IrBinary(binary.OperatorKind == BinaryOperatorKind.Or ? IrBinaryOp.ConditionalOr : IrBinaryOp.ConditionalAnd, left, right);

            default:
                Report(DiagnosticDescriptors.UnsupportedExpression, pattern.Syntax.GetLocation(), "This pattern", "use constant or relational patterns (is 0, is > 1 and < 2), or comparison operators");
                return new IrError(IrType.Bool);
        }
    }

    /// <summary><c>subject op value</c>; comparing a differentiated value drops its derivative (SD1002 if that matters).</summary>
    private IrExpr Compare(IrBinaryOp op, IrExpr subject, IOperation value, IOperation site)
    {
        var other = LowerValue(value);
        if (IsError(other))
        {
            return new IrError(IrType.Bool);
        }

        var result = new IrBinary(op, subject, other);
        return IsActive(subject) || IsActive(other)
            ? Lossy(result, DiagnosticDescriptors.LostThroughConversion, site.Syntax.GetLocation(), "'" + SourceText.Of(site.Syntax) + "'", "a bool")
            : result;
    }

    private static IrBinaryOp? RelationalOp(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.LessThan => IrBinaryOp.LessThan,
        BinaryOperatorKind.LessThanOrEqual => IrBinaryOp.LessThanOrEqual,
        BinaryOperatorKind.GreaterThan => IrBinaryOp.GreaterThan,
        BinaryOperatorKind.GreaterThanOrEqual => IrBinaryOp.GreaterThanOrEqual,
        BinaryOperatorKind.Equals => IrBinaryOp.Equals,
        BinaryOperatorKind.NotEquals => IrBinaryOp.NotEquals,
        _ => null,
    };
}
