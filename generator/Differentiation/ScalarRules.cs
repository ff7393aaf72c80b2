using System;
using System.Collections.Generic;
using SymDiff.Generator.Emission;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// What a derivative rule sees: the gradient <see cref="G"/> of the result, the result <see cref="Y"/> itself (cached by
/// the forward sweep, so rules reuse it instead of recomputing), and the operands. A rule only states local
/// derivatives: <c>Accumulate(i, ∂y/∂x_i · g)</c>.
/// </summary>
internal interface IRuleContext
{
    /// <summary>The gradient of the result.</summary>
    CExpr G { get; }

    /// <summary>The result, as computed by the forward sweep.</summary>
    CExpr Y { get; }

    /// <summary>The element type (double or float), for literals.</summary>
    IrTypeKind Kind { get; }

    /// <summary>The class the forward call used (<c>Math</c> or <c>MathF</c>), for functions rules call.</summary>
    string Owner { get; }

    CExpr Arg(int index);

    bool IsActive(int index);

    /// <summary>Whether two operands are the same value (as in <c>a * a</c>).</summary>
    bool SameOperands(int first, int second);

    void Accumulate(int index, CExpr contribution);

    /// <summary>A case split in the reverse sweep (for example which argument <c>Max</c> selected).</summary>
    void Branch(CExpr condition, Action then, Action? @else);
}

/// <summary>
/// Derivative rules of scalar operators and of the <c>System.Math</c>/<c>System.MathF</c> functions, one small
/// method per operation, each stating the local derivative in its comment.
/// </summary>
internal static class ScalarRules
{
    private static readonly Dictionary<string, Action<IRuleContext>> Unary = new()
    {
        ["Tanh"] = Tanh,
        ["Exp"] = Exp,
        ["Log"] = Log,
        ["Log10"] = Log10,
        ["Log2"] = Log2,
        ["Sqrt"] = Sqrt,
        ["Cbrt"] = Cbrt,
        ["Sin"] = Sin,
        ["Cos"] = Cos,
        ["Tan"] = Tan,
        ["Asin"] = Asin,
        ["Acos"] = Acos,
        ["Atan"] = Atan,
        ["Sinh"] = Sinh,
        ["Cosh"] = Cosh,
        ["Asinh"] = Asinh,
        ["Acosh"] = Acosh,
        ["Atanh"] = Atanh,
        ["Abs"] = Abs,
    };

    private static readonly Dictionary<string, Action<IRuleContext>> Binary = new()
    {
        ["Pow"] = Pow,
        ["Max"] = Max,
        ["Min"] = Min,
        ["Atan2"] = Atan2,
        ["Log"] = LogBase,
    };

    private static readonly Dictionary<string, Action<IRuleContext>> Ternary = new()
    {
        ["FusedMultiplyAdd"] = FusedMultiplyAdd,
        ["Clamp"] = Clamp,
    };

    /// <summary>Whether <c>Math.{name}</c> with <paramref name="arity"/> arguments has a rule.</summary>
    public static bool Has(string name, int arity) => Table(arity)?.ContainsKey(name) == true;

    /// <summary>Functions whose derivative is zero almost everywhere (differentiating through them is suspicious).</summary>
    public static bool IsPiecewiseConstant(string name) =>
        name is "Round" or "Floor" or "Ceiling" or "Truncate" or "Sign";

    public static void Intrinsic(string name, int arity, IRuleContext c) => Table(arity)![name](c);

    private static Dictionary<string, Action<IRuleContext>>? Table(int arity) => arity switch
    {
        1 => Unary,
        2 => Binary,
        3 => Ternary,
        _ => null,
    };

    // ----- operators ---------------------------------------------------------------------------------------------

    /// <summary>y = a ∘ b for the arithmetic operators.</summary>
    public static void Operator(IrBinaryOp op, IRuleContext c)
    {
        var g = c.G;
        switch (op)
        {
            case IrBinaryOp.Add when c.SameOperands(0, 1): // y = a + a: ∂/∂a = 2
                c.Accumulate(0, C.Multiply(g, C.Number(2, c.Kind)));
                break;
            case IrBinaryOp.Add: // ∂/∂a = 1, ∂/∂b = 1
                c.Accumulate(0, g);
                c.Accumulate(1, g);
                break;
            case IrBinaryOp.Subtract when c.SameOperands(0, 1): // y = a - a = 0
                break;
            case IrBinaryOp.Subtract: // ∂/∂a = 1, ∂/∂b = -1
                c.Accumulate(0, g);
                c.Accumulate(1, C.Negate(g));
                break;
            case IrBinaryOp.Multiply when c.SameOperands(0, 1): // y = a·a: ∂/∂a = 2a
                c.Accumulate(0, C.Multiply(C.Multiply(g, C.Number(2, c.Kind)), c.Arg(0)));
                break;
            case IrBinaryOp.Multiply: // ∂/∂a = b, ∂/∂b = a
                c.Accumulate(0, C.Multiply(g, c.Arg(1)));
                c.Accumulate(1, C.Multiply(g, c.Arg(0)));
                break;
            case IrBinaryOp.Divide: // ∂/∂a = 1/b, ∂/∂b = -a/b² = -y/b
                c.Accumulate(0, C.Divide(g, c.Arg(1)));
                if (c.IsActive(1))
                {
                    c.Accumulate(1, C.Divide(C.Multiply(C.Negate(g), c.Y), c.Arg(1)));
                }

                break;
            case IrBinaryOp.Remainder: // a % b = a - trunc(a/b)·b: ∂/∂a = 1, ∂/∂b = -trunc(a/b)
                c.Accumulate(0, g);
                if (c.IsActive(1))
                {
                    var truncated = C.Call(c.Owner + ".Truncate", C.Divide(c.Arg(0), c.Arg(1)));
                    c.Accumulate(1, C.Negate(C.Multiply(g, truncated)));
                }

                break;
            default:
                throw new InvalidOperationException("No derivative for operator " + op);
        }
    }

    /// <summary>y = -a: ∂/∂a = -1.</summary>
    public static void Negate(IRuleContext c) => c.Accumulate(0, C.Negate(c.G));

    /// <summary>y = (T)a between double and float: the gradient converts back.</summary>
    public static void Convert(IRuleContext c, string operandType) => c.Accumulate(0, C.Cast(operandType, c.G));

    // ----- Math functions ----------------------------------------------------------------------------------------

    /// <summary>y = tanh(a): ∂/∂a = 1 - y² (reuses y).</summary>
    private static void Tanh(IRuleContext c) =>
        c.Accumulate(0, C.Multiply(c.G, C.Subtract(One(c), C.Multiply(c.Y, c.Y))));

    /// <summary>y = exp(a): ∂/∂a = y.</summary>
    private static void Exp(IRuleContext c) => c.Accumulate(0, C.Multiply(c.G, c.Y));

    /// <summary>y = log(a): ∂/∂a = 1/a.</summary>
    private static void Log(IRuleContext c) => c.Accumulate(0, C.Divide(c.G, c.Arg(0)));

    /// <summary>y = log10(a): ∂/∂a = 1/(a·ln 10).</summary>
    private static void Log10(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, C.Multiply(c.Arg(0), C.Number(Math.Log(10), c.Kind))));

    /// <summary>y = log2(a): ∂/∂a = 1/(a·ln 2).</summary>
    private static void Log2(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, C.Multiply(c.Arg(0), C.Number(Math.Log(2), c.Kind))));

    /// <summary>y = √a: ∂/∂a = 1/(2y) (reuses y).</summary>
    private static void Sqrt(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, C.Multiply(C.Number(2, c.Kind), c.Y)));

    /// <summary>y = ∛a: ∂/∂a = 1/(3y²) (reuses y).</summary>
    private static void Cbrt(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, C.Multiply(C.Multiply(C.Number(3, c.Kind), c.Y), c.Y)));

    /// <summary>y = sin(a): ∂/∂a = cos(a).</summary>
    private static void Sin(IRuleContext c) => c.Accumulate(0, C.Multiply(c.G, Call(c, "Cos", c.Arg(0))));

    /// <summary>y = cos(a): ∂/∂a = -sin(a).</summary>
    private static void Cos(IRuleContext c) => c.Accumulate(0, C.Negate(C.Multiply(c.G, Call(c, "Sin", c.Arg(0)))));

    /// <summary>y = tan(a): ∂/∂a = 1 + y² (reuses y).</summary>
    private static void Tan(IRuleContext c) =>
        c.Accumulate(0, C.Multiply(c.G, C.Add(One(c), C.Multiply(c.Y, c.Y))));

    /// <summary>y = asin(a): ∂/∂a = 1/√(1 - a²).</summary>
    private static void Asin(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, Call(c, "Sqrt", C.Subtract(One(c), C.Multiply(c.Arg(0), c.Arg(0))))));

    /// <summary>y = acos(a): ∂/∂a = -1/√(1 - a²).</summary>
    private static void Acos(IRuleContext c) =>
        c.Accumulate(0, C.Divide(C.Negate(c.G), Call(c, "Sqrt", C.Subtract(One(c), C.Multiply(c.Arg(0), c.Arg(0))))));

    /// <summary>y = atan(a): ∂/∂a = 1/(1 + a²).</summary>
    private static void Atan(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, C.Add(One(c), C.Multiply(c.Arg(0), c.Arg(0)))));

    /// <summary>y = sinh(a): ∂/∂a = cosh(a).</summary>
    private static void Sinh(IRuleContext c) => c.Accumulate(0, C.Multiply(c.G, Call(c, "Cosh", c.Arg(0))));

    /// <summary>y = cosh(a): ∂/∂a = sinh(a).</summary>
    private static void Cosh(IRuleContext c) => c.Accumulate(0, C.Multiply(c.G, Call(c, "Sinh", c.Arg(0))));

    /// <summary>y = asinh(a): ∂/∂a = 1/√(a² + 1).</summary>
    private static void Asinh(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, Call(c, "Sqrt", C.Add(C.Multiply(c.Arg(0), c.Arg(0)), One(c)))));

    /// <summary>y = acosh(a): ∂/∂a = 1/√(a² - 1).</summary>
    private static void Acosh(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, Call(c, "Sqrt", C.Subtract(C.Multiply(c.Arg(0), c.Arg(0)), One(c)))));

    /// <summary>y = atanh(a): ∂/∂a = 1/(1 - a²).</summary>
    private static void Atanh(IRuleContext c) =>
        c.Accumulate(0, C.Divide(c.G, C.Subtract(One(c), C.Multiply(c.Arg(0), c.Arg(0)))));

    /// <summary>y = |a|: ∂/∂a = sign(a), 0 at a = 0 (as PyTorch and JAX).</summary>
    private static void Abs(IRuleContext c)
    {
        var a = c.Arg(0);
        var zero = C.Number(0, c.Kind);
        c.Accumulate(0, C.Conditional(
            C.Binary(IrBinaryOp.GreaterThan, a, zero),
            c.G,
            C.Conditional(C.Binary(IrBinaryOp.LessThan, a, zero), C.Negate(c.G), zero)));
    }

    /// <summary>y = aᵇ: ∂/∂a = b·aᵇ⁻¹, ∂/∂b = y·ln a (only when b is active).</summary>
    private static void Pow(IRuleContext c)
    {
        var a = c.Arg(0);
        var b = c.Arg(1);
        if (c.IsActive(0))
        {
            var power = b is CNumber { Value: 2 } ? a : Call(c, "Pow", a, C.Subtract(b, One(c)));
            c.Accumulate(0, C.Multiply(C.Multiply(c.G, b), power));
        }

        if (c.IsActive(1))
        {
            c.Accumulate(1, C.Multiply(C.Multiply(c.G, c.Y), Call(c, "Log", a)));
        }
    }

    /// <summary>y = max(a, b): the derivative goes to the selected argument (to a on ties).</summary>
    private static void Max(IRuleContext c) =>
        c.Branch(C.Binary(IrBinaryOp.GreaterThanOrEqual, c.Arg(0), c.Arg(1)), () => c.Accumulate(0, c.G), () => c.Accumulate(1, c.G));

    /// <summary>y = min(a, b): the derivative goes to the selected argument (to a on ties).</summary>
    private static void Min(IRuleContext c) =>
        c.Branch(C.Binary(IrBinaryOp.LessThanOrEqual, c.Arg(0), c.Arg(1)), () => c.Accumulate(0, c.G), () => c.Accumulate(1, c.G));

    /// <summary>y = atan2(a, b): ∂/∂a = b/(a² + b²), ∂/∂b = -a/(a² + b²).</summary>
    private static void Atan2(IRuleContext c)
    {
        var a = c.Arg(0);
        var b = c.Arg(1);
        var denominator = C.Add(C.Multiply(a, a), C.Multiply(b, b));
        c.Accumulate(0, C.Divide(C.Multiply(c.G, b), denominator));
        c.Accumulate(1, C.Divide(C.Multiply(C.Negate(c.G), a), denominator));
    }

    /// <summary>y = log_b(a) = ln a / ln b: ∂/∂a = 1/(a·ln b), ∂/∂b = -y/(b·ln b) (reuses y).</summary>
    private static void LogBase(IRuleContext c)
    {
        var lnBase = Call(c, "Log", c.Arg(1));
        c.Accumulate(0, C.Divide(c.G, C.Multiply(c.Arg(0), lnBase)));
        if (c.IsActive(1))
        {
            c.Accumulate(1, C.Divide(C.Negate(C.Multiply(c.G, c.Y)), C.Multiply(c.Arg(1), lnBase)));
        }
    }

    /// <summary>y = a·b + c: ∂/∂a = b, ∂/∂b = a, ∂/∂c = 1.</summary>
    private static void FusedMultiplyAdd(IRuleContext c)
    {
        c.Accumulate(0, C.Multiply(c.G, c.Arg(1)));
        c.Accumulate(1, C.Multiply(c.G, c.Arg(0)));
        c.Accumulate(2, c.G);
    }

    /// <summary>y = clamp(a, lo, hi): the derivative goes to whichever of a, lo, hi was returned.</summary>
    private static void Clamp(IRuleContext c) =>
        c.Branch(
            C.Binary(IrBinaryOp.LessThan, c.Arg(0), c.Arg(1)),
            () => c.Accumulate(1, c.G),
            () => c.Branch(
                C.Binary(IrBinaryOp.GreaterThan, c.Arg(0), c.Arg(2)),
                () => c.Accumulate(2, c.G),
                () => c.Accumulate(0, c.G)));

    private static CExpr One(IRuleContext c) => C.Number(1, c.Kind);

    private static CExpr Call(IRuleContext c, string function, params CExpr[] arguments) =>
        C.Call(c.Owner + "." + function, arguments);
}
