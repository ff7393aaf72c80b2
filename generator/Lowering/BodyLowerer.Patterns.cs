using System.Collections.Generic;
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

    /// <summary>
    /// A switch statement, as the if/else chain it stands for: sections are tested in order (the default section
    /// last, wherever it is written), each ending in <c>break</c>, <c>return</c>, <c>throw</c> or a loop's
    /// <c>continue</c>/<c>break</c>. Returns null when lowering continues after it, or the exit of the rest of the
    /// sequence when a section leaves it (the rest is then lowered inside each section, as for <c>if</c>).
    /// </summary>
    private Exit? LowerSwitchStatement(ISwitchOperation switchStatement, IReadOnlyList<IOperation> statements, int next)
    {
        var sections = switchStatement.Cases;
        var bodies = new List<IOperation>[sections.Length];
        for (var k = 0; k < sections.Length; k++)
        {
            bodies[k] = sections[k].Body.SelectMany(Flatten).ToList();
            if (bodies[k].LastOrDefault() is IBranchOperation { BranchKind: BranchKind.Break } last
                && SymbolEqualityComparer.Default.Equals(last.Target, switchStatement.ExitLabel))
            {
                bodies[k].RemoveAt(bodies[k].Count - 1);
            }

            var inner = bodies[k].SelectMany(b => b.DescendantsAndSelf()).OfType<IBranchOperation>()
                .FirstOrDefault(b => SymbolEqualityComparer.Default.Equals(b.Target, switchStatement.ExitLabel));
            if (inner is not null)
            {
                ReportStatement(inner, "A 'break' before the end of a switch section", "end the section with its only 'break', or use if/else");
                return Exit.Throw;
            }
        }

        var value = LowerValue(switchStatement.Value);
        if (IsError(value))
        {
            return Exit.Throw;
        }

        var subject = Atomize(value, _types.Map(switchStatement.Value.Type));
        var order = Enumerable.Range(0, sections.Length)
            .OrderBy(k => sections[k].Clauses.Any(c => c is IDefaultCaseClauseOperation) ? 1 : 0)
            .ToList();
        var rest = sections.Any(section => ContainsJump(section)) ? statements.Skip(next).ToList() : null;
        var source = "switch (" + SourceText.Of(switchStatement.Value.Syntax) + ") ";
        var exit = Section(0);
        return rest is null ? (exit == Exit.Throw ? exit : null) : exit;

        Exit Body(int k) => LowerSequence(rest is null ? bodies[k] : bodies[k].Concat(rest).ToList());

        Exit Section(int position)
        {
            if (position == order.Count)
            {
                return rest is null ? Exit.FallThrough : LowerSequence(rest); // nothing matched
            }

            var k = order[position];
            if (sections[k].Clauses.Any(c => c is IDefaultCaseClauseOperation))
            {
                return Body(k);
            }

            return LowerBranches(
                () => sections[k].Clauses.Select(clause => ClauseTest(subject, clause)).Aggregate((l, r) => new IrBinary(IrBinaryOp.ConditionalOr, l, r)),
                () => Body(k),
                () => Section(position + 1),
                source + string.Join(" ", sections[k].Clauses.Select(c => SourceText.Of(c.Syntax))));
        }
    }

    private IrExpr ClauseTest(IrExpr subject, ICaseClauseOperation clause)
    {
        switch (clause)
        {
            case ISingleValueCaseClauseOperation single when single.Value is not null:
                return Compare(IrBinaryOp.Equals, subject, single.Value, clause);

            case IPatternCaseClauseOperation patternClause:
                var test = PatternTest(subject, patternClause.Pattern, clause);
                return patternClause.Guard is null ? test : new IrBinary(IrBinaryOp.ConditionalAnd, test, LowerValue(patternClause.Guard));

            default:
                Report(DiagnosticDescriptors.UnsupportedExpression, clause.Syntax.GetLocation(), "This case label", "use constant or relational patterns");
                return new IrError(IrType.Bool);
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
