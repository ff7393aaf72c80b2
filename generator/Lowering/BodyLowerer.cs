using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Lowers the <see cref="IOperation"/> tree of a <c>[Differentiable]</c> method body into the IR: SSA values,
/// three-address statements for active (differentiated) values, structured branches with phis. Early returns are
/// turned into nested branches by lowering the rest of the block inside the branch that falls through.
/// Unsupported constructs are reported as diagnostics at the smallest offending syntax; lowering then continues,
/// so that one build shows every problem of the method.
/// </summary>
internal sealed partial class BodyLowerer
{
    /// <summary>Upper bound on lowered statements, so that pathological control flow cannot hang the compiler.</summary>
    private const int StatementBudget = 20_000;

    /// <summary>
    /// Upper bound on branches and loops nested in one another (early returns nest what follows them). The generated
    /// code nests as deeply, and its size grows with the square of the depth.
    /// </summary>
    private const int MaxNesting = 100;

    private readonly IMethodSymbol _method;
    private readonly Compilation? _compilation;
    private readonly INamedTypeSymbol? _differentiableAttribute;
    private readonly INamedTypeSymbol? _noDiffAttribute;
    private readonly INamedTypeSymbol? _derivativeOfAttribute;
    private readonly string _mathPrefix;
    private readonly TypeMapper _types;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly List<LossSite> _lossSites = new();
    private readonly List<ValueInfo> _values = new();
    private List<IrStatement> _block = new();
    private Environment _env = new();
    private Dictionary<IrExpr, int> _available = new();
    private string _source = string.Empty;
    private int _budget = StatementBudget;
    private int _nesting;

    public BodyLowerer(
        IMethodSymbol method,
        INamedTypeSymbol? differentiableAttribute,
        INamedTypeSymbol? noDiffAttribute,
        INamedTypeSymbol? derivativeOfAttribute,
        string mathPrefix,
        TypeMapper types,
        Compilation? compilation = null)
    {
        _compilation = compilation;
        _derivativeOfAttribute = derivativeOfAttribute;
        _method = method;
        _types = types;
        _differentiableAttribute = differentiableAttribute;
        _noDiffAttribute = noDiffAttribute;
        _mathPrefix = mathPrefix;
    }

    public IReadOnlyList<DiagnosticInfo> Diagnostics => _diagnostics;

    /// <summary>Where a differentiated value became an integer, a bool or a step function (for <see cref="ZeroGradientAnalysis"/>).</summary>
    public IReadOnlyList<LossSite> LossSites => _lossSites;

    /// <summary>Whether an error was reported (then no code is generated for the method).</summary>
    public bool HasErrors => _diagnostics.Any(d => DiagnosticDescriptors.Get(d.Id).DefaultSeverity == DiagnosticSeverity.Error);

    /// <summary>Lowers the body; returns the values, the statements and the returned value.</summary>
    public LoweredBody? Lower(IOperation body)
    {
        var parameterValues = new List<int>();
        foreach (var parameter in _method.Parameters)
        {
            var type = _types.Map(parameter.Type);
            var id = NewValue(ValueKind.Parameter, parameter.Name, type, IsDifferentiableParameter(parameter));
            _env.Set(parameter, new IrRef(id));
            parameterValues.Add(id);
        }

        _localFunctions = body.Descendants().OfType<ILocalFunctionOperation>()
            .ToDictionary(f => f.Symbol, f => f, (IEqualityComparer<IMethodSymbol>)SymbolEqualityComparer.Default);
        var exit = LowerSequence(Flatten(body));
        var result = exit switch
        {
            ReturnExit r => r.Value,
            _ when exit == Exit.Throw => null,
            _ => null,
        };

        if (exit == Exit.FallThrough)
        {
            // The C# compiler reports "not all code paths return a value"; nothing to add.
            return null;
        }

        return new LoweredBody(_values, parameterValues, _block, result);
    }

    /// <summary>Whether <paramref name="parameter"/> gets a derivative: by-value double/float without [NoDiff].</summary>
    public bool IsDifferentiableParameter(IParameterSymbol parameter) =>
        IsDifferentiableParameter(parameter, _noDiffAttribute);

    /// <summary>Whether <paramref name="parameter"/> gets a derivative: by-value double/float/tensor without [NoDiff].</summary>
    public static bool IsDifferentiableParameter(IParameterSymbol parameter, INamedTypeSymbol? noDiffAttribute) =>
        parameter.RefKind == RefKind.None
        && TypeMapper.Qualified.Map(parameter.Type).IsDifferentiable
        && !HasAttribute(parameter, noDiffAttribute);

    private static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute) =>
        attribute is not null
        && symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute));

    // ----- statements ---------------------------------------------------------------------------------------------

    private static List<IOperation> Flatten(IOperation? operation)
    {
        var list = new List<IOperation>();
        Add(operation);
        return list;

        void Add(IOperation? op)
        {
            if (op is IBlockOperation block)
            {
                foreach (var child in block.Operations)
                {
                    Add(child);
                }
            }
            else if (op is not null)
            {
                list.Add(op);
            }
        }
    }

    /// <summary>Lowers statements in order until one returns or throws.</summary>
    private Exit LowerSequence(IReadOnlyList<IOperation> statements)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            var statement = statements[i];
            if (--_budget < 0)
            {
                if (_budget == -1)
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, statement.Syntax.GetLocation(), "Control flow this complex", "split the method into smaller [Differentiable] methods");
                }

                return Exit.Throw;
            }

            _source = statement is IReturnOperation && statement.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.ReturnStatementSyntax
                ? "=> " + SourceText.Of(statement.Syntax) // expression-bodied method
                : SourceText.Of(statement.Syntax);
            switch (statement)
            {
                case IReturnOperation { Kind: OperationKind.Return, ReturnedValue: null } when _inlining.Count > 0 && _loop is null:
                    return Exit.FallThrough; // the end of a void local function: what follows in it does not run

                case IReturnOperation { Kind: OperationKind.Return } returnInLoop when _loop is not null:
                    return LowerReturnInLoop(returnInLoop);

                case ILoopOperation loop when ContainsReturn(loop.Body):
                    return LowerLoopThatReturns(loop, statements.Skip(i + 1).ToList());

                case IBranchOperation branch when IsLoopJump(branch):
                    return LowerLoopJump(branch);

                case IReturnOperation { Kind: OperationKind.Return, ReturnedValue: { } returned }:
                    return new ReturnExit(Atomize(LowerValue(returned), _types.Map(returned.Type)));

                case ISwitchOperation switchStatement:
                    var switchExit = LowerSwitchStatement(switchStatement, statements, i + 1);
                    if (switchExit is not null)
                    {
                        return switchExit;
                    }

                    break;

                case IConditionalOperation conditional:
                    var exit = LowerIfStatement(conditional, statements, i + 1);
                    if (exit is not null)
                    {
                        return exit;
                    }

                    break;

                case IExpressionStatementOperation { Operation: IThrowOperation thrown }:
                    LowerThrow(thrown);
                    return Exit.Throw;

                case IThrowOperation thrown:
                    LowerThrow(thrown);
                    return Exit.Throw;

                default:
                    LowerStatement(statement);
                    break;
            }
        }

        return Exit.FallThrough;
    }

    private void LowerStatement(IOperation statement)
    {
        switch (statement)
        {
            case IVariableDeclarationGroupOperation group:
                foreach (var declaration in group.Declarations)
                {
                    foreach (var declarator in declaration.Declarators)
                    {
                        LowerDeclarator(declarator);
                    }
                }

                break;

            case IExpressionStatementOperation expressionStatement:
                LowerExpressionStatement(expressionStatement.Operation);
                break;

            case IEmptyOperation:
                break;

            case ILoopOperation loop:
                LowerLoop(loop);
                break;

            case ITryOperation:
                ReportStatement(statement, "A 'try' statement", "handle errors outside the [Differentiable] method");
                break;

            case IBranchOperation branch:
                ReportStatement(statement, "'" + branch.Syntax.GetFirstToken().Text + "'", "use if/else and return instead");
                break;

            case ILabeledOperation { Operation: { } labeled }:
                LowerStatement(labeled); // the 'goto' that targets it is what gets reported
                break;

            case ILabeledOperation:
                break;


            case ILockOperation:
                ReportStatement(statement, "A 'lock' statement", "a [Differentiable] method must not have side effects");
                break;

            case IUsingOperation or IUsingDeclarationOperation:
                ReportStatement(statement, "A 'using' statement", "a [Differentiable] method must not own resources");
                break;

            case ILocalFunctionOperation:
                break; // inlined where it is called

            case IReturnOperation:
                ReportStatement(statement, "'yield'", "a [Differentiable] method returns one double or float value");
                break;

            default:
                ReportStatement(statement, "This statement", "use declarations, assignments, if/else and return");
                break;
        }
    }

    private void LowerDeclarator(IVariableDeclaratorOperation declarator)
    {
        var local = declarator.Symbol;
        if (local.IsConst)
        {
            return; // every use is already a constant
        }

        if (local.IsRef)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, declarator.Syntax.GetLocation(), "A ref local", "use a plain local variable");
            return;
        }

        var initializer = declarator.GetVariableInitializer()?.Value;
        if (initializer is null)
        {
            _env.Set(local, null);
            return;
        }

        var mark = _values.Count;
        WriteLocal(local, LowerValue(initializer), mark);
    }

    private void LowerExpressionStatement(IOperation operation)
    {
        switch (operation)
        {
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                LowerAssignment(operation);
                break;

            default:
                // A call (or 'new') evaluated for its side effects. Active calls are pure and dropped if unused.
                var value = LowerValue(operation);
                if (value is IrCall or IrNew)
                {
                    Emit(new IrEffect(value, _source));
                }

                break;
        }
    }

    private void LowerThrow(IThrowOperation thrown)
    {
        if (thrown.Exception is null)
        {
            ReportStatement(thrown, "'throw;'", "throw a new exception instead");
            return;
        }

        Emit(new IrThrow(LowerValue(thrown.Exception), _source));
    }

    // ----- branches -----------------------------------------------------------------------------------------------

    /// <summary>
    /// Lowers an <c>if</c> statement. Returns null when lowering continues after it, or the exit of the whole rest of
    /// the sequence when the branches contain <c>return</c> (the rest is then lowered inside each branch).
    /// </summary>
    private Exit? LowerIfStatement(IConditionalOperation conditional, IReadOnlyList<IOperation> statements, int next)
    {
        if (TooDeep(conditional))
        {
            return Exit.Throw;
        }

        var source = IfSource(conditional);
        var thenJumps = ContainsJump(conditional.WhenTrue);
        var elseJumps = ContainsJump(conditional.WhenFalse);
        if ((!thenJumps || (AlwaysThrows(conditional.WhenTrue) && !ContainsReturn(conditional.WhenTrue)))
            && (!elseJumps || (AlwaysThrows(conditional.WhenFalse) && !ContainsReturn(conditional.WhenFalse))))
        {
            // Plain if/else, or a guard that throws: lowering continues after the statement.
            var exit = LowerBranches(
                () => LowerValue(conditional.Condition),
                () => LowerSequence(Flatten(conditional.WhenTrue)),
                () => LowerSequence(Flatten(conditional.WhenFalse)),
                source);
            return exit == Exit.Throw ? exit : null;
        }

        var rest = statements.Skip(next).ToList();
        return LowerBranches(
            () => LowerValue(conditional.Condition),
            () => LowerSequence(Flatten(conditional.WhenTrue).Concat(rest).ToList()),
            () => LowerSequence(Flatten(conditional.WhenFalse).Concat(rest).ToList()),
            source);
    }

    /// <summary>
    /// Lowers a two-way branch. Values assigned differently in the two branches meet in phis; a returned value that
    /// differs between them becomes a phi too.
    /// </summary>
    private Exit LowerBranches(Func<IrExpr> lowerCondition, Func<Exit> lowerThen, Func<Exit> lowerElse, string source)
    {
        var conditionExpr = lowerCondition();
        var pair = LowerBoth(lowerThen, lowerElse);
        _source = source;
        var conditionValue = Materialize(conditionExpr, IrType.Bool, ValueKind.Condition);
        var phis = new List<IrPhi>();

        // A break or continue reaches the end of the loop body, as falling through does.
        static bool Reaches(Exit e) => e == Exit.FallThrough || e == Exit.LoopJump;
        Exit exit;
        if (Reaches(pair.ThenExit) && Reaches(pair.ElseExit))
        {
            Join(pair.ThenEnv, pair.ElseEnv, phis);
            exit = pair.ThenExit == Exit.LoopJump && pair.ElseExit == Exit.LoopJump ? Exit.LoopJump : Exit.FallThrough;
        }
        else if (Reaches(pair.ThenExit) && pair.ElseExit == Exit.Throw)
        {
            _env = pair.ThenEnv;
            exit = pair.ThenExit;
        }
        else if (pair.ThenExit == Exit.Throw && Reaches(pair.ElseExit))
        {
            _env = pair.ElseEnv;
            exit = pair.ElseExit;
        }
        else if (pair.ThenExit == Exit.Throw && pair.ElseExit == Exit.Throw)
        {
            exit = Exit.Throw;
        }
        else
        {
            var whenTrue = (pair.ThenExit as ReturnExit)?.Value;
            var whenFalse = (pair.ElseExit as ReturnExit)?.Value;
            if (whenTrue is null || whenFalse is null || Equals(whenTrue, whenFalse))
            {
                exit = new ReturnExit((whenTrue ?? whenFalse)!);
            }
            else
            {
                var type = _types.Map(ReturnType);
                var phi = NewValue(ValueKind.Result, null, type, IsActive(whenTrue) || IsActive(whenFalse));
                phis.Add(new IrPhi(phi, whenTrue, whenFalse));
                exit = new ReturnExit(new IrRef(phi));
            }
        }

        Emit(new IrIf(conditionValue, new IrBlock(pair.Then.ToEquatableArray()), new IrBlock(pair.Else.ToEquatableArray()), phis.ToEquatableArray(), source));
        return exit;
    }

    /// <summary>Lowers two branches from the same starting state into detached blocks, then restores the state.</summary>
    private BranchPair LowerBoth(Func<Exit> lowerThen, Func<Exit> lowerElse)
    {
        _nesting++;
        try
        {
            return LowerBothNested(lowerThen, lowerElse);
        }
        finally
        {
            _nesting--;
        }
    }

    private BranchPair LowerBothNested(Func<Exit> lowerThen, Func<Exit> lowerElse)
    {
        var outerBlock = _block;
        var outerEnv = _env;
        var outerAvailable = _available;
        var outerSource = _source;

        _block = new List<IrStatement>();
        _env = outerEnv.Clone();
        _available = new Dictionary<IrExpr, int>(outerAvailable);
        var thenExit = lowerThen();
        var thenBlock = _block;
        var thenEnv = _env;

        _block = new List<IrStatement>();
        _env = outerEnv.Clone();
        _available = new Dictionary<IrExpr, int>(outerAvailable);
        _source = outerSource;
        var elseExit = lowerElse();
        var elseBlock = _block;
        var elseEnv = _env;

        _block = outerBlock;
        _env = outerEnv;
        _available = outerAvailable;
        _source = outerSource;
        return new BranchPair(thenBlock, thenEnv, thenExit, elseBlock, elseEnv, elseExit);
    }

    /// <summary>Merges the environments of two branches into the current one, adding a phi per differing symbol.</summary>
    private void Join(Environment thenEnv, Environment elseEnv, List<IrPhi> phis)
    {
        foreach (var symbol in _env.Symbols.ToList())
        {
            thenEnv.TryGet(symbol, out var whenTrue);
            elseEnv.TryGet(symbol, out var whenFalse);
            if (Equals(whenTrue, whenFalse))
            {
                _env.Set(symbol, whenTrue);
            }
            else if (whenTrue is null || whenFalse is null)
            {
                _env.Set(symbol, null); // not definitely assigned after the branch
            }
            else
            {
                var phi = NewValue(ValueKind.Local, VariableName(symbol), VariableType(symbol), IsActive(whenTrue) || IsActive(whenFalse));
                phis.Add(new IrPhi(phi, whenTrue, whenFalse));
                _env.Set(symbol, new IrRef(phi));
            }
        }
    }

    private static ITypeSymbol? SymbolType(ISymbol? symbol) => symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };

    private static string IfSource(IConditionalOperation conditional) =>
        conditional.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.IfStatementSyntax ifStatement
            ? "if (" + SourceText.Of(ifStatement.Condition) + ")"
            : SourceText.Of(conditional.Syntax);

    private bool ContainsJump(IOperation? operation) =>
        operation is not null
        && (operation is IReturnOperation or IThrowOperation
            || OwnDescendants(operation).Any(d => d is IReturnOperation or IThrowOperation)
            || (_loop is not null && Jumps(operation, _loop.Operation).Any()));

    private static bool ContainsReturn(IOperation? operation) =>
        operation is not null
        && (operation is IReturnOperation || OwnDescendants(operation).Any(d => d is IReturnOperation));

    /// <summary>Whether every path through <paramref name="operation"/> ends in a throw.</summary>
    private static bool AlwaysThrows(IOperation? operation) => operation switch
    {
        null => false,
        IThrowOperation => true,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IBlockOperation block => block.Operations.Length > 0 && AlwaysThrows(block.Operations[block.Operations.Length - 1]),
        IConditionalOperation { WhenFalse: not null } c => AlwaysThrows(c.WhenTrue) && AlwaysThrows(c.WhenFalse),
        _ => false,
    };

    // ----- values ------------------------------------------------------------------------------------------------

    private int NewValue(ValueKind kind, string? baseName, IrType type, bool active)
    {
        _values.Add(new ValueInfo(kind, baseName, type, active && type.IsDifferentiable));
        return _values.Count - 1;
    }

    private bool IsActive(IrExpr? expr) => expr is IrRef r && _values[r.Value].Active;

    private static bool IsError(IrExpr? expr) => expr is IrError;

    private void Emit(IrStatement statement) => _block.Add(statement);

    /// <summary>Defines a new active temporary for <paramref name="expr"/>, or reuses an identical one in scope.</summary>
    private IrExpr NewActive(IrExpr expr, IrType type)
    {
        if (_available.TryGetValue(expr, out var existing))
        {
            return new IrRef(existing);
        }

        var id = NewValue(ValueKind.Temporary, null, type, active: true);
        Emit(new IrAssign(id, expr, _source));
        _available[expr] = id;
        return new IrRef(id);
    }

    /// <summary>Turns a passive tree into an atom by assigning it to a temporary.</summary>
    private IrExpr Atomize(IrExpr expr, IrType type) =>
        IsSimple(expr) ? expr : new IrRef(Materialize(expr, type, ValueKind.Temporary));

    /// <summary>Atoms, and casts of atoms (<c>(double)n</c>): cheap enough to repeat in derivative formulas.</summary>
    private static bool IsSimple(IrExpr expr) => expr is IrRef or IrConstant or IrConvert { Operand: IrRef or IrConstant };

    private int Materialize(IrExpr expr, IrType type, ValueKind kind)
    {
        if (expr is IrRef r)
        {
            return r.Value;
        }

        var id = NewValue(kind, null, type, IsActive(expr));
        Emit(new IrAssign(id, expr, _source));
        return id;
    }

    /// <summary>Points <paramref name="symbol"/> at <paramref name="value"/>, naming a fresh temporary after it.</summary>
    private void WriteLocal(ISymbol symbol, IrExpr value, int mark)
    {
        if (value is IrError)
        {
            _env.Set(symbol, value); // uses of the local are not reported again
            return;
        }

        if (value is IrRef r)
        {
            var info = _values[r.Value];
            if (r.Value >= mark && info.Kind == ValueKind.Temporary)
            {
                info.Kind = ValueKind.Local;
                info.BaseName = symbol.Name;
            }

            _env.Set(symbol, value);
            return;
        }

        var id = NewValue(ValueKind.Local, symbol.Name, _types.Map(SymbolType(symbol)), active: false);
        Emit(new IrAssign(id, value, _source));
        _env.Set(symbol, new IrRef(id));
    }

    private IrExpr Read(ISymbol symbol, IOperation at)
    {
        if (_env.TryGet(symbol, out var value) && value is not null)
        {
            return value;
        }

        // Reading an unassigned local is a C# error already; keep going quietly.
        return Unsupported(at, null, null);
    }

    // ----- diagnostics -------------------------------------------------------------------------------------------

    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        var info = DiagnosticInfo.Create(descriptor, location, arguments);
        if (!_diagnostics.Contains(info))
        {
            _diagnostics.Add(info); // the same statement may be lowered twice (in both branches of an early return)
        }
    }

    /// <summary>Records that <paramref name="expr"/> drops the derivative of its active operand; reported only if it matters.</summary>
    private IrExpr Lossy(IrExpr expr, DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        _lossSites.Add(new LossSite(expr, DiagnosticInfo.Create(descriptor, location, arguments)));
        return expr;
    }

    /// <summary>Reports (at <paramref name="at"/>) and returns true when one more level would exceed <see cref="MaxNesting"/>.</summary>
    private bool TooDeep(IOperation at)
    {
        if (_nesting < MaxNesting)
        {
            return false;
        }

        ReportStatement(at, "Branches and loops nested more than " + MaxNesting + " deep (early returns count: what follows them is nested)", "split the method into smaller [Differentiable] methods");
        return true;
    }

    private void ReportStatement(IOperation statement, string what, string fix) =>
        Report(DiagnosticDescriptors.UnsupportedStatement, statement.Syntax.GetFirstToken().GetLocation(), what, fix);

    /// <summary>Reports an unsupported expression (when <paramref name="what"/> is set) and returns a placeholder.</summary>
    private IrExpr Unsupported(IOperation operation, string? what, string? fix)
    {
        if (what is not null)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, operation.Syntax.GetLocation(), what, fix ?? SupportedSubsetHint);
        }

        return new IrError(_types.Map(operation.Type));
    }

    private const string SupportedSubsetHint =
        "use arithmetic, Math/MathF functions, locals, if/else, ?: and calls to [Differentiable] methods";

    private static void EnsureStack() => RuntimeHelpers.EnsureSufficientExecutionStack();

    private readonly struct BranchPair
    {
        public BranchPair(List<IrStatement> then, Environment thenEnv, Exit thenExit, List<IrStatement> @else, Environment elseEnv, Exit elseExit)
        {
            Then = then;
            ThenEnv = thenEnv;
            ThenExit = thenExit;
            Else = @else;
            ElseEnv = elseEnv;
            ElseExit = elseExit;
        }

        public List<IrStatement> Then { get; }

        public Environment ThenEnv { get; }

        public Exit ThenExit { get; }

        public List<IrStatement> Else { get; }

        public Environment ElseEnv { get; }

        public Exit ElseExit { get; }
    }
}

/// <summary>The raw result of lowering, before dead-code elimination and naming.</summary>
internal sealed class LoweredBody
{
    public LoweredBody(List<ValueInfo> values, List<int> parameters, List<IrStatement> statements, IrExpr? result)
    {
        Values = values;
        Parameters = parameters;
        Statements = statements;
        Result = result;
    }

    public List<ValueInfo> Values { get; }

    public List<int> Parameters { get; }

    public List<IrStatement> Statements { get; }

    public IrExpr? Result { get; }
}
