using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Loops. A <c>for</c>, <c>while</c> or <c>do</c> loop becomes an <see cref="IrLoop"/>: the variables it assigns are
/// carried (a phi per variable, read inside the loop; an exit value read after it). <c>continue</c> ends the path
/// through the body like an early return ends a method (the rest of the body is lowered in the other branch);
/// <c>break</c> does the same and also sets a synthetic "broke" flag that the loop condition tests first, and that
/// keeps the <c>for</c> incrementors from running.
/// </summary>
internal sealed partial class BodyLowerer
{
    /// <summary>The innermost loop being lowered (null outside loops).</summary>
    private LoopScope? _loop;

    /// <summary>The synthetic "returned" flag and value of returns inside loops (null until a loop returns).</summary>
    private ReturnInLoop? _returning;

    private void LowerLoop(ILoopOperation loop)
    {
        if (TooDeep(loop))
        {
            return;
        }

        _nesting++;
        try
        {
            LowerLoopNested(loop);
        }
        finally
        {
            _nesting--;
        }
    }

    private void LowerLoopNested(ILoopOperation loop)
    {
        LoopParts parts;
        var conditionFirst = true;
        switch (loop)
        {
            case IForLoopOperation forLoop:
                foreach (var statement in forLoop.Before)
                {
                    LowerStatement(statement);
                }

                parts = LoopParts.Of(forLoop.Condition, forLoop.AtLoopBottom, this) with { BottomNeedsGuard = !StepsOwnCounter(forLoop) };
                break;

            case IWhileLoopOperation { ConditionIsUntil: false } whileLoop:
                parts = LoopParts.Of(whileLoop.Condition, [], this);
                conditionFirst = whileLoop.ConditionIsTop;
                break;

            case IForEachLoopOperation forEach:
                if (ForEachParts(forEach) is not { } forEachParts)
                {
                    return;
                }

                parts = forEachParts;
                break;

            default:
                ReportStatement(loop, "This loop", "use a 'for' or 'while' loop");
                return;
        }

        var source = LoopSource(loop);
        var carriedKeys = AssignedOutside(loop);
        carriedKeys.AddRange(parts.Carried);
        var returns = _returning is not null && ContainsReturn(loop.Body);
        if (returns)
        {
            carriedKeys.AddRange([_returning!.Flag, _returning.Value]);
        }

        var breaks = returns || Jumps(loop.Body, loop).Any(b => b.BranchKind == BranchKind.Break);
        var broke = breaks ? new SyntheticLocal("broke", IrType.Bool) : null;
        var first = conditionFirst ? null : new SyntheticLocal("first", IrType.Bool);
        var kind = loop switch
        {
            IForLoopOperation => IrLoopKind.For,
            IForEachLoopOperation => IrLoopKind.ForEach,
            _ => conditionFirst ? IrLoopKind.While : IrLoopKind.DoWhile,
        };
        var shape = new IrLoopShape(kind, parts.BottomSource, broke is not null);

        // Lowering decides activity as it goes, so a variable that becomes active inside the body (s += x * w) must
        // have had an active phi: lower again with it forced active until nothing changes.
        var forced = new HashSet<object>();
        while (true)
        {
            var snapshot = Snapshot();
            var retry = TryLowerLoop(loop, parts, carriedKeys, broke, first, forced, source, shape);
            if (!retry)
            {
                return;
            }

            Restore(snapshot);
        }
    }

    /// <summary>Lowers the loop once; returns true when a carried variable turned out active and it must be redone.</summary>
    private bool TryLowerLoop(
        ILoopOperation loop,
        LoopParts parts,
        List<object> carriedKeys,
        SyntheticLocal? broke,
        SyntheticLocal? first,
        HashSet<object> forced,
        string source,
        IrLoopShape shape)
    {
        var outerBlock = _block;
        var outerAvailable = _available;
        var entryEnv = _env;
        var outerLoop = _loop;

        // Entry: one phi per carried variable, read inside the loop.
        var start = outerLoop is null ? -1 : NewValue(ValueKind.LoopStart, null, IrType.Int, active: false);
        var cursor = NewValue(ValueKind.Cursor, null, IrType.Int, active: false);
        var keys = new List<object>(carriedKeys);
        var initials = keys.Select(k => entryEnv.TryGet(k, out var v) ? v! : null!).ToList();
        if (broke is not null)
        {
            keys.Add(broke);
            initials.Add(Literals.Bool(false));
        }

        if (first is not null)
        {
            keys.Add(first);
            initials.Add(Literals.Bool(true));
        }

        _env = entryEnv.Clone();
        var phis = new List<int>();
        for (var i = 0; i < keys.Count; i++)
        {
            var type = VariableType(keys[i]);
            var phi = NewValue(ValueKind.Local, VariableName(keys[i]), type, IsActive(initials[i]) || forced.Contains(keys[i]));
            phis.Add(phi);
            _env.Set(keys[i], new IrRef(phi));
        }

        var bodyMark = _values.Count;

        // Header: the condition, evaluated before every iteration. It may not assign variables.
        _block = new List<IrStatement>();
        _available = new Dictionary<IrExpr, int>(outerAvailable);
        _source = source;
        IrExpr test = parts.Condition is null ? Literals.Bool(true) : parts.Condition();
        if (first is not null)
        {
            test = new IrBinary(IrBinaryOp.ConditionalOr, new IrRef(phis[keys.IndexOf(first)]), test);
        }

        if (broke is not null)
        {
            test = new IrBinary(IrBinaryOp.ConditionalAnd, new IrUnary(IrUnaryOp.Not, new IrRef(phis[keys.IndexOf(broke)])), test);
        }

        var conditionValue = Materialize(test, IrType.Bool, ValueKind.Condition);
        var header = _block;
        if (parts.ConditionSyntax is { } conditionSyntax && keys.Any(k => !Equals(Current(k), new IrRef(phis[keys.IndexOf(k)]))))
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, conditionSyntax.GetLocation(), "An assignment in a loop condition", "assign the variable inside the loop body");
        }

        // Body (after a foreach's element read), then the for-loop's incrementors (skipped after a break when they
        // may change what follows the loop).
        _block = new List<IrStatement>();
        _available = new Dictionary<IrExpr, int>(outerAvailable); // header values are not computed on the exit path
        _loop = new LoopScope(loop, broke);
        if (first is not null)
        {
            _env.Set(first, Literals.Bool(false));
        }

        parts.Prologue?.Invoke();
        var exit = LowerSequence(Flatten(loop.Body));
        if (exit != Exit.Throw && parts.Bottom is { } bottom)
        {
            _source = parts.BottomSource;
            if (broke is null || !parts.BottomNeedsGuard)
            {
                bottom();
            }
            else
            {
                LowerBranches(
                    () => new IrUnary(IrUnaryOp.Not, Current(broke)!),
                    bottom,
                    () => Exit.FallThrough,
                    "if (!broke)");
            }
        }

        _loop = outerLoop;
        var carried = new List<IrCarried>();
        var retry = false;
        for (var i = 0; i < keys.Count; i++)
        {
            var phi = phis[i];
            var next = exit == Exit.Throw ? new IrRef(phi) : Current(keys[i]) ?? new IrRef(phi);
            if (IsActive(next) && !_values[phi].Active)
            {
                forced.Add(keys[i]);
                retry = true;
            }

            // The reverse sweep hands each iteration's carried gradient to a value the body defines: copy the others.
            if (_values[phi].Active && next is IrRef { Value: var id } && id < bodyMark)
            {
                var copy = NewValue(ValueKind.Local, VariableName(keys[i]), _values[phi].Type, IsActive(next));
                Emit(new IrAssign(copy, next, source));
                next = new IrRef(copy);
            }

            carried.Add(new IrCarried(phi, initials[i], next, -1));
        }

        var body = _block;
        _block = outerBlock;
        _available = outerAvailable;
        _env = entryEnv;
        if (retry)
        {
            return true;
        }

        // Exit values: what the variables hold after the loop.
        for (var i = 0; i < carriedKeys.Count; i++)
        {
            var exitValue = NewValue(ValueKind.Local, VariableName(keys[i]), _values[phis[i]].Type, _values[phis[i]].Active);
            carried[i] = carried[i] with { Exit = exitValue };
            _env.Set(keys[i], new IrRef(exitValue));
        }

        _source = source;
        Emit(new IrLoop(
            cursor,
            start,
            carried.ToEquatableArray(),
            new IrBlock(header.ToEquatableArray()),
            conditionValue,
            new IrBlock(body.ToEquatableArray()),
            source,
            shape));
        return false;
    }

    private IrExpr? Current(object key) => _env.TryGet(key, out var value) ? value : null;

    /// <summary>
    /// A loop whose body returns: a return inside sets the synthetic <c>returned</c> flag and <c>returnValue</c>
    /// and breaks out; after the loop, <c>if (returned)</c> returns that value (or, inside an outer loop, breaks out of
    /// it too), and the rest of the statements run otherwise. The IR keeps only loops, branches and phis.
    /// </summary>
    private Exit LowerLoopThatReturns(ILoopOperation loop, IReadOnlyList<IOperation> rest)
    {
        var type = _types.Map(ReturnType);
        if (!type.IsScalar)
        {
            ReportStatement(ReturnsIn(loop.Body).First(), "A 'return' inside a loop of a tensor-valued method", "assign the result to a local variable, 'break', and return after the loop");
            return Exit.Throw;
        }

        _returning ??= new ReturnInLoop(new SyntheticLocal("returned", IrType.Bool), new SyntheticLocal("returnValue", type));
        if (Current(_returning.Flag) is null)
        {
            _env.Set(_returning.Flag, Literals.Bool(false));
            _env.Set(_returning.Value, new IrConstant(type, NumberText.Number(0, type.Kind), 0));
        }

        LowerLoop(loop);
        var returning = _returning;
        if (_loop is { Broke: { } outerBroke })
        {
            return LowerBranches(
                () => Current(returning.Flag)!,
                () =>
                {
                    _env.Set(outerBroke, Literals.Bool(true));
                    return Exit.LoopJump;
                },
                () => LowerSequence(rest),
                "if (returned) break");
        }

        return LowerBranches(
            () => Current(returning.Flag)!,
            () => new ReturnExit(Current(returning.Value)!),
            () => LowerSequence(rest),
            "if (returned) return returnValue");
    }

    /// <summary>A return inside a loop: records the value, sets the flag and leaves the loop as a break does.</summary>
    private Exit LowerReturnInLoop(IReturnOperation statement)
    {
        if (_returning is null || statement.ReturnedValue is null || _loop!.Broke is null || Current(_returning.Flag) is null)
        {
            ReportStatement(statement, "This 'return' inside a loop", "assign the result to a local variable, 'break', and return after the loop");
            return Exit.Throw;
        }

        var value = LowerValue(statement.ReturnedValue);
        _env.Set(_returning.Value, Atomize(value, _returning.Value.Type));
        _env.Set(_returning.Flag, Literals.Bool(true));
        _env.Set(_loop.Broke, Literals.Bool(true));
        return Exit.LoopJump;
    }

    private static IEnumerable<IReturnOperation> ReturnsIn(IOperation operation) =>
        OwnDescendants(operation).Prepend(operation).OfType<IReturnOperation>().Where(r => r.Kind == OperationKind.Return);

    /// <summary>
    /// A <c>foreach</c> over an array or span, as the <c>for</c> loop it stands for: the collection is read once,
    /// a synthetic <c>index</c> counts from 0 to its <c>Length</c>, and the body starts by reading the element into
    /// the loop variable. Returns null (after reporting) for other collections.
    /// </summary>
    private LoopParts? ForEachParts(IForEachLoopOperation forEach)
    {
        var collection = forEach.Collection is IConversionOperation { IsImplicit: true } conversion ? conversion.Operand : forEach.Collection;
        var indexable = collection.Type is IArrayTypeSymbol { Rank: 1 }
            || collection.Type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
        if (!indexable)
        {
            ReportStatement(forEach, "A 'foreach' over " + (collection.Type?.ToDisplayString() ?? "this collection"), "loop over an array or span, or use a 'for' loop over the indices");
            return null;
        }

        if (forEach.LoopControlVariable is not IVariableDeclaratorOperation { Symbol: var element })
        {
            ReportStatement(forEach, "A 'foreach' that deconstructs its element", "declare one loop variable and read its parts in the body");
            return null;
        }

        var items = LowerValue(collection);
        if (IsActive(items))
        {
            ReportStatement(forEach, "A 'foreach' over a differentiated value", "use a 'for' loop over the indices");
            return null;
        }

        if (items is not (IrRef or IrError))
        {
            var id = NewValue(ValueKind.Local, "items", _types.Map(collection.Type), active: false);
            Emit(new IrAssign(id, items, _source));
            items = new IrRef(id);
        }

        var index = new SyntheticLocal("index", IrType.Int);
        _env.Set(index, new IrConstant(IrType.Int, "0", 0));
        var elementType = _types.Map(element.Type);
        return new LoopParts(
            () => new IrBinary(IrBinaryOp.LessThan, Current(index)!, new IrMember(items, "Length")),
            ConditionSyntax: null,
            Prologue: () =>
            {
                IrExpr read = new IrIndex(items, new[] { Current(index)! }.ToEquatableArray());
                if (!SymbolEqualityComparer.Default.Equals(element.Type, ElementType(collection.Type)))
                {
                    read = new IrConvert(elementType, read); // foreach (double x in floats)
                }

                var id = NewValue(ValueKind.Local, element.Name, elementType, active: false);
                Emit(new IrAssign(id, read, _source));
                _env.Set(element, new IrRef(id));
            },
            Bottom: () =>
            {
                var id = NewValue(ValueKind.Local, index.Name, IrType.Int, active: false);
                Emit(new IrAssign(id, new IrBinary(IrBinaryOp.Add, Current(index)!, new IrConstant(IrType.Int, "1", 1)), _source));
                _env.Set(index, new IrRef(id));
                return Exit.FallThrough;
            },
            BottomSource: "index++",
            Carried: [index]) { BottomNeedsGuard = false }; // index is not visible after the loop
    }

    /// <summary>
    /// Whether the incrementors only step the loop's own counters (<c>i++</c>, <c>i += step</c>): then running them
    /// once more after a break changes nothing anyone can see, and they need no <c>if (!broke)</c> guard, whose
    /// condition would otherwise make the counters depend on the break's comparison (a false SD1002).
    /// </summary>
    private static bool StepsOwnCounter(IForLoopOperation loop)
    {
        return loop.AtLoopBottom.All(statement => statement is IExpressionStatementOperation { Operation: var step } && step switch
        {
            IIncrementOrDecrementOperation increment => OwnLocal(increment.Target),
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } compound =>
                OwnLocal(compound.Target) && compound.Value is ILiteralOperation or ILocalReferenceOperation or IParameterReferenceOperation,
            _ => false,
        });

        bool OwnLocal(IOperation target) =>
            target is ILocalReferenceOperation { Local: var local } && loop.Locals.Contains(local, SymbolEqualityComparer.Default);
    }

    private static ITypeSymbol? ElementType(ITypeSymbol? collection) => collection switch
    {
        IArrayTypeSymbol array => array.ElementType,
        INamedTypeSymbol { TypeArguments.Length: 1 } span => span.TypeArguments[0],
        _ => null,
    };

    /// <summary>The loop's comment text: its header (<c>for (int t = 0; t &lt; n; t++)</c>), not its body.</summary>
    internal static string LoopSource(ILoopOperation loop) => loop.Syntax switch
    {
        Microsoft.CodeAnalysis.CSharp.Syntax.ForStatementSyntax f =>
            SourceText.Of(f).Substring(0, f.CloseParenToken.Span.End - f.SpanStart),
        Microsoft.CodeAnalysis.CSharp.Syntax.WhileStatementSyntax w =>
            SourceText.Of(w).Substring(0, w.CloseParenToken.Span.End - w.SpanStart),
        Microsoft.CodeAnalysis.CSharp.Syntax.ForEachStatementSyntax e =>
            SourceText.Of(e).Substring(0, e.CloseParenToken.Span.End - e.SpanStart),
        Microsoft.CodeAnalysis.CSharp.Syntax.DoStatementSyntax d =>
            "do ... while (" + SourceText.Of(d.Condition) + ")",
        _ => SourceText.Of(loop.Syntax),
    };

    /// <summary>
    /// Locals and parameters assigned inside the loop that were assigned before it: the carried variables. Local
    /// functions the loop calls count too, since they are inlined and may assign variables they capture.
    /// </summary>
    private List<object> AssignedOutside(ILoopOperation loop)
    {
        var assigned = new List<object>();
        foreach (var operation in WithCalledLocalFunctions(loop))
        {
            var target = operation switch
            {
                ISimpleAssignmentOperation a => a.Target,
                ICompoundAssignmentOperation c => c.Target,
                IIncrementOrDecrementOperation i => i.Target,
                _ => null,
            };

            ISymbol? symbol = target switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };

            if (symbol is not null && _env.TryGet(symbol, out var value) && value is not null
                && !assigned.Any(s => s is ISymbol known && SymbolEqualityComparer.Default.Equals(known, symbol)))
            {
                assigned.Add(symbol);
            }
        }

        // Declaration order, so that phis come out in a stable, readable order.
        return _env.Symbols.Where(s => assigned.Any(a => ReferenceEquals(a, s) || (a is ISymbol x && s is ISymbol y && SymbolEqualityComparer.Default.Equals(x, y)))).ToList();
    }

    /// <summary>The <c>break</c>/<c>continue</c> statements inside <paramref name="operation"/> that leave or restart <paramref name="loop"/>.</summary>
    private static IEnumerable<IBranchOperation> Jumps(IOperation? operation, ILoopOperation loop)
    {
        if (operation is null)
        {
            return [];
        }

        return (operation is IBranchOperation b ? new[] { b } : operation.Descendants().OfType<IBranchOperation>())
            .Where(b => SymbolEqualityComparer.Default.Equals(b.Target, loop.ExitLabel) || SymbolEqualityComparer.Default.Equals(b.Target, loop.ContinueLabel));
    }

    /// <summary>Whether a statement is a break or continue of the loop being lowered.</summary>
    private bool IsLoopJump(IOperation operation) =>
        _loop is not null && operation is IBranchOperation branch && Jumps(branch, _loop.Operation).Any();

    /// <summary>Lowers a break (sets the flag) or continue; both end the path through the body.</summary>
    private Exit LowerLoopJump(IBranchOperation branch)
    {
        if (branch.BranchKind == BranchKind.Break && _loop!.Broke is { } flag)
        {
            _env.Set(flag, Literals.Bool(true));
        }

        return Exit.LoopJump;
    }

    private static string VariableName(object variable) => variable switch
    {
        ISymbol symbol => symbol.Name,
        SyntheticLocal synthetic => synthetic.Name,
        _ => "v",
    };

    private IrType VariableType(object variable) => variable switch
    {
        SyntheticLocal synthetic => synthetic.Type,
        ISymbol symbol => _types.Map(SymbolType(symbol)),
        _ => IrType.Bool,
    };

    private LoweringSnapshot Snapshot() => new(_values.Count, _diagnostics.Count, _lossSites.Count, _block, _block.Count, _env.Clone(), new Dictionary<IrExpr, int>(_available), _budget, _source);

    private void Restore(LoweringSnapshot snapshot)
    {
        _values.RemoveRange(snapshot.Values, _values.Count - snapshot.Values);
        _diagnostics.RemoveRange(snapshot.Diagnostics, _diagnostics.Count - snapshot.Diagnostics);
        _lossSites.RemoveRange(snapshot.LossSites, _lossSites.Count - snapshot.LossSites);
        _block = snapshot.Block;
        _block.RemoveRange(snapshot.BlockCount, _block.Count - snapshot.BlockCount);
        _env = snapshot.Env;
        _available = snapshot.Available;
        _budget = snapshot.Budget;
        _source = snapshot.Source;
    }

    /// <summary>
    /// How a loop is lowered around its body: the condition tested before each iteration (null: always true), the
    /// statements that start the body (a foreach's element read) and end it (a for's incrementors, skipped after a
    /// break unless only the loop's own counters step), and synthetic variables the loop carries besides the source's.
    /// </summary>
    private sealed record LoopParts(
        Func<IrExpr>? Condition,
        SyntaxNode? ConditionSyntax,
        Action? Prologue,
        Func<Exit>? Bottom,
        string BottomSource,
        IReadOnlyList<object> Carried)
    {
        /// <summary>Whether the bottom must be skipped after a break (it may change what follows the loop).</summary>
        public bool BottomNeedsGuard { get; init; } = true;

        public static LoopParts Of(IOperation? condition, IReadOnlyList<IOperation> bottom, BodyLowerer lowerer) => new(
            condition is null ? null : () => lowerer.LowerValue(condition),
            condition?.Syntax,
            Prologue: null,
            bottom.Count == 0 ? null : () => lowerer.LowerSequence(bottom),
            string.Join(", ", bottom.Select(b => SourceText.Of(b.Syntax))),
            Carried: []);
    }

    /// <summary>The variables a return inside a loop writes: whether it returned, and what.</summary>
    private sealed record ReturnInLoop(SyntheticLocal Flag, SyntheticLocal Value);

    /// <summary>The loop being lowered and its break flag (null when it has no break).</summary>
    private sealed class LoopScope
    {
        public LoopScope(ILoopOperation operation, SyntheticLocal? broke)
        {
            Operation = operation;
            Broke = broke;
        }

        public ILoopOperation Operation { get; }

        public SyntheticLocal? Broke { get; }
    }

    private sealed class LoweringSnapshot
    {
        public LoweringSnapshot(int values, int diagnostics, int lossSites, List<IrStatement> block, int blockCount, Environment env, Dictionary<IrExpr, int> available, int budget, string source)
        {
            Values = values;
            Diagnostics = diagnostics;
            LossSites = lossSites;
            Block = block;
            BlockCount = blockCount;
            Env = env;
            Available = available;
            Budget = budget;
            Source = source;
        }

        public int Values { get; }

        public int Diagnostics { get; }

        public int LossSites { get; }

        public List<IrStatement> Block { get; }

        public int BlockCount { get; }

        public Environment Env { get; }

        public Dictionary<IrExpr, int> Available { get; }

        public int Budget { get; }

        public string Source { get; }
    }
}
