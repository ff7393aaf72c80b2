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

        // The body is lowered as a method of its own: no enclosing loop to break out of, its own returns.
        var (outerLoop, outerReturning, outerSource) = (_loop, _returning, _source);
        (_loop, _returning) = (null, null);
        _inlining.Add(function);
        foreach (var (parameter, value) in bindings)
        {
            _env.Set(parameter, value);
        }

        var exit = TooDeep(invocation) ? Exit.Throw : LowerInlined(declaration.Body);
        _inlining.RemoveAt(_inlining.Count - 1);
        (_loop, _returning, _source) = (outerLoop, outerReturning, outerSource);
        switch (exit)
        {
            case ReturnExit returned:
                return returned.Value;
            case var _ when exit == Exit.FallThrough:
                return Literals.Bool(false); // a void local function: its effects are in the environment
            default:
                return Unsupported(invocation, "A call to a local function that always throws", "throw at the call site");
        }
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
