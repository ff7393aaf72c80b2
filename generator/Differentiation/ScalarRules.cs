using System;
using System.Collections.Generic;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// What a local-derivative rule sees and states. A rule only says how its result <see cref="Y"/> depends on each operand:
/// <c>Partial(i, ∂y/∂x_i)</c>, or, for functions that return one of their operands (<c>Max</c>, <c>Clamp</c>), which
/// one (<see cref="Select"/>). Reverse mode turns each partial into a vector-Jacobian product (<c>dx_i += g·∂y/∂x_i</c>),
/// forward mode into a Jacobian-vector product (<c>dy = Σ ∂y/∂x_i·dx_i</c>): the rules are written once for both.
/// </summary>
internal interface ILocalDerivatives
{
    /// <summary>The result, as computed by the forward sweep (rules reuse it instead of recomputing).</summary>
    CExpr Y { get; }

    /// <summary>The element type (double or float), for literals.</summary>
    IrTypeKind Kind { get; }

    /// <summary>The class the forward call used (<c>Math</c> or <c>MathF</c>), for functions rules call.</summary>
    string Owner { get; }

    CExpr Arg(int index);

    bool IsActive(int index);

    /// <summary>Whether two operands are the same value (as in <c>a * a</c>).</summary>
    bool SameOperands(int first, int second);

    /// <summary>
    /// <c>function(a)</c> of the one operand <c>a</c> where <c>y</c> is its sine or cosine (<paramref name="function"/> the
    /// other one): forward mode computes both in one <c>Math.SinCos</c> call beside the forward statement, so a
    /// derivative that needs the other half costs little more than the function; reverse mode calls it.
    /// </summary>
    CExpr Companion(string function);

    /// <summary>States ∂y/∂x_index.</summary>
    void Partial(int index, CExpr derivative);

    /// <summary>A case split: the partials stated in <paramref name="then"/> hold where <paramref name="condition"/> does.</summary>
    void Select(CExpr condition, Action then, Action? @else);
}

/// <summary>
/// Local derivatives of scalar operators and of the <c>System.Math</c>/<c>System.MathF</c> functions
/// (<see cref="Intrinsics"/> lists them), one small method per operation, each stating its formula in its comment.
/// </summary>
internal static class ScalarRules
{
    private static readonly Dictionary<string, Action<ILocalDerivatives>> Unary = new()
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

    private static readonly Dictionary<string, Action<ILocalDerivatives>> Binary = new()
    {
        ["Pow"] = Pow,
        ["Max"] = Max,
        ["Min"] = Min,
        ["Atan2"] = Atan2,
        ["Log"] = LogBase,
    };

    private static readonly Dictionary<string, Action<ILocalDerivatives>> Ternary = new()
    {
        ["FusedMultiplyAdd"] = FusedMultiplyAdd,
        ["Clamp"] = Clamp,
    };

    public static void Intrinsic(string name, int arity, ILocalDerivatives c) => Table(arity)![name](c);

    private static Dictionary<string, Action<ILocalDerivatives>>? Table(int arity) => arity switch
    {
        1 => Unary,
        2 => Binary,
        3 => Ternary,
        _ => null,
    };

    // ----- operators ---------------------------------------------------------------------------------------------

    /// <summary>y = a ∘ b for the arithmetic operators.</summary>
    public static void Operator(IrBinaryOp op, ILocalDerivatives c)
    {
        switch (op)
        {
            case IrBinaryOp.Add when c.SameOperands(0, 1): // y = a + a: ∂/∂a = 2
                c.Partial(0, C.Number(2, c.Kind));
                break;
            case IrBinaryOp.Add: // ∂/∂a = 1, ∂/∂b = 1
                c.Partial(0, One(c));
                c.Partial(1, One(c));
                break;
            case IrBinaryOp.Subtract when c.SameOperands(0, 1): // y = a - a = 0
                break;
            case IrBinaryOp.Subtract: // ∂/∂a = 1, ∂/∂b = -1
                c.Partial(0, One(c));
                c.Partial(1, C.Number(-1, c.Kind));
                break;
            case IrBinaryOp.Multiply when c.SameOperands(0, 1): // y = a·a: ∂/∂a = 2a
                c.Partial(0, C.Multiply(C.Number(2, c.Kind), c.Arg(0)));
                break;
            case IrBinaryOp.Multiply: // ∂/∂a = b, ∂/∂b = a
                c.Partial(0, c.Arg(1));
                c.Partial(1, c.Arg(0));
                break;
            case IrBinaryOp.Divide: // ∂/∂a = 1/b, ∂/∂b = -a/b² = -y/b
                c.Partial(0, C.Divide(One(c), c.Arg(1)));
                c.Partial(1, C.Divide(MinusOneTimes(c, c.Y), c.Arg(1)));
                break;
            case IrBinaryOp.Remainder: // a % b = a - trunc(a/b)·b: ∂/∂a = 1, ∂/∂b = -trunc(a/b)
                c.Partial(0, One(c));
                c.Partial(1, C.Negate(C.Call(c.Owner + ".Truncate", C.Divide(c.Arg(0), c.Arg(1)))));
                break;
            default:
                throw new InvalidOperationException("No derivative for operator " + op);
        }
    }

    /// <summary>y = -a: ∂/∂a = -1.</summary>
    public static void Negate(ILocalDerivatives c) => c.Partial(0, C.Number(-1, c.Kind));

    // ----- Math functions ----------------------------------------------------------------------------------------

    /// <summary>y = tanh(a): ∂/∂a = 1 - y² (reuses y).</summary>
    private static void Tanh(ILocalDerivatives c) => c.Partial(0, C.Subtract(One(c), C.Multiply(c.Y, c.Y)));

    /// <summary>y = exp(a): ∂/∂a = y.</summary>
    private static void Exp(ILocalDerivatives c) => c.Partial(0, c.Y);

    /// <summary>y = log(a): ∂/∂a = 1/a.</summary>
    private static void Log(ILocalDerivatives c) => c.Partial(0, C.Divide(One(c), c.Arg(0)));

    /// <summary>y = log10(a): ∂/∂a = 1/(a·ln 10).</summary>
    private static void Log10(ILocalDerivatives c) =>
        c.Partial(0, C.Divide(One(c), C.Multiply(c.Arg(0), C.Number(Math.Log(10), c.Kind))));

    /// <summary>y = log2(a): ∂/∂a = 1/(a·ln 2).</summary>
    private static void Log2(ILocalDerivatives c) =>
        c.Partial(0, C.Divide(One(c), C.Multiply(c.Arg(0), C.Number(Math.Log(2), c.Kind))));

    /// <summary>y = √a: ∂/∂a = 1/(2y) (reuses y).</summary>
    private static void Sqrt(ILocalDerivatives c) => c.Partial(0, C.Divide(One(c), C.Multiply(C.Number(2, c.Kind), c.Y)));

    /// <summary>y = ∛a: ∂/∂a = 1/(3y²) (reuses y).</summary>
    private static void Cbrt(ILocalDerivatives c) =>
        c.Partial(0, C.Divide(One(c), C.Multiply(C.Multiply(C.Number(3, c.Kind), c.Y), c.Y)));

    /// <summary>y = sin(a): ∂/∂a = cos(a).</summary>
    private static void Sin(ILocalDerivatives c) => c.Partial(0, c.Companion("Cos"));

    /// <summary>y = cos(a): ∂/∂a = -sin(a).</summary>
    private static void Cos(ILocalDerivatives c) => c.Partial(0, C.Negate(c.Companion("Sin")));

    /// <summary>y = tan(a): ∂/∂a = 1 + y² (reuses y).</summary>
    private static void Tan(ILocalDerivatives c) => c.Partial(0, C.Add(One(c), C.Multiply(c.Y, c.Y)));

    /// <summary>y = asin(a): ∂/∂a = 1/√(1 - a²).</summary>
    private static void Asin(ILocalDerivatives c) => c.Partial(0, C.Divide(One(c), OneMinusSquare(c)));

    /// <summary>y = acos(a): ∂/∂a = -1/√(1 - a²).</summary>
    private static void Acos(ILocalDerivatives c) => c.Partial(0, C.Divide(C.Number(-1, c.Kind), OneMinusSquare(c)));

    /// <summary>y = atan(a): ∂/∂a = 1/(1 + a²).</summary>
    private static void Atan(ILocalDerivatives c) =>
        c.Partial(0, C.Divide(One(c), C.Add(One(c), C.Multiply(c.Arg(0), c.Arg(0)))));

    /// <summary>y = sinh(a): ∂/∂a = cosh(a).</summary>
    private static void Sinh(ILocalDerivatives c) => c.Partial(0, Call(c, "Cosh", c.Arg(0)));

    /// <summary>y = cosh(a): ∂/∂a = sinh(a).</summary>
    private static void Cosh(ILocalDerivatives c) => c.Partial(0, Call(c, "Sinh", c.Arg(0)));

    /// <summary>y = asinh(a): ∂/∂a = 1/√(a² + 1).</summary>
    private static void Asinh(ILocalDerivatives c) =>
        c.Partial(0, C.Divide(One(c), Call(c, "Sqrt", C.Add(C.Multiply(c.Arg(0), c.Arg(0)), One(c)))));

    /// <summary>y = acosh(a): ∂/∂a = 1/√(a² - 1).</summary>
    private static void Acosh(ILocalDerivatives c) =>
        c.Partial(0, C.Divide(One(c), Call(c, "Sqrt", C.Subtract(C.Multiply(c.Arg(0), c.Arg(0)), One(c)))));

    /// <summary>y = atanh(a): ∂/∂a = 1/(1 - a²).</summary>
    private static void Atanh(ILocalDerivatives c) =>
        c.Partial(0, C.Divide(One(c), C.Subtract(One(c), C.Multiply(c.Arg(0), c.Arg(0)))));

    /// <summary>y = |a|: ∂/∂a = sign(a), 0 at a = 0 (as PyTorch and JAX).</summary>
    private static void Abs(ILocalDerivatives c)
    {
        var a = c.Arg(0);
        var zero = C.Number(0, c.Kind);
        c.Partial(0, C.Conditional(
            C.Binary(IrBinaryOp.GreaterThan, a, zero),
            One(c),
            C.Conditional(C.Binary(IrBinaryOp.LessThan, a, zero), C.Number(-1, c.Kind), zero)));
    }

    /// <summary>y = aᵇ: ∂/∂a = b·aᵇ⁻¹, ∂/∂b = y·ln a (stated only when b is active: ln a is NaN for a &lt; 0).</summary>
    private static void Pow(ILocalDerivatives c)
    {
        var a = c.Arg(0);
        var b = c.Arg(1);
        c.Partial(0, C.Multiply(b, b is CNumber { Value: 2 } ? a : Call(c, "Pow", a, C.Subtract(b, One(c)))));
        if (c.IsActive(1))
        {
            c.Partial(1, C.Multiply(c.Y, Call(c, "Log", a)));
        }
    }

    /// <summary>y = max(a, b): y is the selected argument (a on ties).</summary>
    private static void Max(ILocalDerivatives c) =>
        c.Select(C.Binary(IrBinaryOp.GreaterThanOrEqual, c.Arg(0), c.Arg(1)), () => c.Partial(0, One(c)), () => c.Partial(1, One(c)));

    /// <summary>y = min(a, b): y is the selected argument (a on ties).</summary>
    private static void Min(ILocalDerivatives c) =>
        c.Select(C.Binary(IrBinaryOp.LessThanOrEqual, c.Arg(0), c.Arg(1)), () => c.Partial(0, One(c)), () => c.Partial(1, One(c)));

    /// <summary>y = atan2(a, b): ∂/∂a = b/(a² + b²), ∂/∂b = -a/(a² + b²).</summary>
    private static void Atan2(ILocalDerivatives c)
    {
        var a = c.Arg(0);
        var b = c.Arg(1);
        var denominator = C.Add(C.Multiply(a, a), C.Multiply(b, b));
        c.Partial(0, C.Divide(b, denominator));
        c.Partial(1, C.Divide(MinusOneTimes(c, a), denominator));
    }

    /// <summary>y = log_b(a) = ln a / ln b: ∂/∂a = 1/(a·ln b), ∂/∂b = -y/(b·ln b) (reuses y).</summary>
    private static void LogBase(ILocalDerivatives c)
    {
        var lnBase = Call(c, "Log", c.Arg(1));
        c.Partial(0, C.Divide(One(c), C.Multiply(c.Arg(0), lnBase)));
        c.Partial(1, C.Divide(C.Negate(c.Y), C.Multiply(c.Arg(1), lnBase)));
    }

    /// <summary>y = a·b + c: ∂/∂a = b, ∂/∂b = a, ∂/∂c = 1.</summary>
    private static void FusedMultiplyAdd(ILocalDerivatives c)
    {
        c.Partial(0, c.Arg(1));
        c.Partial(1, c.Arg(0));
        c.Partial(2, One(c));
    }

    /// <summary>y = clamp(a, lo, hi): y is whichever of a, lo, hi was returned.</summary>
    private static void Clamp(ILocalDerivatives c) =>
        c.Select(
            C.Binary(IrBinaryOp.LessThan, c.Arg(0), c.Arg(1)),
            () => c.Partial(1, One(c)),
            () => c.Select(
                C.Binary(IrBinaryOp.GreaterThan, c.Arg(0), c.Arg(2)),
                () => c.Partial(2, One(c)),
                () => c.Partial(0, One(c))));

    private static CExpr OneMinusSquare(ILocalDerivatives c) =>
        Call(c, "Sqrt", C.Subtract(One(c), C.Multiply(c.Arg(0), c.Arg(0))));

    /// <summary>−1·x kept as a product, so that <see cref="Chain"/> puts the sign on g (<c>-g * y / b</c>).</summary>
    private static CExpr MinusOneTimes(ILocalDerivatives c, CExpr x) => new CBinary(IrBinaryOp.Multiply, C.Number(-1, c.Kind), x);

    private static CExpr One(ILocalDerivatives c) => C.Number(1, c.Kind);

    private static CExpr Call(ILocalDerivatives c, string function, params CExpr[] arguments) =>
        C.Call(c.Owner + "." + function, arguments);

    /// <summary>
    /// g·∂y/∂x, written the way a person would: <c>g / b</c> for ∂/∂a of a/b (not <c>g * (1 / b)</c>, which rounds
    /// differently), <c>g * b * a</c> left to right, the sign in front. Both modes build their products with it.
    /// </summary>
    public static CExpr Chain(CExpr g, CExpr partial) => partial switch
    {
        CBinary { Op: IrBinaryOp.Divide } d => C.Divide(Chain(g, d.Left), d.Right),
        CBinary { Op: IrBinaryOp.Multiply } m => C.Multiply(Chain(g, m.Left), m.Right),
        CUnary { Op: "-" } n => C.Negate(Chain(g, n.Operand)),
        CConditional k => C.Conditional(k.Condition, Chain(g, k.WhenTrue), Chain(g, k.WhenFalse)),
        _ => C.Multiply(g, partial),
    };
}
