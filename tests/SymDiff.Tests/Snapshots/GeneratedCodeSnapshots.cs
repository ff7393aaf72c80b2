using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Snapshots;

/// <summary>
/// The generated code is a product surface: these snapshots pin it down. A change shows up as a
/// <c>.received.cs</c> file next to the <c>.verified.cs</c> one, to review and accept.
/// </summary>
public sealed class GeneratedCodeSnapshots
{
    [Fact]
    public void TanhNetwork() => VerifySingle("""
        using System;
        using SymDiff;

        namespace Samples;

        public static partial class TanhNet
        {
            [Differentiable]
            public static double Loss(double w1, double w2, double x, double y)
            {
                var h = Math.Tanh(w1 * x);
                var o = Math.Tanh(w2 * h);
                return 0.5 * (y - o) * (y - o);
            }
        }
        """);

    /// <summary>Element reads of a differentiated tensor: printed as the indexer, each with its rule in the reverse sweep.</summary>
    [Fact]
    public void ElementReadsInALoop() => VerifySingle("""
        using SymDiff;

        public static partial class Readout
        {
            [Differentiable]
            public static double Weighted(DTensor<double> w, int n)
            {
                var total = 0.0;
                for (var i = 0; i < n; i++)
                {
                    total += w[i] * w[i] * i;
                }

                return total + w[0];
            }
        }
        """);

    [Fact]
    public void EarlyReturnAndBranches() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Piecewise
        {
            [Differentiable]
            public static double Huber(double residual, [NoDiff] double delta)
            {
                var size = Math.Abs(residual);
                if (size <= delta)
                {
                    return 0.5 * residual * residual;
                }

                return delta * (size - (0.5 * delta));
            }
        }
        """);

    [Fact]
    public void LocalsReassignedInBranches() => VerifySingle("""
        using SymDiff;

        namespace Samples.Nested;

        internal static partial class Outer
        {
            internal partial class Inner
            {
                [Differentiable]
                internal static double Accumulate(double a, double b, bool twice)
                {
                    var s = a * b;
                    if (twice)
                    {
                        s += a * b;
                    }
                    else
                    {
                        s = s - b;
                    }

                    s *= a;
                    return s;
                }
            }
        }
        """);

    [Fact]
    public void Composition() => VerifySingle("""
        using System;
        using SymDiff;

        namespace Samples;

        public static partial class Layers
        {
            [Differentiable]
            public static double Neuron(double w, double b, double x) => Math.Tanh((w * x) + b);

            [Differentiable]
            public static double TwoNeurons(double w1, double w2, double b, [NoDiff] double x) => Neuron(w2, b, Neuron(w1, 0.0, x));
        }
        """);

    /// <summary>
    /// A call with tensor arguments to a method of another file (not inlined), inside a loop: the Hessian-vector product
    /// calls the callee's product and gradient into per-iteration slots and adds its partials and H·v back in the reverse
    /// loop. Only the caller's file is verified.
    /// </summary>
    [Fact]
    public void TensorCallToAnotherFilesMethod()
    {
        const string callee = """
            using SymDiff;

            public static partial class Energy
            {
                [Differentiable]
                public static double Of(DTensor<double> w, DTensor<double> h, double scale) =>
                    DTensor.Sum(DTensor.Square(DTensor.Tanh(DTensor.Multiply(DTensor.MatMul(h, w), scale))));
            }
            """;
        const string caller = """
            using SymDiff;

            public static partial class Unrolled
            {
                [Differentiable]
                public static double Loss(DTensor<double> w, DTensor<double> h0, double a, int steps)
                {
                    var h = h0;
                    var s = 0.0;
                    for (var t = 0; t < steps; t++)
                    {
                        s += Energy.Of(w, h, a);
                        h = DTensor.Tanh(DTensor.MatMul(h, w));
                    }

                    return s * s;
                }
            }
            """;
        var run = GeneratorHarness.Run(callee, caller);
        run.AssertNoDiagnostics();
        Snapshot.VerifyAll(run.Sources.Where(f => f.Key.StartsWith("Unrolled.", StringComparison.Ordinal)));
    }

    [Fact]
    public void FloatWithMathF() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class FloatModel
        {
            [Differentiable]
            public static float Softplus(float x, float beta) => MathF.Log(1f + MathF.Exp(beta * x)) / beta;
        }
        """);

    [Fact]
    public void SelectionRulesAndConditional() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Selection
        {
            [Differentiable]
            public static double Clip(double x, double lo, double hi) => x > 0 ? Math.Min(Math.Max(x, lo), hi) : Math.Abs(x) * lo;
        }
        """);

    /// <summary>A variable named t: its versions (t_1) never sit beside temporaries t0, t1 (those become tmp0, ...).</summary>
    [Fact]
    public void AVariableNamedT() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Clock
        {
            [Differentiable]
            public static double Phase(double x, double w)
            {
                var t = x * w;
                t = t * t + Math.Sin(x);
                return Math.Cos(t * w) * x;
            }
        }
        """);

    [Fact]
    public void GuardThrowsAndPassiveValues() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Scaled
        {
            [Differentiable]
            public static double Power(double x, int n, double scale)
            {
                if (n < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(n));
                }

                var factor = n * 0.5;
                return Math.Pow(x, n) * factor * scale;
            }
        }
        """);

    [Fact]
    public void TensorMlp() => VerifySingle("""
        using System;
        using SymDiff;

        namespace Samples;

        public static partial class Mlp
        {
            [Differentiable]
            public static float Loss(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, DTensor<float> b2, [NoDiff] DTensor<float> x, [NoDiff] ReadOnlySpan<int> y)
            {
                var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
                var logits = DTensor.AddRowBias(DTensor.MatMul(h, w2), b2);
                return DTensor.CrossEntropy(logits, y);
            }
        }
        """);

    [Fact]
    public void TensorEmbeddingConcatenation() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Language
        {
            [Differentiable]
            public static float Loss(DTensor<float> c, DTensor<float> h, DTensor<float> d, DTensor<float> u, [NoDiff] ReadOnlySpan<int> context, [NoDiff] ReadOnlySpan<int> next, int batch)
            {
                var x = DTensor.Reshape(DTensor.Embedding(c, context), batch, -1);
                var hidden = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, h), d));
                return DTensor.CrossEntropy(DTensor.MatMul(hidden, u), next);
            }
        }
        """);

    [Fact]
    public void CustomRulesAndTensorBranches() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Custom
        {
            [Differentiable]
            public static double Loss(DTensor<double> x, double s, bool squash) =>
                DTensor.Mean(squash ? DTensor.Sigmoid(x) : DTensor.Relu(x)) * SoftSign(s);

            public static double SoftSign(double v) => v / (1 + Math.Abs(v));

            [PullbackOf(nameof(SoftSign))]
            public static void SoftSignPullback(double v, double result, double dResult, ref double dv) =>
                dv += dResult / ((1 + Math.Abs(v)) * (1 + Math.Abs(v)));
        }
        """);

    [Fact]
    public void ForEachOverASpan() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Regression
        {
            [Differentiable]
            public static double Loss(double w, double b, ReadOnlySpan<double> xs, double[] ys)
            {
                double loss = 0;
                var k = 0;
                foreach (var x in xs)
                {
                    var error = Math.Tanh(w * x + b) - ys[k];
                    loss += error * error;
                    k++;
                }

                return loss / xs.Length;
            }
        }
        """);

    [Fact]
    public void SwitchExpressionAndPatterns() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Activations
        {
            [Differentiable]
            public static double Apply(double x, int kind) => kind switch
            {
                0 => Math.Tanh(x),
                1 => x is > 0 ? x : 0.01 * x,
                _ => x * (1 / (1 + Math.Exp(-x))),
            };
        }
        """);

    [Fact]
    public void ReturnInsideALoop() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Search
        {
            [Differentiable]
            public static double Escape(double x, double rate, int steps)
            {
                double v = x;
                for (int i = 0; i < steps; i++)
                {
                    v = v * rate + Math.Sin(v);
                    if (v > 2)
                    {
                        return v * v;
                    }
                }

                return -v;
            }
        }
        """);

    [Fact]
    public void ScalarLoopWithBreakAndContinue() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Series
        {
            [Differentiable]
            public static double Damped(double x, double rate, int steps)
            {
                double s = 0;
                double v = x;
                for (int i = 0; i < steps; i++)
                {
                    v = v * rate + Math.Sin(v);
                    if (v > 10)
                    {
                        break;
                    }

                    if (i % 2 == 1)
                    {
                        continue;
                    }

                    s += v * v;
                }

                return s;
            }
        }
        """);

    [Fact]
    public void NestedLoops() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Grid
        {
            [Differentiable]
            public static double Sum(double a, double b, int rows, int columns)
            {
                double total = 0;
                for (int i = 0; i < rows; i++)
                {
                    double row = a;
                    for (int j = 0; j < columns; j++)
                    {
                        row = Math.Tanh(row * b + j);
                    }

                    total += row * i;
                }

                return total;
            }
        }
        """);

    [Fact]
    public void TensorCarriedThroughNestedLoops() => VerifySingle("""
        using SymDiff;

        public static partial class Stack
        {
            [Differentiable]
            public static double Loss(DTensor<double> w, DTensor<double> h0, int outer, int inner)
            {
                var h = h0;
                for (var i = 0; i < outer; i++)
                    for (var j = 0; j < inner; j++)
                        h = DTensor.Tanh(DTensor.MatMul(h, w));
                return DTensor.Sum(h);
            }
        }
        """);

    [Fact]
    public void RecurrentNetworkThroughTime() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Elman
        {
            [Differentiable]
            public static float Loss(
                DTensor<float> embed, DTensor<float> w, DTensor<float> u, DTensor<float> b, DTensor<float> v,
                [NoDiff] DTensor<float> h0, [NoDiff] ReadOnlySpan<int> inputs, [NoDiff] ReadOnlySpan<int> targets, int batch)
            {
                var h = h0;
                float loss = 0;
                var steps = inputs.Length / batch;
                for (int t = 0; t < steps; t++)
                {
                    var x = DTensor.Embedding(embed, inputs.Slice(t * batch, batch));
                    h = DTensor.Tanh(DTensor.AddRowBias(DTensor.Add(DTensor.MatMul(x, w), DTensor.MatMul(h, u)), b));
                    loss += DTensor.CrossEntropy(DTensor.MatMul(h, v), targets.Slice(t * batch, batch));
                }

                return loss / steps;
            }
        }
        """);

    /// <summary>
    /// A user's for loop keeps its header, its names and its break in every generated method: s += t, not SSA copies
    /// (s_2 = s_1 + t; s_1 = s_2;), and break; rather than a flag the condition tests.
    /// </summary>
    [Fact]
    public void ForLoopKeepsItsShape() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Accumulator
        {
            [Differentiable]
            public static double Total(double x, double w, int steps)
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
        }
        """);

    /// <summary>A do-while loop prints as do { ... } while (test); rather than a while over a 'first' flag.</summary>
    [Fact]
    public void DoWhileKeepsItsShape() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Settle
        {
            [Differentiable]
            public static double Root(double x, double c)
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
        }
        """);

    /// <summary>
    /// A while loop with a break keeps its shape in every generated method, the pushforward's included: while (test)
    /// with break;, y and its tangent dy updated in place.
    /// </summary>
    [Fact]
    public void WhileLoopKeepsItsShape() => VerifySingle("""
        using System;
        using SymDiff;

        public static partial class Shrink
        {
            [Differentiable]
            public static double Halve(double x, double a)
            {
                double y = x;
                int n = 0;
                while (y > a)
                {
                    y = y * 0.5 + Math.Sin(y) * a;
                    n++;
                    if (n > 50)
                    {
                        break;
                    }
                }

                return y * y;
            }
        }
        """);

    /// <summary>Runs the generator on one [Differentiable] method and verifies its single generated file.</summary>
    private static void VerifySingle(string source, [System.Runtime.CompilerServices.CallerMemberName] string method = "")
    {
        var run = GeneratorHarness.Run(source);
        run.AssertNoDiagnostics();
        Assert.NotEmpty(run.Sources);
        Snapshot.VerifyAll(run.Sources, method: method);
    }
}
