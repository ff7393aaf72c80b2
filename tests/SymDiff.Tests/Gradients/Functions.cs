namespace SymDiff.Tests.Gradients;

/// <summary>
/// Functions compiled with the generator as part of this test project: together they cover every construct of the
/// supported subset. Each has a generated <c>{Name}Gradient</c> and <c>{Name}Pullback</c>.
/// </summary>
public static partial class Functions
{
    private const double Half = 0.5;

    [Differentiable]
    public static double Add(double a, double b) => a + b;

    [Differentiable]
    public static double Subtract(double a, double b) => a - b;

    [Differentiable]
    public static double Multiply(double a, double b) => a * b;

    [Differentiable]
    public static double Divide(double a, double b) => a / b;

    [Differentiable]
    public static double Negate(double a, double b) => -a * b + -(b);

    [Differentiable]
    public static double Polynomial(double a, double b) => (3 * a * a * a) - (2 * a * b) + (b * b) - 7;

    [Differentiable]
    public static double Constants(double a)
    {
        const double scale = 2.5;
        return (Math.PI * a * a) + (scale * a) + Half;
    }

    [Differentiable]
    public static double Tanh(double a, double b) => Math.Tanh(a * b);

    [Differentiable]
    public static double Exp(double a, double b) => Math.Exp(a - (b * b));

    [Differentiable]
    public static double Log(double a, double b) => Math.Log(a * b);

    [Differentiable]
    public static double Sqrt(double a, double b) => Math.Sqrt((a * a) + b);

    [Differentiable]
    public static double Pow(double a, double b) => Math.Pow(a, b);

    [Differentiable]
    public static double PowConstant(double a) => Math.Pow(a, 3) + Math.Pow(a, 2);

    [Differentiable]
    public static double SinCos(double a, double b) => Math.Sin(a) * Math.Cos(b);

    [Differentiable]
    public static double Abs(double a, double b) => Math.Abs(a - b) * b;

    [Differentiable]
    public static double MaxMin(double a, double b) => Math.Max(a, b) + (2 * Math.Min(a * b, 1.0));

    [Differentiable]
    public static double Trigonometry(double a) =>
        Math.Tan(a) + Math.Atan(a) + Math.Asin(a / 2) + Math.Acos(a / 3) + Math.Sinh(a) + Math.Cosh(a);

    [Differentiable]
    public static double Logarithms(double a) => Math.Log10(a) + Math.Log2(a) + Math.Cbrt(a);

    [Differentiable]
    public static double InverseHyperbolic(double a) => Math.Asinh(a) + Math.Acosh(a + 2) + Math.Atanh(a / 2);

    [Differentiable]
    public static double LogWithBase(double a, double b) => Math.Log(a, b) + Math.Log(a * a, 3);

    [Differentiable]
    public static float LogWithBaseF(float a, float b) => MathF.Log(a, b) * MathF.Asinh(b);

    [Differentiable]
    public static double TwoArgumentFunctions(double a, double b, double c) =>
        Math.Atan2(a, b) + Math.FusedMultiplyAdd(a, b, c) + Math.Clamp(a, -0.5, c) + (a % b);

    [Differentiable]
    public static double Reassigned(double a, double b)
    {
        var s = a;
        s = s * b;
        s += a;
        s -= b;
        s *= 2;
        s /= b;
        return s;
    }

    [Differentiable]
    public static double DeclaredWithoutInitializer(double a, double b)
    {
        double t;
        t = a * b;
        double u = 0, v = t;
        u = v + a;
        return t + u;
    }

    [Differentiable]
    public static double IfElse(double a, double b)
    {
        double r;
        if (a > b)
        {
            r = a * a;
        }
        else
        {
            r = b * b * a;
        }

        return r + a;
    }

    [Differentiable]
    public static double Conditional(double a, double b) => a > 0 ? a * b : b / a;

    [Differentiable]
    public static double EarlyReturn(double a, double b)
    {
        if (a < 0)
        {
            return -a * b;
        }

        var t = a * b;
        return t * t;
    }

    [Differentiable]
    public static double NestedBranches(double a, double b)
    {
        var r = a;
        if (a > 0)
        {
            if (b > 0)
            {
                r = a * b;
            }
            else
            {
                r = Math.Exp(b) * a;
            }

            r = r + b;
        }
        else if (b > 1)
        {
            return b * b;
        }

        return r * a;
    }

    [Differentiable]
    public static double Relu(double a) => a > 0 ? a : 0.0;

    /// <summary>A switch expression over a passive mode whose last arm switches on a differentiated value (with a guard).</summary>
    [Differentiable]
    public static double SwitchArms(double x, double y, int mode) => mode switch
    {
        0 => Math.Tanh(x * y),
        1 or 2 => (x * x) + y,
        _ => x switch
        {
            < -1 => -1 - y,
            > 1 and < 3 when y > 0 => x * y,
            _ => Math.Sin(x) * y,
        },
    };

    /// <summary>
    /// v is used once in each arm of the outer switch, but in the second arm only under a nested condition and in the
    /// first only through Min's case split: its gradient is not the arms' gradient unchanged (a random program found
    /// the generator sharing it, so the gradient leaked into runs that took the last arm).
    /// </summary>
    [Differentiable]
    public static double NestedArmUse(double x, double y)
    {
        var v = Math.Sin(x);
        var t = y / ((y * y) + 1.0);
        return Math.Tanh((t switch { > 0.5 => Math.Min(-0.0, v), < -0.5 and > -1.5 => v, _ => t }) - y);
    }

    /// <summary>A switch statement: shared sections, a guarded pattern that returns, a default in the middle.</summary>
    [Differentiable]
    public static double SwitchStatement(double x, double y, int mode)
    {
        double r = y;
        switch (mode)
        {
            case 0:
                r = Math.Tanh(x * y);
                break;
            default:
                r = Math.Sin(x) * r;
                break;
            case 1:
            case 2:
                r += x * x;
                break;
            case > 5 when y > 0:
                return x * y;
        }

        return r * 2;
    }

    /// <summary>A switch inside a loop whose sections continue the loop or fall out of the switch.</summary>
    [Differentiable]
    public static double SwitchInLoop(double x, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            switch (i % 3)
            {
                case 0:
                    s += x;
                    break;
                case 1:
                    continue;
                default:
                    s *= x;
                    break;
            }

            s = Math.Tanh(s);
        }

        return s;
    }

    /// <summary>
    /// Local functions, inlined: a static one, one that captures and assigns a variable of the loop that calls it,
    /// one with an early return, and one with a loop that returns from inside.
    /// </summary>
    [Differentiable]
    public static double LocalFunctions(double x, double y, int n)
    {
        double acc = 0;
        for (var i = 0; i < n; i++)
        {
            acc += Softplus((x * i) - y);
            Damp();
        }

        return acc + Clip(x) + FirstAbove(y);

        static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

        void Damp() => acc = Math.Tanh(acc) * y;

        double Clip(double v)
        {
            if (v > 1)
            {
                return 1;
            }

            return v * y;
        }

        static double FirstAbove(double v)
        {
            for (var k = 0; k < 5; k++)
            {
                v = (v * 1.5) + 0.1;
                if (v > 2)
                {
                    return v * v;
                }
            }

            return v;
        }
    }

    /// <summary>'is' patterns in conditions: relational, and/or/not, constants.</summary>
    [Differentiable]
    public static double PatternConditions(double x, double y, int n)
    {
        var r = x is >= 0 and <= 1 ? x * y : y;
        if (x is not > 2 || n is 0 or 7)
        {
            r += Math.Exp(x);
        }

        return r;
    }

    [Differentiable]
    public static double PassiveCondition(double a, double b, [NoDiff] bool square, int times)
    {
        var r = square ? a * a : a;
        if (times > 1 && !square)
        {
            r = r * times;
        }

        return r * b;
    }

    [Differentiable]
    public static double Square(double a) => a * a;

    [Differentiable]
    public static double CallsOther(double a, double b) => Square(a * b) + Square(b);

    [Differentiable]
    public static double CallsWithConstant(double a) => Square(3.0) * a + Inner(a, 2.0);

    [Differentiable]
    public static double Inner(double x, double y) => Math.Sin(x) * y;

    [Differentiable]
    public static double Composite(double a, double b) => Inner(Inner(a, b), a);

    [Differentiable]
    public static double NoDiffScale(double a, [NoDiff] double scale) => scale * a * a;

    /// <summary>
    /// An active argument handed to the callee's [NoDiff] parameter: the callee is a constant in it, so the call is
    /// not inlined (that would differentiate through it) but goes through the callee's pullback: d/da = scale only.
    /// The stop-gradient is intended here, so the warning that says so is silenced.
    /// </summary>
    [Differentiable]
#pragma warning disable SD1005
    public static double ThroughNoDiff(double a) => NoDiffScale(a, a);
#pragma warning restore SD1005

    [Differentiable]
    public static double IntegerExponent(double a, int n) => Math.Pow(a, n) + n;

    [Differentiable]
    public static double ExpressionBodied(double a) => a * a * a;

    [Differentiable]
    public static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));

    [Differentiable]
    public static double Softplus(double a) => Math.Log(1 + Math.Exp(a));

    [Differentiable]
    public static double Guarded(double a, double b)
    {
        if (b == 0)
        {
            throw new ArgumentException("b must not be zero", nameof(b));
        }

        return a / b;
    }

    [Differentiable]
    public static double Increments(double a)
    {
        var x = a;
        x++;
        ++x;
        x--;
        var y = x++ * a;
        return x * y;
    }

    [Differentiable]
    public static double MixedPrecision(double a, double b)
    {
        var f = (float)a;
        double widened = f;
        return widened * b;
    }

#pragma warning disable SD1003 // these two test that a parameter the result ignores gets a zero gradient
    [Differentiable]
    public static double UnusedParameter(double a, double b) => a * a;

    [Differentiable]
    public static double ReturnsParameter(double a) => a;

    [Differentiable]
    public static double ReturnsConstant(double a) => 3.0;
#pragma warning restore SD1003

    [Differentiable]
    public static double KeywordNames(double @do, double dx, double x) => @do * dx * x;

    // A value used once in each branch: shared gradient when both branches pass the derivative through unchanged,
    // a normal one when they do not (product), or when one branch contributes nothing (times zero).
    [Differentiable]
    public static double BranchesPassThrough(double a, double b, double c)
    {
        var v = a * b;
        double y;
        if (c > 0)
        {
            y = v + c;
        }
        else
        {
            y = v;
        }

        return y * y;
    }

    [Differentiable]
    public static double BranchesScaleDifferently(double a, double b, double c)
    {
        var v = a * b;
        double y;
        if (c > 0)
        {
            y = v * c;
        }
        else
        {
            y = v;
        }

        return y * y;
    }

    [Differentiable]
    public static double OneBranchDropsTheDerivative(double a, double b, double c)
    {
        var v = a * b;
        var y = c > 0 ? v + c : (v * 0.0) + c;
        return y * y;
    }

    [Differentiable]
    public static double CommonSubexpressions(double a, double b) => ((a - b) * (a - b)) + Math.Tanh(a - b);

    [Differentiable]
    public static double TanhNetwork(double w1, double w2, [NoDiff] double x, [NoDiff] double y)
    {
        var h = Math.Tanh(w1 * x);
        var o = Math.Tanh(w2 * h);
        return 0.5 * (y - o) * (y - o);
    }

    [Differentiable]
    internal static double InternalAccessibility(double a) => a * 4;

    [Differentiable]
    public static float FloatTanhNetwork(float w1, float w2, [NoDiff] float x, [NoDiff] float y)
    {
        var h = MathF.Tanh(w1 * x);
        var o = MathF.Tanh(w2 * h);
        return 0.5f * (y - o) * (y - o);
    }

    [Differentiable]
    public static float FloatMath(float a, float b) =>
        MathF.Exp(a * 0.5f) + MathF.Sqrt(b) + Math.Abs(a - b) + MathF.Max(a, b) + MathF.Log(b) + MathF.Pow(b, a);

    [Differentiable]
    public static float FloatBranches(float a, float b)
    {
        var r = a * b;
        if (r > 1f)
        {
            r = MathF.Sin(r);
        }

        return r > 0 ? r * a : r / b;
    }

    [Differentiable]
    public static float FloatWithDouble(float a, double b) => (float)(Math.Tanh(a) * b) * a;

    [Differentiable]
    public static float FloatDivideRemainder(float a, float b) => (a / b) + (a % b);
}
