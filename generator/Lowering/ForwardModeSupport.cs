using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>
/// Whether forward mode covers a <c>[Differentiable]</c> method, decided from its declaration and body alone, so that a
/// caller's build reaches the same answer as the method's own: then the method gets a pushforward and callers may use
/// it. Forward mode covers operators, <c>Math</c> functions, branches, loops, local functions, calls to other covered
/// methods, and functions with a <c>[PushforwardOf]</c> rule (every runtime tensor op).
/// </summary>
internal static class ForwardModeSupport
{
    /// <summary>Null when covered; otherwise what is not, and where.</summary>
    public static (string What, Location? Where)? Gap(IMethodSymbol method, Compilation compilation, INamedTypeSymbol? differentiable, INamedTypeSymbol? rules) =>
        Gap(method, compilation, differentiable, rules, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));

    private static (string What, Location? Where)? Gap(
        IMethodSymbol method,
        Compilation compilation,
        INamedTypeSymbol? differentiable,
        INamedTypeSymbol? rules,
        HashSet<IMethodSymbol> visited)
    {
        if (!visited.Add(method.OriginalDefinition) || visited.Count > 200)
        {
            return null; // recursion is SD0009's to report; depth is bounded
        }

        var pushforwardOf = compilation.GetTypeByMetadataName(PushforwardRules.AttributeName);
        foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            if (compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax) is not { } body)
            {
                continue;
            }

            foreach (var operation in body.Descendants())
            {
                switch (operation)
                {
                    case IPropertyReferenceOperation { Property.IsIndexer: true } element when element.Instance?.Type is { } instance && DerivativeRules.IsTensor(instance)
                        && compilation.GetTypeByMetadataName("SymDiff.CompilerServices.DTensorRules")?.GetMembers("ItemPushforward").IsEmpty != false:
                        return ("the element read '" + SourceText.Of(element.Syntax) + "'", element.Syntax.GetLocation());

                    case IInvocationOperation { TargetMethod: var target } invocation:
                        if (target.IsStatic && target.OriginalDefinition.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, differentiable)))
                        {
                            // A tensor result's tangent goes into a buffer of its shape, unknown before the call: such a
                            // callee is covered when it is inlined (same type, same file), not through its pushforward.
                            var inlined = SymbolEqualityComparer.Default.Equals(target.ContainingType.OriginalDefinition, method.ContainingType.OriginalDefinition)
                                && target.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == syntax.SyntaxTree);
                            if (DerivativeRules.IsTensor(target.ReturnType) && !inlined)
                            {
                                return ("the call to '" + target.Name + "', a tensor-valued method of another type or file", invocation.Syntax.GetLocation());
                            }

                            if (Gap(target, compilation, differentiable, rules, visited) is var (what, _))
                            {
                                return ("the call to '" + target.Name + "', whose body uses " + what, invocation.Syntax.GetLocation());
                            }
                        }
                        else if (PushforwardRules.Find(target, method.ContainingType, pushforwardOf) is not null)
                        {
                            continue;
                        }
                        else if (target.ReturnsVoid && target.Parameters.All(p => p.RefKind == RefKind.None) && DerivativeRules.Find(target, method.ContainingType, rules) is null)
                        {
                            // A void call handed values (hLast.CopyFrom(h)) runs as in the gradient: what it writes cannot come
                            // back into the result (SD0015, SD0016 reject the method otherwise), so it needs no tangent.
                            continue;
                        }
                        else if (DerivativeRules.IsTensor(target.ReturnType) || target.Parameters.Any(p => DerivativeRules.IsTensor(p.Type)))
                        {
                            return ("the tensor operation '" + SourceText.Of(invocation.Syntax) + "' (it has no pushforward rule)", invocation.Syntax.GetLocation());
                        }
                        else if (DerivativeRules.Find(target, method.ContainingType, rules) is not null)
                        {
                            return ("'" + target.Name + "', which has a [PullbackOf] rule but no pushforward rule; add one beside it: " + PushforwardRules.Suggest(target), invocation.Syntax.GetLocation());
                        }

                        break;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Null when forward over reverse covers the method (scalar result; loops over scalars and tensors, not spans made in them; rule calls whose pullbacks have a
    /// pullback-tangent rule or are linear; calls to differentiable methods, with scalar or tensor arguments, that have a
    /// Hessian-vector product themselves, <see cref="SecondOrderCoverage(IMethodSymbol, Compilation, INamedTypeSymbol?, INamedTypeSymbol?)"/>),
    /// else a clause saying what it does not cover and, when that is a pullback without a tangent rule, whose.
    /// </summary>
    public static (string What, string? RuleOf)? SecondOrderGap(IrMethod ir)
    {
        if (!ir.ReturnType.IsScalar)
        {
            return ("it needs a scalar result", null);
        }

        // Its reverse loop reads values and tangents the forward sweep tapes per iteration (scalars, tensors). A span cannot
        // be taped: the reverse iteration makes it again, which it can for one made in every iteration (not in a branch).
        var remade = new HashSet<int>(IrWalker.Loops(ir.Body.Statements).SelectMany(l => SpansMadeInEveryIteration(ir, l)).Select(a => a.Target));
        foreach (var loop in IrWalker.Loops(ir.Body.Statements))
        {
            var defined = loop.Carried.Select(c => c.Phi).Concat(IrWalker.DefinitionOrder(loop.Header.Statements)).Concat(IrWalker.DefinitionOrder(loop.Body.Statements));
            if (defined.Where(id => !remade.Contains(id)).Select(id => ir.Values[id].Type).FirstOrDefault(t => t.IsRefLike) is { } type)
            {
                return (SpanGap(loop.Source, type.Name), null);
            }
        }

        foreach (var call in AllExpressions(ir.Body).OfType<IrCall>())
        {
            switch (call.Callee)
            {
                case { Kind: IrCalleeKind.Rule, PullbackTangent: null, LinearPullback: false } rule:
                    return ("the pullback of '" + rule.Name + "' has no [PullbackTangentOf] rule", rule.Name);
                case { Kind: IrCalleeKind.Differentiable, HasHessianVectorProduct: false } callee:
                    return ("'" + callee.Name + "', which it calls, has no Hessian-vector product" + (callee.HessianVectorProductGap is { } why ? ": " + why : string.Empty), null);
            }
        }

        return null;
    }

    /// <summary>
    /// The spans a loop's header or body makes in every iteration (not in a branch, not carried): the reverse iteration of a
    /// Hessian-vector product makes them again from what it restored.
    /// </summary>
    public static IEnumerable<IrAssign> SpansMadeInEveryIteration(IrMethod ir, IrLoop loop) =>
        loop.Header.Statements.Concat(loop.Body.Statements).OfType<IrAssign>().Where(a => ir.Values[a.Target].Type.IsRefLike);

    /// <summary>
    /// The first call in the method's body to <paramref name="function"/> whose pullback needs a pullback-tangent rule
    /// it does not have: where it is, and the rule to add beside the pullback.
    /// </summary>
    public static (Location Where, string Rule)? MissingPullbackTangent(IMethodSymbol method, Compilation compilation, string function)
    {
        var pullbackOf = compilation.GetTypeByMetadataName(DerivativeRules.AttributeName);
        var tangentOf = compilation.GetTypeByMetadataName(PullbackTangentRules.AttributeName);
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            if (compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax) is not { } body)
            {
                continue;
            }

            foreach (var invocation in body.Descendants().OfType<IInvocationOperation>())
            {
                var target = invocation.TargetMethod;
                if (target.Name == function && DerivativeRules.Find(target, method.ContainingType, pullbackOf) is var (_, shape)
                    && !PullbackTangentRules.IsLinear(target, shape) && PullbackTangentRules.Find(target, method.ContainingType, tangentOf, shape.Saved) is null)
                {
                    return (invocation.Syntax.GetLocation(), PullbackTangentRules.Suggest(target));
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The same decision from a method's declaration and body, for its callers: null when the method has a
    /// Hessian-vector product, else why not. Never more lenient than <see cref="SecondOrderGap(IrMethod)"/> on the
    /// method's own IR, so a caller counts on a callee's product only when it exists: a scalar result; loops over scalars
    /// and tensors (a loop that makes a span it could not make again is not), a rule call when its pullback has a
    /// pullback-tangent rule or is linear (tensor element reads are), a call to a differentiable method (inlined or not,
    /// with scalar or tensor arguments) when that method is covered in turn; the forward-mode gap first. A call to a
    /// tensor-valued differentiable method is not: it has no product of its own (stricter than the IR, where a same-file
    /// one is inlined).
    /// </summary>
    public static string? SecondOrderCoverage(IMethodSymbol method, Compilation compilation, INamedTypeSymbol? differentiable, INamedTypeSymbol? rules) =>
        Gap(method, compilation, differentiable, rules) is var (what, _)
            ? "forward mode does not cover " + what
            : SecondOrderScan(method, compilation, differentiable, rules, new Dictionary<IMethodSymbol, string?>(SymbolEqualityComparer.Default));

    /// <param name="scanned">Methods scanned (with their answer) or being scanned (a cycle, SD0009's to report).</param>
    private static string? SecondOrderScan(IMethodSymbol method, Compilation compilation, INamedTypeSymbol? differentiable, INamedTypeSymbol? rules, Dictionary<IMethodSymbol, string?> scanned)
    {
        if (method.ReturnType.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single))
        {
            return "it needs a scalar result";
        }

        if (scanned.TryGetValue(method.OriginalDefinition, out var known))
        {
            return known; // a method called twice, or by two callees, is scanned once
        }

        if (scanned.Count > 200)
        {
            return "it calls too many methods to follow";
        }

        scanned[method.OriginalDefinition] = "it calls itself back"; // while it is scanned: recursion is SD0009's to report
        return scanned[method.OriginalDefinition] = ScanBody(method, compilation, differentiable, rules, scanned);
    }

    private static string? ScanBody(IMethodSymbol method, Compilation compilation, INamedTypeSymbol? differentiable, INamedTypeSymbol? rules, Dictionary<IMethodSymbol, string?> scanned)
    {
        var tangentOf = compilation.GetTypeByMetadataName(PullbackTangentRules.AttributeName);
        foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            if (compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax) is not { } body)
            {
                return "its body could not be read";
            }

            foreach (var operation in body.Descendants())
            {
                if (operation is ILoopOperation loop && SpanNotRemadeIn(loop) is { } span)
                {
                    return SpanGap(BodyLowerer.LoopSource(loop), span.ToDisplayString(TypeMapper.Format));
                }

                if (operation is not IInvocationOperation { TargetMethod: var target })
                {
                    continue;
                }

                if (target.IsStatic && target.OriginalDefinition.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, differentiable)))
                {
                    if (SecondOrderScan(target, compilation, differentiable, rules, scanned) is { } why)
                    {
                        return "'" + target.Name + "', which it calls, has no Hessian-vector product: " + why;
                    }
                }
                else if (DerivativeRules.Find(target, method.ContainingType, rules) is var (_, shape))
                {
                    if (!PullbackTangentRules.IsLinear(target, shape) && PullbackTangentRules.Find(target, method.ContainingType, tangentOf, shape.Saved) is null)
                    {
                        return "the pullback of '" + target.Name + "' has no [PullbackTangentOf] rule";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A span type the loop (nested loops included) makes that the reverse iteration of a Hessian-vector product could
    /// not make again, as <see cref="SecondOrderGap(IrMethod)"/> finds on the IR and never more lenient: a span is made
    /// again when it is made at the top of its loop's body, so any span made in a branch, a conditional or short-circuit
    /// expression, a lambda or a try block, in a loop that jumps (break, continue, return, throw: the rest of the body is a
    /// branch then), or assigned to a local (carried), is not; null if none.
    /// </summary>
    private static ITypeSymbol? SpanNotRemadeIn(ILoopOperation loop)
    {
        var once = loop is IForEachLoopOperation each ? new HashSet<IOperation>(each.Collection.DescendantsAndSelf()) : new HashSet<IOperation>();
        var spans = loop.Descendants().Where(o => !once.Contains(o) && o.Type is { IsRefLikeType: true } && o is not (IParameterReferenceOperation or ILocalReferenceOperation)).ToList();
        var locals = loop.Locals.Concat(loop.Descendants().OfType<IVariableDeclaratorOperation>().Select(d => d.Symbol)).Where(l => l.Type.IsRefLikeType).ToList();
        if (spans.Count == 0 && locals.Count == 0)
        {
            return null;
        }

        var first = spans.Count > 0 ? spans[0].Type! : locals[0].Type;
        if (loop.Descendants().Any(o => o is IBranchOperation or IReturnOperation or IThrowOperation
            || (o is ISimpleAssignmentOperation or ICompoundAssignmentOperation && ((IAssignmentOperation)o).Target.Type is { IsRefLikeType: true })))
        {
            return first;
        }

        foreach (var span in spans)
        {
            for (var parent = span.Parent; parent is not null and not ILoopOperation; parent = parent.Parent)
            {
                if (parent is IConditionalOperation or ISwitchOperation or ISwitchExpressionOperation or ICoalesceOperation or IConditionalAccessOperation
                    or ITryOperation or IAnonymousFunctionOperation or ILocalFunctionOperation or IIsPatternOperation
                    or IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr })
                {
                    return span.Type;
                }
            }
        }

        return null;
    }

    /// <summary>Why a loop's span keeps a method from its Hessian-vector product (<paramref name="type"/> as C# spells it).</summary>
    public static string SpanGap(string loop, string type) =>
        "forward over reverse does not cover spans carried by a loop or made in a branch inside it yet ('" + loop + "' has a "
        + type.Replace("global::System.", string.Empty).Replace("global::", string.Empty) + " that its reverse loop could not make again; make the span in the loop's body itself, or before the loop)";

    private static IEnumerable<IrExpr> AllExpressions(IrBlock block)
    {
        foreach (var statement in block.Statements)
        {
            var roots = statement switch
            {
                IrAssign a => new[] { a.Value },
                IrEffect e => new[] { e.Value },
                IrThrow t => new[] { t.Exception },
                IrIf i => i.Phis.SelectMany(p => new[] { p.WhenTrue, p.WhenFalse }).Where(x => x is not null).Cast<IrExpr>().ToArray(),
                IrLoop l => l.Carried.SelectMany(c => new[] { c.Initial, c.Next }).ToArray(),
                _ => Array.Empty<IrExpr>(),
            };
            foreach (var e in roots.SelectMany(IrWalker.Descendants))
            {
                yield return e;
            }

            var nested = statement switch
            {
                IrIf branch => AllExpressions(branch.Then).Concat(AllExpressions(branch.Else)),
                IrLoop loop => AllExpressions(loop.Header).Concat(AllExpressions(loop.Body)),
                _ => Enumerable.Empty<IrExpr>(),
            };
            foreach (var e in nested)
            {
                yield return e;
            }
        }
    }
}
