using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

internal sealed partial class BodyLowerer
{
    /// <summary>
    /// Lowers an expression. Active results are always atoms (<see cref="IrRef"/>); passive results may be trees,
    /// which are materialized only where an atom is needed.
    /// </summary>
    private IrExpr LowerValue(IOperation operation)
    {
        EnsureStack();
        if (operation.ConstantValue.HasValue)
        {
            return Literals.FromConstant(operation.ConstantValue.Value, operation.Type, _types.Map(operation.Type))!;
        }

        switch (operation)
        {
            case IConversionOperation conversion:
                return LowerConversion(conversion);
            case IParameterReferenceOperation parameter:
                return Read(parameter.Parameter, operation);
            case ILocalReferenceOperation local:
                return Read(local.Local, operation);
            case IBinaryOperation binary:
                return LowerBinary(binary);
            case IUnaryOperation unary:
                return LowerUnary(unary);
            case IInvocationOperation invocation:
                return LowerInvocation(invocation);
            case IConditionalOperation conditional:
                return LowerConditionalExpression(conditional);
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                return LowerAssignment(operation);
            case IParenthesizedOperation parenthesized:
                return LowerValue(parenthesized.Operand);
            case IFieldReferenceOperation field:
                return field.Field.IsStatic
                    ? new IrMember(null, QualifiedType(field.Field.ContainingType) + "." + Escape(field.Field.Name))
                    : new IrMember(LowerValue(field.Instance!), Escape(field.Field.Name));
            case IPropertyReferenceOperation property:
                return LowerProperty(property);
            case IArrayElementReferenceOperation element:
                return new IrIndex(LowerValue(element.ArrayReference), element.Indices.Select(LowerValue).ToEquatableArray());
            case IObjectCreationOperation creation when creation.Initializer is null && creation.Constructor is not null:
                return LowerObjectCreation(creation, creation.Constructor);
            case IArrayCreationOperation array:
                return LowerArrayCreation(array);
            case IThrowOperation:
                return Unsupported(operation, "A throw expression", "use an if statement that throws");
            case IAnonymousFunctionOperation or IDelegateCreationOperation:
                return Unsupported(operation, "A lambda", "declare a static [Differentiable] method and call it");
            case ITupleOperation:
                return Unsupported(operation, "A tuple", "use separate local variables");
            case IDeclarationExpressionOperation:
                return Unsupported(operation, "An 'out' variable", "return the value instead");
            case ISwitchExpressionOperation switchExpression:
                return LowerSwitchExpression(switchExpression);
            case IIsPatternOperation isPattern:
                return LowerIsPattern(isPattern);
            case IIsTypeOperation:
                return Unsupported(operation, "A type test", "use comparison operators");
            case IInterpolatedStringOperation:
                return Unsupported(operation, "An interpolated string", "use string.Concat or a constant message");
            case IInstanceReferenceOperation:
                return Unsupported(operation, "'this'", "[Differentiable] methods are static");
            case IAwaitOperation:
                return Unsupported(operation, "'await'", "[Differentiable] methods are synchronous");
            default:
                return Unsupported(operation, "This expression", null);
        }
    }

    private IrExpr LowerObjectCreation(IObjectCreationOperation creation, IMethodSymbol constructor)
    {
        var arguments = LowerArguments(creation.Arguments, constructor);
        if (arguments is null || arguments.Any(IsError))
        {
            return Unsupported(creation, null, null);
        }

        return arguments.Any(IsActive)
            ? NoDerivative(creation, constructor)
            : new IrNew(_types.Map(creation.Type).Name, arguments.ToEquatableArray());
    }

    private IrExpr LowerArrayCreation(IArrayCreationOperation array)
    {
        var sizes = array.DimensionSizes.Select(LowerValue).ToList();
        var elements = array.Initializer?.ElementValues.Select(LowerValue).ToList() ?? new List<IrExpr>();
        if (sizes.Concat(elements).Any(IsError))
        {
            return Unsupported(array, null, null);
        }

        if (elements.Any(IsActive))
        {
            return Unsupported(array, "An array of differentiated values", "arrays are not differentiated; keep the values in local variables");
        }

        var elementType = ((IArrayTypeSymbol)array.Type!).ElementType.ToDisplayString(TypeMapper.Format);
        return new IrNewArray(elementType, sizes.ToEquatableArray(), elements.ToEquatableArray(), array.Initializer is not null);
    }

    private IrExpr LowerConversion(IConversionOperation conversion)
    {
        var operand = LowerValue(conversion.Operand);
        if (IsError(operand))
        {
            return operand;
        }

        var to = _types.Map(conversion.Type);
        if (conversion.Type?.TypeKind == TypeKind.Dynamic && IsActive(operand))
        {
            // Operations on dynamic are bound at run time, out of the generator's sight: nothing could differentiate them.
            return Unsupported(conversion, "A differentiated value converted to 'dynamic'", "keep it in double, float or a tensor");
        }

        if (conversion.Conversion.IsIdentity
            || (!conversion.Conversion.IsUserDefined && conversion.Operand.Type?.IsValueType == true && conversion.Type?.IsReferenceType == true && conversion.Type.TypeKind != TypeKind.Dynamic) // boxing
            || (conversion.IsImplicit && !conversion.Conversion.IsUserDefined && conversion.Type?.IsReferenceType == true))
        {
            return operand; // the same value (boxed, it is still that number): the generated code converts as the source did
        }

        if (conversion.OperatorMethod is not null && IsActive(operand))
        {
            return NoDerivative(conversion, conversion.OperatorMethod);
        }

        if (to.IsDifferentiable && IsActive(operand))
        {
            return NewActive(new IrConvert(to, operand), to);
        }

        // A cast of an active value to an integer type: a step function, plausibly meant (SD1002). To anything else
        // without a derivative (decimal, say): the value goes on, its derivative certainly does not (SD0015).
        if (!IsActive(operand))
        {
            return new IrConvert(to, operand);
        }

        return to.Kind is IrTypeKind.Integer or IrTypeKind.Boolean
            ? Lossy(new IrConvert(to, operand), DiagnosticDescriptors.LostThroughConversion, conversion.Syntax.GetLocation(), "'" + SourceText.Of(conversion.Syntax) + "'", "'" + conversion.Type!.ToDisplayString() + "'")
            : LostDerivative(new IrConvert(to, operand), conversion, "as '" + conversion.Type!.ToDisplayString() + "'", "keep the value in double or float");
    }

    private IrExpr LowerBinary(IBinaryOperation binary)
    {
        var left = LowerValue(binary.LeftOperand);
        var right = LowerValue(binary.RightOperand);
        var type = _types.Map(binary.Type);
        if (IsError(left) || IsError(right))
        {
            return new IrError(type);
        }

        if (binary.OperatorMethod is not null)
        {
            return IsActive(left) || IsActive(right)
                ? NoDerivative(binary, binary.OperatorMethod)
                : new IrCall(PassiveCallee(binary.OperatorMethod), null, new EquatableArray<IrExpr>(new[] { left, right }));
        }

        IrBinaryOp? op = binary.OperatorKind switch
        {
            BinaryOperatorKind.Add => IrBinaryOp.Add,
            BinaryOperatorKind.Subtract => IrBinaryOp.Subtract,
            BinaryOperatorKind.Multiply => IrBinaryOp.Multiply,
            BinaryOperatorKind.Divide => IrBinaryOp.Divide,
            BinaryOperatorKind.Remainder => IrBinaryOp.Remainder,
            BinaryOperatorKind.Equals => IrBinaryOp.Equals,
            BinaryOperatorKind.NotEquals => IrBinaryOp.NotEquals,
            BinaryOperatorKind.LessThan => IrBinaryOp.LessThan,
            BinaryOperatorKind.LessThanOrEqual => IrBinaryOp.LessThanOrEqual,
            BinaryOperatorKind.GreaterThan => IrBinaryOp.GreaterThan,
            BinaryOperatorKind.GreaterThanOrEqual => IrBinaryOp.GreaterThanOrEqual,
            BinaryOperatorKind.And => IrBinaryOp.And,
            BinaryOperatorKind.Or => IrBinaryOp.Or,
            BinaryOperatorKind.ExclusiveOr => IrBinaryOp.ExclusiveOr,
            BinaryOperatorKind.ConditionalAnd => IrBinaryOp.ConditionalAnd,
            BinaryOperatorKind.ConditionalOr => IrBinaryOp.ConditionalOr,
            BinaryOperatorKind.LeftShift => IrBinaryOp.LeftShift,
            BinaryOperatorKind.RightShift => IrBinaryOp.RightShift,
            _ => null,
        };

        if (op is null)
        {
            return Unsupported(binary, "The operator '" + binary.OperatorKind + "'", null);
        }

        var result = MakeBinary(op.Value, left, right, type);
        return op.Value is IrBinaryOp.Equals or IrBinaryOp.NotEquals or IrBinaryOp.LessThan or IrBinaryOp.LessThanOrEqual
            or IrBinaryOp.GreaterThan or IrBinaryOp.GreaterThanOrEqual && (IsActive(left) || IsActive(right))
            ? Lossy(result, DiagnosticDescriptors.LostThroughConversion, binary.Syntax.GetLocation(), "'" + SourceText.Of(binary.Syntax) + "'", "a bool")
            : result;
    }

    private IrExpr MakeBinary(IrBinaryOp op, IrExpr left, IrExpr right, IrType type)
    {
        if (type.IsDifferentiable && (IsActive(left) || IsActive(right)))
        {
            return NewActive(new IrBinary(op, Atomize(left, type), Atomize(right, type)), type);
        }

        return new IrBinary(op, left, right);
    }

    private IrExpr LowerUnary(IUnaryOperation unary)
    {
        var operand = LowerValue(unary.Operand);
        var type = _types.Map(unary.Type);
        if (IsError(operand))
        {
            return operand;
        }

        if (unary.OperatorMethod is not null)
        {
            return IsActive(operand)
                ? NoDerivative(unary, unary.OperatorMethod)
                : new IrCall(PassiveCallee(unary.OperatorMethod), null, new EquatableArray<IrExpr>(new[] { operand }));
        }

        IrUnaryOp? op = unary.OperatorKind switch
        {
            UnaryOperatorKind.Minus => IrUnaryOp.Negate,
            UnaryOperatorKind.Plus => IrUnaryOp.Plus,
            UnaryOperatorKind.Not => IrUnaryOp.Not,
            UnaryOperatorKind.BitwiseNegation => IrUnaryOp.BitwiseNot,
            _ => null,
        };

        if (op is null)
        {
            return Unsupported(unary, "The operator '" + unary.OperatorKind + "'", null);
        }

        if (type.IsDifferentiable && IsActive(operand))
        {
            return op == IrUnaryOp.Plus ? operand : NewActive(new IrUnary(op.Value, operand), type);
        }

        return new IrUnary(op.Value, operand);
    }

    /// <summary>
    /// <c>c ? a : b</c>. Passive branches without statements stay an expression (evaluated lazily); otherwise the
    /// branches become an <see cref="IrIf"/> whose phi is the value.
    /// </summary>
    private IrExpr LowerConditionalExpression(IConditionalOperation conditional)
    {
        if (conditional.WhenFalse is null || conditional.IsRef)
        {
            return Unsupported(conditional, "This conditional expression", null);
        }

        return LowerChoice(
            () => LowerValue(conditional.Condition),
            () => LowerValue(conditional.WhenTrue),
            () => LowerValue(conditional.WhenFalse),
            _types.Map(conditional.Type),
            conditional);
    }

    /// <summary>
    /// A value chosen by a condition (<c>?:</c>, a switch expression's arm). Passive choices without statements stay an
    /// expression (evaluated lazily); otherwise the branches become an <see cref="IrIf"/> whose phi is the value.
    /// </summary>
    private IrExpr LowerChoice(Func<IrExpr> lowerCondition, Func<IrExpr> lowerWhenTrue, Func<IrExpr> lowerWhenFalse, IrType type, IOperation at)
    {
        if (TooDeep(at))
        {
            return new IrError(type);
        }

        var condition = lowerCondition();
        IrExpr? whenTrue = null;
        IrExpr? whenFalse = null;
        var pair = LowerBoth(
            () =>
            {
                whenTrue = lowerWhenTrue();
                return Exit.FallThrough;
            },
            () =>
            {
                whenFalse = lowerWhenFalse();
                return Exit.FallThrough;
            });

        if (pair.Then.Count == 0 && pair.Else.Count == 0 && !IsActive(whenTrue) && !IsActive(whenFalse))
        {
            return new IrConditional(condition, whenTrue!, whenFalse!);
        }

        // Trees are atomized inside their own branch, so they are evaluated only when taken.
        var phis = new List<IrPhi>();
        var outer = _block;
        _block = pair.Then;
        whenTrue = Atomize(whenTrue!, type);
        _block = pair.Else;
        whenFalse = Atomize(whenFalse!, type);
        _block = outer;

        var conditionValue = Materialize(condition, IrType.Bool, ValueKind.Condition);
        Join(pair.ThenEnv, pair.ElseEnv, phis);
        var phi = NewValue(ValueKind.Temporary, null, type, IsActive(whenTrue) || IsActive(whenFalse));
        phis.Add(new IrPhi(phi, whenTrue, whenFalse));
        Emit(new IrIf(conditionValue, new IrBlock(pair.Then.ToEquatableArray()), new IrBlock(pair.Else.ToEquatableArray()), phis.ToEquatableArray(), _source));
        return new IrRef(phi);
    }

    /// <summary>Lowers an assignment, compound assignment or increment; returns the expression's value.</summary>
    private IrExpr LowerAssignment(IOperation operation)
    {
        switch (operation)
        {
            case ISimpleAssignmentOperation assignment:
            {
                if (assignment.IsRef)
                {
                    return Unsupported(assignment, "A ref assignment", "assign values, not references");
                }

                if (!CheckWritable(assignment.Target))
                {
                    return LowerValue(assignment.Value);
                }

                var mark = _values.Count;
                var value = LowerValue(assignment.Value);
                return Write(assignment.Target, value, mark);
            }

            case ICompoundAssignmentOperation compound:
            {
                if (!CheckWritable(compound.Target))
                {
                    return LowerValue(compound.Value);
                }

                if (!compound.InConversion.IsIdentity || !compound.OutConversion.IsIdentity || compound.OperatorMethod is not null)
                {
                    return Unsupported(compound, "This compound assignment", "write it out as 'x = x op y' with explicit casts");
                }

                var current = LowerValue(compound.Target);
                var mark = _values.Count;
                var right = LowerValue(compound.Value);
                var op = compound.OperatorKind switch
                {
                    BinaryOperatorKind.Add => IrBinaryOp.Add,
                    BinaryOperatorKind.Subtract => IrBinaryOp.Subtract,
                    BinaryOperatorKind.Multiply => IrBinaryOp.Multiply,
                    BinaryOperatorKind.Divide => IrBinaryOp.Divide,
                    BinaryOperatorKind.Remainder => IrBinaryOp.Remainder,
                    BinaryOperatorKind.And => IrBinaryOp.And,
                    BinaryOperatorKind.Or => IrBinaryOp.Or,
                    BinaryOperatorKind.ExclusiveOr => IrBinaryOp.ExclusiveOr,
                    BinaryOperatorKind.LeftShift => IrBinaryOp.LeftShift,
                    BinaryOperatorKind.RightShift => IrBinaryOp.RightShift,
                    _ => (IrBinaryOp?)null,
                };

                if (op is null)
                {
                    return Unsupported(compound, "The operator '" + compound.OperatorKind + "'", null);
                }

                return Write(compound.Target, MakeBinary(op.Value, current, right, _types.Map(compound.Type)), mark);
            }

            case IIncrementOrDecrementOperation increment:
            {
                if (!CheckWritable(increment.Target))
                {
                    return LowerValue(increment.Target);
                }

                var type = _types.Map(increment.Type);
                var current = Atomize(LowerValue(increment.Target), type);
                var mark = _values.Count;
                var one = new IrConstant(type, "1", 1);
                var op = increment.Kind == OperationKind.Increment ? IrBinaryOp.Add : IrBinaryOp.Subtract;
                var updated = Write(increment.Target, MakeBinary(op, current, one, type), mark);
                return increment.IsPostfix ? current : updated;
            }

            default:
                return Unsupported(operation, "This assignment", null);
        }
    }

    /// <summary>Reports writes to anything but a local, a by-value parameter or a discard.</summary>
    private bool CheckWritable(IOperation target)
    {
        var (kind, name) = target switch
        {
            ILocalReferenceOperation => (null, null),
            IParameterReferenceOperation { Parameter.RefKind: RefKind.None } => (null, null),
            IDiscardOperation => (null, null),
            IParameterReferenceOperation p => ("the by-reference parameter", p.Parameter.Name),
            IFieldReferenceOperation f => ("the field", f.Field.Name),
            IPropertyReferenceOperation p => ("the property", p.Property.Name),
            IArrayElementReferenceOperation => ("the array element", SourceText.Of(target.Syntax)),
            _ => ((string?)"the target", (string?)SourceText.Of(target.Syntax)),
        };

        if (kind is null)
        {
            return true;
        }

        Report(DiagnosticDescriptors.WriteToNonLocal, target.Syntax.GetLocation(), kind, name!);
        return false;
    }

    private IrExpr Write(IOperation target, IrExpr value, int mark)
    {
        switch (target)
        {
            case ILocalReferenceOperation local:
                WriteLocal(local.Local, value, mark);
                return Read(local.Local, target);
            case IParameterReferenceOperation parameter:
                WriteLocal(parameter.Parameter, value, mark);
                return Read(parameter.Parameter, target);
            default:
                return value; // discard
        }
    }

    private IrExpr LowerProperty(IPropertyReferenceOperation property)
    {
        var symbol = property.Property;
        if (symbol.IsIndexer)
        {
            var receiver = LowerValue(property.Instance!);
            var indices = property.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => LowerValue(a.Value)).ToList();
            if (IsError(receiver) || indices.Any(IsError))
            {
                return Unsupported(property, null, null);
            }

            if (IsActive(receiver) && DerivativeRules.IsTensor(symbol.ContainingType))
            {
                return LowerElementRead(property, receiver, indices);
            }

            return IsActive(receiver)
                ? LostDerivative(new IrIndex(receiver, indices.ToEquatableArray()), property, "through the indexer of '" + symbol.ContainingType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'", "read the value through operations that have a derivative")
                : new IrIndex(receiver, indices.ToEquatableArray());
        }

        if (symbol.IsStatic)
        {
            return new IrMember(null, QualifiedType(symbol.ContainingType) + "." + Escape(symbol.Name));
        }

        var instance = LowerValue(property.Instance!);
        if (IsError(instance))
        {
            return instance;
        }

        var member = new IrMember(instance, Escape(symbol.Name));
        return IsActive(instance) && CarriesValues(symbol.Type)
            ? LostDerivative(member, property, "through its property '" + symbol.Name + "'", ReadInstead(symbol.Type))
            : member; // a shape, a length: not a function of the values, nothing to differentiate
    }

    /// <summary>
    /// <c>w[i]</c> or <c>w[r, c]</c> on a differentiated tensor: an element read with a derivative (the rule adds the
    /// element's gradient into that element of <c>dw</c>).
    /// </summary>
    private IrExpr LowerElementRead(IPropertyReferenceOperation property, IrExpr receiver, List<IrExpr> indices)
    {
        var rules = property.Property.ContainingAssembly.GetTypeByMetadataName("SymDiff.CompilerServices.DTensorRules");
        var rule = rules?.GetMembers("ItemPullback").OfType<IMethodSymbol>().FirstOrDefault(m => m.Parameters.Length == indices.Count + 2);
        var type = _types.Map(property.Type);
        if (rule is null || !type.IsDifferentiable)
        {
            return LostDerivative(new IrIndex(receiver, indices.ToEquatableArray()), property, "through an element read this version of SymDiff's runtime cannot differentiate", "update the SymDiff package");
        }

        var arguments = new List<IrExpr> { receiver };
        arguments.AddRange(indices.Select(i => Atomize(i, IrType.Int)));
        var callee = new IrCallee(
            IrCalleeKind.Rule,
            string.Empty,
            "this[]",
            string.Empty,
            QualifiedType(rules!) + "." + rule.Name,
            arguments.Select((_, i) => i == 0).ToEquatableArray(),
            RuleReads: arguments.Select((_, i) => i > 0).ToEquatableArray(),
            GradientShapes: arguments.Select(_ => string.Empty).ToEquatableArray(),
            Indexer: true,
            LinearPullback: true); // it reads only the indices: applied to dResult's tangent it is its own tangent

        if (rules!.GetMembers("ItemPushforward").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == indices.Count + 1))
        {
            callee = callee with
            {
                Pushforward = QualifiedType(rules!) + ".ItemPushforward",
                PushforwardReads = callee.RuleReads,
            };
        }

        return NewActive(new IrCall(callee, null, arguments.ToEquatableArray()), type);
    }

    /// <summary>
    /// Whether a value of this type, read from a differentiated value, still holds its numbers (a span, an array, a
    /// string, an object), as opposed to facts about it such as a length or a shape.
    /// </summary>
    private static bool CarriesValues(ITypeSymbol type) =>
        !(type.SpecialType is SpecialType.System_Boolean or SpecialType.System_Char
            || TypeMapper.Qualified.Map(type).Kind is IrTypeKind.Integer or IrTypeKind.Boolean
            || type.TypeKind == TypeKind.Enum
            || (type is INamedTypeSymbol { Name: "ReadOnlySpan", TypeArguments.Length: 1 } span && span.TypeArguments[0].SpecialType == SpecialType.System_Int32));

    private static string ReadInstead(ITypeSymbol type) =>
        type.Name is "Span" or "ReadOnlySpan" or "Memory" or "ReadOnlyMemory" || type is IArrayTypeSymbol
            ? "read elements as 'w[i]' (each read is differentiated) or use DTensor operations"
            : "keep the computation in differentiated values (double, float, DTensor)";

    /// <summary>
    /// A passive value made from a differentiated one without a derivative: an error (SD0015) if it then enters the
    /// differentiated computation of the result, found by <see cref="ZeroGradientAnalysis"/>.
    /// </summary>
    private IrExpr LostDerivative(IrExpr expr, IOperation at, string how, string fix) =>
        Lossy(expr, DiagnosticDescriptors.DerivativeLost, at.Syntax.GetLocation(), "'" + SourceText.Of(at.Syntax) + "'", how, fix);

    private IrExpr NoDerivative(IOperation operation, IMethodSymbol method)
    {
        Report(DiagnosticDescriptors.NoDerivative, operation.Syntax.GetLocation(), method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), HowToDifferentiate(method));
        return Unsupported(operation, null, null);
    }

    /// <summary>
    /// SD0003's advice, with the exact rule to write: next to the function when it is the user's own, in the calling
    /// type (naming the function's type) when it comes from a library.
    /// </summary>
    private string HowToDifferentiate(IMethodSymbol method)
    {
        if (!method.IsStatic || method.MethodKind != MethodKind.Ordinary || DerivativeRules.KindOf(method.ReturnType) == GradientKind.None)
        {
            return "wrap it in a static function of your own that returns a float, double or tensor and give that function a [PullbackOf] rule (docs/custom-derivatives.md)";
        }

        var rule = "static void " + method.Name + "Pullback(" + DerivativeRules.FullForm(method) + ")";
        if (method.DeclaringSyntaxReferences.Length > 0)
        {
            return "mark it [Differentiable] (its body is then differentiated) or declare its pullback next to it: [PullbackOf(nameof(" + method.Name + "))] " + rule;
        }

        var owner = method.ContainingType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        return "declare its pullback in '" + _method.ContainingType.Name + "': [PullbackOf(typeof(" + owner + "), nameof(" + owner + "." + method.Name + "))] " + rule
            + " (leave out the inputs and 'result' the rule does not read)";
    }

    /// <summary>A type's name for generated code; SymDiff's own are short when the file imports their namespace.</summary>
    private string QualifiedType(ITypeSymbol type) => _types.Spell(type);

    private static string Escape(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;
}
