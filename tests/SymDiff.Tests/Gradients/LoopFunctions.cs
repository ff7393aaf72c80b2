namespace SymDiff.Tests.Gradients;

/// <summary>Loops: every shape the generator differentiates (for, while, do, break, continue, nesting, branches).</summary>
public static partial class Functions
{
    [Differentiable]
    public static double Power(double x, int n)
    {
        double p = 1;
        for (int i = 0; i < n; i++)
        {
            p *= x;
        }

        return p;
    }

    /// <summary>A scalar recurrent cell: h ← tanh(w·h + x), steps times.</summary>
    [Differentiable]
    public static double TanhRecurrence(double w, double x, int steps)
    {
        double h = 0.1;
        for (var t = 0; t < steps; t++)
        {
            h = Math.Tanh((w * h) + x);
        }

        return h * h;
    }

    /// <summary>A data-dependent branch inside the loop: which side runs depends on the iterate.</summary>
    [Differentiable]
    public static double BranchInLoop(double a, double b, int n)
    {
        double s = a;
        for (int i = 0; i < n; i++)
        {
            if (s > 1)
            {
                s = (s * 0.5) - b;
            }
            else
            {
                s = (s * b) + Math.Exp(-s);
            }
        }

        return s;
    }

    /// <summary>while (true) with a data-dependent break.</summary>
    [Differentiable]
    public static double WhileWithBreak(double x, double rate)
    {
        double v = x;
        int k = 0;
        while (true)
        {
            v = v + (rate * Math.Sin(v));
            k++;
            if (v > 3 || k >= 20)
            {
                break;
            }

            v *= 1.01;
        }

        return v * rate;
    }

    /// <summary>A loop inside a loop, with break and continue in the inner one.</summary>
    [Differentiable]
    public static double NestedLoops(double x, double y, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double t = x;
            for (int j = 0; j <= i; j++)
            {
                if (t > 2)
                {
                    break;
                }

                t = (t * y) + Math.Sin(t);
                if (j == 1)
                {
                    continue;
                }

                s += t;
            }

            s = (s * 0.5) + t;
        }

        return s;
    }

    [Differentiable]
    public static double DoWhile(double x, double c)
    {
        double v = x;
        int k = 0;
        do
        {
            v = Math.Sqrt(v + c);
            k++;
        }
        while (v < 5 && k < 30);
        return v * x;
    }

    [Differentiable]
    public static double ContinueInFor(double a, double b, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            if (i % 2 == 0)
            {
                continue;
            }

            s += (a * i) + (b * s);
        }

        return s;
    }

    /// <summary>Parameters reassigned in the loop, and a swap through a temporary.</summary>
    [Differentiable]
    public static double Fibonacci(double a, double b, int n)
    {
        for (int i = 0; i < n; i++)
        {
            var c = a + b;
            a = b;
            b = c;
        }

        return a * b;
    }

    [Differentiable]
    public static double LoopInBranch(double a, double b)
    {
        double r = a;
        if (a > 0)
        {
            for (int i = 0; i < 3; i++)
            {
                r = (r * b) + a;
            }
        }

        return r;
    }

    /// <summary>Calls another [Differentiable] method (its pullback runs once per reverse iteration).</summary>
    [Differentiable]
    public static double LoopCallsDifferentiable(double a, double b, int n)
    {
        double s = 0;
        for (int i = 1; i <= n; i++)
        {
            s += Tanh(a * i, b) * s + 1;
        }

        return s;
    }

    /// <summary>Indexes an input array by the loop variable.</summary>
    [Differentiable]
    public static double SumOverArray(double w, double bias, double[] xs)
    {
        double s = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            s += Math.Sin((w * xs[i]) + bias);
        }

        return s;
    }

    /// <summary><see cref="SumOverArray"/> written with <c>foreach</c>.</summary>
    [Differentiable]
    public static double ForEachOverArray(double w, double bias, double[] xs)
    {
        double s = 0;
        foreach (var x in xs)
        {
            s += Math.Sin((w * x) + bias);
        }

        return s;
    }

    /// <summary>foreach over a span of floats read as doubles, with continue and a data-dependent break.</summary>
    [Differentiable]
    public static double ForEachOverSpan(double a, double b, ReadOnlySpan<float> xs)
    {
        double s = a;
        foreach (double x in xs)
        {
            if (x < 0)
            {
                continue;
            }

            s = (s * Math.Tanh(b * x)) + x;
            if (s > 4)
            {
                break;
            }
        }

        return s * b;
    }

    /// <summary>A for loop that breaks on a differentiated value: its counter is not a step function of it (no SD1002).</summary>
    [Differentiable]
    public static double SumUntilThreshold(double w, double[] xs)
    {
        double s = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            s += w * xs[i] * xs[i];
            if (s > 3)
            {
                break;
            }
        }

        return s;
    }

    /// <summary>Returns from inside the loop when the iterate crosses a threshold, else after it.</summary>
    [Differentiable]
    public static double ReturnFromLoop(double x, double rate, int n)
    {
        double v = x;
        for (int i = 0; i < n; i++)
        {
            v = (v * rate) + Math.Sin(v);
            if (v > 2)
            {
                return v * v;
            }
        }

        return -v;
    }

    /// <summary>A return from an inner loop leaves both loops; a second loop and a branch follow.</summary>
    [Differentiable]
    public static double ReturnFromNestedLoop(double a, double b, int n)
    {
        double s = a;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                s = Math.Tanh(s * b) + (0.5 * s) + a;
                if (s > 1.5 + i)
                {
                    return s * b;
                }
            }

            s -= 0.25 * b;
        }

        var k = 0;
        while (k < n)
        {
            s = s * Math.Cos(b);
            if (s < -1)
            {
                return s + a;
            }

            k++;
        }

        return s > 0 ? s : -s * a;
    }

    /// <summary>An inner loop that reads the outer loop's counter.</summary>
    [Differentiable]
    public static double InnerLoopReadsOuterCounter(double x, double y, int n)
    {
        double t = x;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                t = Math.Tanh((t * y) + (0.1 * i));
            }
        }

        return t;
    }

    /// <summary>Nested foreach loops beside a user variable called <c>index</c> (the name the lowering uses).</summary>
    [Differentiable]
    public static double NestedForEach(double a, double[] rows, int[] columns)
    {
        double s = 0;
        var index = 0;
        foreach (var r in rows)
        {
            foreach (var c in columns)
            {
                s += Math.Exp(a * r * c) * (index + 1);
                index++;
            }
        }

        return s;
    }

    /// <summary>
    /// A for loop that breaks once its sum passes a threshold (generated code prints it as this for loop, with
    /// <c>break;</c> and <c>s += t;</c>): after the k iterations that run, s = k·x·w and the result k·x²·w.
    /// </summary>
    [Differentiable]
    public static double AccumulateUntilBreak(double x, double w, int steps)
    {
        double s = 0;
        for (int i = 0; i < steps; i++)
        {
            s += x * w;
            if (s > 2)
            {
                break;
            }
        }

        return s * x;
    }

    /// <summary>Only the loop-invariant input reaches the result: ∂/∂a = n.</summary>
    [Differentiable]
    public static double RepeatedAdd(double a, int n)
    {
        double s = 0;
        var i = 0;
        while (i < n)
        {
            s += a;
            i += 1;
        }

        return s;
    }
}

/// <summary>The same loops with checkpointing: iterations are recomputed in the reverse sweep, the gradient is the same.</summary>
public static partial class RecomputedFunctions
{
    [Differentiable(RecomputeLoops = true)]
    public static double TanhRecurrence(double w, double x, int steps)
    {
        double h = 0.1;
        for (var t = 0; t < steps; t++)
        {
            h = Math.Tanh((w * h) + x);
        }

        return h * h;
    }

    [Differentiable(RecomputeLoops = true)]
    public static double BranchInLoop(double a, double b, int n)
    {
        double s = a;
        for (int i = 0; i < n; i++)
        {
            if (s > 1)
            {
                s = (s * 0.5) - b;
            }
            else
            {
                s = (s * b) + Math.Exp(-s);
            }
        }

        return s;
    }

    [Differentiable(RecomputeLoops = true)]
    public static double WhileWithBreak(double x, double rate)
    {
        double v = x;
        int k = 0;
        while (true)
        {
            v = v + (rate * Math.Sin(v));
            k++;
            if (v > 3 || k >= 20)
            {
                break;
            }

            v *= 1.01;
        }

        return v * rate;
    }

    [Differentiable(RecomputeLoops = true)]
    public static double ForEachOverSpan(double a, double b, ReadOnlySpan<float> xs)
    {
        double s = a;
        foreach (double x in xs)
        {
            if (x < 0)
            {
                continue;
            }

            s = (s * Math.Tanh(b * x)) + x;
            if (s > 4)
            {
                break;
            }
        }

        return s * b;
    }

    [Differentiable(RecomputeLoops = true)]
    public static double ReturnFromNestedLoop(double a, double b, int n)
    {
        double s = a;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                s = Math.Tanh(s * b) + (0.5 * s) + a;
                if (s > 1.5 + i)
                {
                    return s * b;
                }
            }

            s -= 0.25 * b;
        }

        var k = 0;
        while (k < n)
        {
            s = s * Math.Cos(b);
            if (s < -1)
            {
                return s + a;
            }

            k++;
        }

        return s > 0 ? s : -s * a;
    }

    /// <summary>The recomputed inner loop reads the outer loop's counter: the reverse sweep must have it back.</summary>
    [Differentiable(RecomputeLoops = true)]
    public static double InnerLoopReadsOuterCounter(double x, double y, int n)
    {
        double t = x;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                t = Math.Tanh((t * y) + (0.1 * i));
            }
        }

        return t;
    }

    /// <summary>Only the inner loop is recomputed; the outer one keeps its values.</summary>
    [Differentiable(RecomputeLoops = true)]
    public static double NestedLoops(double x, double y, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double t = x;
            for (int j = 0; j <= i; j++)
            {
                if (t > 2)
                {
                    break;
                }

                t = (t * y) + Math.Sin(t);
                if (j == 1)
                {
                    continue;
                }

                s += t;
            }

            s = (s * 0.5) + t;
        }

        return s;
    }
}
