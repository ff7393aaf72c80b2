using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Local functions are inlined where they are called: the body is lowered again with its parameters bound to the
/// arguments (evaluated first, as in a call), and captured variables are read and written in place, as the closure
/// would. The IR has no calls to them; the generated code shows their statements under their own comments.
/// </summary>
internal sealed partial class BodyLowerer
{
    private readonly List<IMethodSymbol> _inlining = new();
    private Dictionary<IMethodSymbol, ILocalFunctionOperation> _localFunctions = new((IEqualityComparer<IMethodSymbol>)SymbolEqualityComparer.Default);

    /// <summary>The return type of the body being lowered: the method's, or that of the local function being inlined.</summary>
    private ITypeSymbol ReturnType => _inlining.Count > 0 ? _inlining[_inlining.Count - 1].ReturnType : _method.ReturnType;

    private IrExpr InlineLocalFunction(IInvocationOperation invocation)
    {
        var function = invocation.TargetMethod;
        var type = _types.Map(function.ReturnType);
        if (function.IsGenericMethod)
        {
            return Unsupported(invocation, "A call to a generic local function", "make the local function non-generic");
        }

        if (!_localFunctions.TryGetValue(function, out var declaration) || declaration.Body is null)
        {
            return Unsupported(invocation, "This local function", "declare it as a static [Differentiable] method of the type and call it");
        }

        if (_inlining.Any(f => SymbolEqualityComparer.Default.Equals(f, function)))
        {
            Report(DiagnosticDescriptors.Recursion, invocation.Syntax.GetLocation(), function.Name, string.Empty);
            return new IrError(type);
        }

        var bindings = new List<(IParameterSymbol Parameter, IrExpr Value)>();
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { RefKind: RefKind.None } parameter || argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                return Unsupported(argument, "An argument passed by reference or as a params array to a local function", "pass values and return the result");
            }

            var value = LowerValue(argument.Value);
            if (IsError(value))
            {
                return new IrError(type);
            }

            bindings.Add((parameter, Atomize(value, _types.Map(parameter.Type))));
        }

        return InlineBody(invocation, function, bindings, declaration.Body, type)
            ?? Unsupported(invocation, "A call to a local function that always throws", "throw at the call site");
    }

    /// <summary>
    /// A call to a <c>[Differentiable]</c> method of the same type, declared in the same file, is inlined like a local
    /// function, so composing methods costs nothing: no pullback call that runs the callee's forward pass again, no
    /// allocation of its tensor result. Anywhere else (another file, whose edits do not lower this method again; a
    /// body that does not lower; an active argument handed to a [NoDiff] parameter, which the callee's pullback
    /// treats as a constant) the call stays a call to its pullback. Returns null when the call is not inlined.
    /// </summary>
    private IrExpr? TryInlineDifferentiable(IInvocationOperation invocation, IReadOnlyList<IrExpr> arguments)
    {
        var function = invocation.TargetMethod;
        var caller = _method.DeclaringSyntaxReferences.FirstOrDefault();
        if (_compilation is null || caller is null || function.IsGenericMethod || function.DeclaringSyntaxReferences.Length != 1
            || function.DeclaringSyntaxReferences[0].SyntaxTree != caller.SyntaxTree
            || !SymbolEqualityComparer.Default.Equals(function.ContainingType.OriginalDefinition, _method.ContainingType.OriginalDefinition)
            || function.Parameters.Length != arguments.Count
            || function.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams)
            || _inlining.Any(f => SymbolEqualityComparer.Default.Equals(f, function)))
        {
            return null;
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            if (IsActive(arguments[i]) && !IsDifferentiableParameter(function.Parameters[i]))
            {
                return null;
            }
        }

        var syntax = function.DeclaringSyntaxReferences[0].GetSyntax();
        if (_compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax) is not IMethodBodyOperation operation
            || (operation.BlockBody ?? (IOperation?)operation.ExpressionBody) is not { } body
            || body.Descendants().Any(o => o is IInvalidOperation || o.Type?.TypeKind == TypeKind.Error || o is IConversionOperation { Conversion.Exists: false }))
        {
            return null;
        }

        foreach (var local in body.Descendants().OfType<ILocalFunctionOperation>())
        {
            _localFunctions[local.Symbol] = local;
        }

        var type = _types.Map(function.ReturnType);
        var snapshot = Snapshot();
        var errors = _diagnostics.Count(IsError);
        var bindings = function.Parameters.Select((p, i) => (p, Atomize(arguments[i], _types.Map(p.Type)))).ToList();
        var value = InlineBody(invocation, function, bindings, body, type);
        if (value is null || _diagnostics.Count(IsError) > errors)
        {
            Restore(snapshot); // the callee's own build reports what it cannot differentiate
            return null;
        }

        return value;
    }

    private static bool IsError(DiagnosticInfo diagnostic) =>
        DiagnosticDescriptors.Get(diagnostic.Id).DefaultSeverity == DiagnosticSeverity.Error;

    /// <summary>
    /// Lowers <paramref name="body"/> in place of a call, as a method of its own (no enclosing loop to break out of,
    /// its own returns), with its parameters bound to the arguments; returns its value, or null if it always throws.
    /// </summary>
    private IrExpr? InlineBody(IInvocationOperation invocation, IMethodSymbol function, List<(IParameterSymbol Parameter, IrExpr Value)> bindings, IOperation body, IrType type)
    {
        var (outerLoop, outerReturning, outerSource) = (_loop, _returning, _source);
        (_loop, _returning) = (null, null);
        _inlining.Add(function);
        foreach (var (parameter, value) in bindings)
        {
            _env.Set(parameter, value);
        }

        var exit = TooDeep(invocation) ? Exit.Throw : LowerInlined(body);
        _inlining.RemoveAt(_inlining.Count - 1);
        (_loop, _returning, _source) = (outerLoop, outerReturning, outerSource);
        return exit switch
        {
            ReturnExit returned => returned.Value,
            _ when exit == Exit.FallThrough => Literals.Bool(false), // a void local function: its effects are in the environment
            _ => null,
        };
    }

    /// <summary>The operations under <paramref name="operation"/>, without the bodies of local functions declared there.</summary>
    private static IEnumerable<IOperation> OwnDescendants(IOperation operation)
    {
        var pending = new Stack<IOperation>(operation.ChildOperations.Reverse());
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (next is ILocalFunctionOperation)
            {
                continue;
            }

            yield return next;
            foreach (var child in next.ChildOperations.Reverse())
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>The operations under <paramref name="operation"/> and in the local functions it calls, transitively.</summary>
    private IEnumerable<IOperation> WithCalledLocalFunctions(IOperation operation)
    {
        var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var roots = new Queue<IOperation>();
        roots.Enqueue(operation);
        while (roots.Count > 0)
        {
            foreach (var descendant in OwnDescendants(roots.Dequeue()))
            {
                yield return descendant;
                if (descendant is IInvocationOperation { TargetMethod: { MethodKind: MethodKind.LocalFunction } function }
                    && visited.Add(function)
                    && _localFunctions.TryGetValue(function, out var declaration)
                    && declaration.Body is not null)
                {
                    roots.Enqueue(declaration.Body);
                }
            }
        }
    }

    private Exit LowerInlined(IOperation body)
    {
        _nesting++;
        try
        {
            return LowerSequence(Flatten(body));
        }
        finally
        {
            _nesting--;
        }
    }
}
