using Microsoft.CodeAnalysis;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Diagnostics;

/// <summary>
/// What second order (Hessian-vector products) reports: pullback-tangent rules that do not fit (SD0019), a method whose
/// product is not generated because an op's pullback has no such rule (SD2002, at the call), and a call to such a
/// method's product (SD0020, at that call).
/// </summary>
public sealed class HessianVectorProductDiagnosticTests
{
    private const string Softplus = """
        using System;
        using SymDiff;

        public static partial class C
        {
            public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

            [PullbackOf(nameof(Softplus))]
            static void SoftplusPullback(double x, double dResult, ref double dx) => dx += dResult / (1 + Math.Exp(-x));

        """;

    [Fact]
    public void APullbackTangentRuleThatDoesNotFitIsAnErrorAtTheRuleWithTheSignatureThatWould()
    {
        var source = Softplus + """
                [PullbackTangentOf(nameof(Softplus))]
                static void SoftplusPullbackTangent(double x, double dResult, double vx, ref double vdx) => vdx += vx;
            }
            """;
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("SD0019", diagnostic.Id);
        var message = diagnostic.GetMessage();
        Assert.Contains("it needs 'double vdResult', the tangent of dResult, but has 'vdx'", message, StringComparison.Ordinal);
        Assert.Contains(
            "static void SoftplusPullbackTangent(double x, double result, double dResult, double vx, double vresult, double vdResult, ref double vdx)",
            message,
            StringComparison.Ordinal);
        Assert.Equal("SoftplusPullbackTangent", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Fact]
    public void AnOutputPassedByValueIsNamedInTheMessage()
    {
        var source = Softplus + """
                [PullbackTangentOf(nameof(Softplus))]
                static void SoftplusPullbackTangent(double x, double dResult, double vx, double vdResult, double vdx) { }
            }
            """;
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("SD0019", diagnostic.Id);
        Assert.Contains("parameter 'vdx' must be 'ref double vdx'", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void AFittingPullbackTangentRuleIsNotReported()
    {
        var source = Softplus + """
                [PullbackTangentOf(nameof(Softplus))]
                static void SoftplusPullbackTangent(double x, double dResult, double vx, double vdResult, ref double vdx)
                {
                    var s = 1 / (1 + Math.Exp(-x));
                    vdx += (vdResult * s) + (dResult * s * (1 - s) * vx);
                }
            }
            """;
        Assert.Empty(GeneratorHarness.Run(source).GeneratorDiagnostics);
    }

    [Fact]
    public void AnOpWithoutAPullbackTangentRuleIsNamedAtTheCallAndReachingTheProductIsAnErrorThere()
    {
        var source = Softplus + """
                [PushforwardOf(nameof(Softplus))]
                static double SoftplusPushforward(double x, double dx) => dx / (1 + Math.Exp(-x));

                [Differentiable]
                public static double F(double a) => Softplus(a) * a;
            }
            """;
        var run = GeneratorHarness.Run(source);
        run.AssertNoDiagnostics(); // a build that never asks for F's Hessian-vector product is unaffected
        var message = Assert.Single(run.Messages);
        Assert.Equal(("SD2002", DiagnosticSeverity.Info), (message.Id, message.Severity));
        Assert.Equal("Softplus(a)", source.Substring(message.Location.SourceSpan.Start, message.Location.SourceSpan.Length));
        const string rule = "[PullbackTangentOf(typeof(C), nameof(C.Softplus))] static void SoftplusPullbackTangent(double x, double result, double dResult, double vx, double vresult, double vdResult, ref double vdx)";
        Assert.Contains("add one beside its pullback: " + rule, message.GetMessage(), StringComparison.Ordinal);

        const string caller = """
            public static class Newton
            {
                public static double Curvature(double a) => C.FHessianVectorProduct(a, 1.0, out var hv) * 0 + hv;
            }
            """;
        var reached = GeneratorHarness.Run(source, caller);
        var error = Assert.Single(reached.AllDiagnostics);
        Assert.Equal(("SD0020", DiagnosticSeverity.Error), (error.Id, error.Severity));
        Assert.Contains(rule, error.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("FHessianVectorProduct", caller.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length), StringComparison.Ordinal);
    }

    [Fact]
    public void TheRuntimesOpsAllHavePullbackTangentRules()
    {
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(DTensor<double> x, DTensor<double> gamma, DTensor<double> beta, DTensor<double> w, double p, double lo, double hi)
                {
                    var h = DTensor.Gelu(DTensor.LayerNorm(x, gamma, beta));
                    var scores = DTensor.CausalSoftmax(DTensor.BatchMatMul(DTensor.Reshape(h, 1, 3, 4), DTensor.Reshape(w, 1, 4, 3)));
                    var q = DTensor.Divide(DTensor.Pow(DTensor.Exp(scores), p), DTensor.Add(DTensor.Exp(scores), 1.0));
                    var r = DTensor.Maximum(DTensor.Minimum(q, DTensor.Divide(q, p)), DTensor.Clamp(q, lo, hi));
                    return DTensor.Sum(DTensor.Concat(DTensor.Dropout(r, 0.1, 5UL), r));
                }
            }
            """;
        var run = GeneratorHarness.Run(source);
        run.AssertNoDiagnostics();
        Assert.Empty(run.Messages); // no SD2002: each op's pullback has its rule
    }

    [Fact]
    public void WithTheRuleTheProductIsGeneratedAndMatchesTheClosedForm()
    {
        var source = Softplus + """
                [PushforwardOf(nameof(Softplus))]
                static double SoftplusPushforward(double x, double dx) => dx / (1 + Math.Exp(-x));

                [PullbackTangentOf(nameof(Softplus))]
                static void SoftplusPullbackTangent(double x, double dResult, double vx, double vdResult, ref double vdx)
                {
                    var s = 1 / (1 + Math.Exp(-x));
                    vdx += (vdResult * s) + (dResult * s * (1 - s) * vx);
                }

                [Differentiable]
                public static double F(double a) => Softplus(a) * a;
            }
            """;
        Assert.Empty(GeneratorHarness.Run(source).Messages);
        var type = GeneratorHarness.CompileAndLoad(source).GetType("C")!;
        var arguments = new object?[] { 0.7, 1.0, 0.0 };
        type.GetMethod("FHessianVectorProduct")!.Invoke(null, arguments);

        // F = a·softplus(a): F'' = 2σ(a) + a·σ(a)(1 − σ(a)).
        var s = 1 / (1 + Math.Exp(-0.7));
        Assert.Equal((2 * s) + (0.7 * s * (1 - s)), (double)arguments[2]!, 12);
    }

    /// <summary>A loop over scalars has its product (its reverse loop reads what the forward sweep taped): F = 3a², H = 6.</summary>
    [Fact]
    public void AMethodWithAScalarLoopHasAProduct()
    {
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a)
                {
                    var s = 0.0;
                    for (var i = 0; i < 3; i++)
                    {
                        s += a * a;
                    }

                    return s;
                }
            }
            """;
        var type = GeneratorHarness.CompileAndLoad(source).GetType("C")!;
        var arguments = new object?[] { 0.7, 0.5, null };
        Assert.Equal(3 * 0.7 * 0.7, (double)type.GetMethod("FHessianVectorProduct")!.Invoke(null, arguments)!, 12);
        Assert.Equal(6 * 0.5, (double)arguments[2]!, 12);
    }

    /// <summary>A loop over tensors has a product: each iteration tapes its tensors and their tangents.</summary>
    [Fact]
    public void ALoopOverTensorsHasAProduct()
    {
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(DTensor<double> w, [NoDiff] DTensor<double> x)
                {
                    var h = x;
                    for (var t = 0; t < 2; t++)
                    {
                        h = DTensor.Multiply(h, w);
                    }

                    return DTensor.Sum(h);
                }
            }
            """;
        // F = Σ x ⊙ w², so H·v = 2 x ⊙ v elementwise.
        var type = GeneratorHarness.CompileAndLoad(source).GetType("C")!;
        var (w, x, v, hv) = (DTensor<double>.FromArray([0.5, -1.5], 2), DTensor<double>.FromArray([2.0, 3.0], 2), DTensor<double>.FromArray([0.25, 4.0], 2), DTensor.Zeros<double>(2));
        var value = (double)type.GetMethod("FHessianVectorProduct")!.Invoke(null, [w, x, v, hv])!;
        Assert.Equal((2 * 0.25) + (3 * 2.25), value, 12);
        Assert.Equal([2 * 2 * 0.25, 2 * 3 * 4.0], hv.ToArray());
    }

    [Fact]
    public void ASpanMadeInABranchInsideALoopDeclaresTheProductUnusableSayingWhy()
    {
        const string source = """
            using System;
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(DTensor<double> table, [NoDiff] ReadOnlySpan<int> ids)
                {
                    double s = 0;
                    for (var t = 0; t < 2; t++)
                    {
                        if (t > 0)
                        {
                            s += DTensor.Sum(DTensor.Square(DTensor.Embedding(table, ids.Slice(t, 1))));
                        }
                    }

                    return s;
                }
            }
            """;
        const string caller = "public static class D { public static double G(SymDiff.DTensor<double> w, int[] ids) => C.FHessianVectorProduct(w, ids, w, w); }";
        var error = Assert.Single(GeneratorHarness.Run(source, caller).AllDiagnostics);
        Assert.Equal("SD0020", error.Id);
        Assert.Contains("FHessianVectorProduct is not available: forward over reverse does not cover spans carried by a loop or made in a branch inside it yet ('for (var t = 0; t < 2; t++)' has a ReadOnlySpan<int> that its reverse loop could not make again; make the span in the loop's body itself, or before the loop)", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A call inside a loop to a method of another file (not inlined): each iteration tapes the callee's partials and H·v
    /// for the reverse loop. F = 3·a⁴ (through G(x) = x²), H = 36a².
    /// </summary>
    [Fact]
    public void ACallToAnotherFilesMethodInsideALoopHasAProduct()
    {
        const string callee = """
            using SymDiff;

            public static partial class G
            {
                [Differentiable]
                public static double Square(double x) => x * x;
            }
            """;
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a)
                {
                    var s = 0.0;
                    for (var i = 0; i < 3; i++)
                    {
                        s += G.Square(a * a);
                    }

                    return s;
                }
            }
            """;
        var type = GeneratorHarness.CompileAndLoad(callee, source).GetType("C")!;
        var arguments = new object?[] { 0.7, 0.5, null };
        Assert.Equal(3 * Math.Pow(0.7, 4), (double)type.GetMethod("FHessianVectorProduct")!.Invoke(null, arguments)!, 12);
        Assert.Equal(36 * 0.7 * 0.7 * 0.5, (double)arguments[2]!, 12);
    }

    /// <summary>
    /// Calls with tensor arguments to methods of other files, two levels deep (a caller of a caller): each product calls
    /// the next one's product and gradient. F(w) = B(w) = 2·C(w) = 2·Σw², so H·v = 4v.
    /// </summary>
    [Fact]
    public void CallsWithTensorArgumentsToOtherFilesMethodsHaveProductsTwoLevelsDeep()
    {
        const string inner = """
            using SymDiff;

            public static partial class Inner
            {
                [Differentiable]
                public static double Squares(DTensor<double> w) => DTensor.Sum(DTensor.Square(w));
            }
            """;
        const string middle = """
            using SymDiff;

            public static partial class Middle
            {
                [Differentiable]
                public static double Twice(DTensor<double> w) => 2 * Inner.Squares(w);
            }
            """;
        const string outer = """
            using SymDiff;

            public static partial class Outer
            {
                [Differentiable]
                public static double F(DTensor<double> w) => Middle.Twice(w);
            }
            """;
        var run = GeneratorHarness.Run(inner, middle, outer);
        run.AssertNoDiagnostics();
        Assert.Contains("Middle.TwiceHessianVectorProduct(", run.Sources.Values.Single(v => v.Contains("FHessianVectorProduct(", StringComparison.Ordinal)), StringComparison.Ordinal);
        var type = GeneratorHarness.CompileAndLoad(inner, middle, outer).GetType("Outer")!;
        var (w, v, hv) = (DTensor<double>.FromArray([0.3, -1.2, 2.0], 3), DTensor<double>.FromArray([0.5, 0.25, -1.0], 3), DTensor.Zeros<double>(3));
        var value = (double)type.GetMethod("FHessianVectorProduct")!.Invoke(null, [w, v, hv])!;
        Assert.Equal(2 * ((0.3 * 0.3) + (1.2 * 1.2) + 4.0), value, 12);
        Assert.Equal(new[] { 2.0, 1.0, -4.0 }, hv.ToArray());
    }

    /// <summary>
    /// A callee of another file that passes tensors to an op whose pullback has no pullback-tangent rule has no product,
    /// and its caller, handing it tensors, says which callee and why (SD0020 where the caller's product is called).
    /// </summary>
    [Fact]
    public void ACallerPassingTensorsToACalleeWithoutAProductSaysWhy()
    {
        const string callee = """
            using SymDiff;

            public static partial class G
            {
                public static double Energy(DTensor<double> x) => DTensor.Sum(DTensor.Multiply(x, x));

                [PullbackOf(nameof(Energy))]
                static void EnergyPullback(DTensor<double> x, double dResult, DTensor<double>? dx)
                {
                    if (dx is not null)
                    {
                        DTensor.Add(dx, DTensor.Multiply(x, 2 * dResult), ref dx);
                    }
                }

                [PushforwardOf(nameof(Energy))]
                static double EnergyPushforward(DTensor<double> x, DTensor<double>? dx) => dx is null ? 0 : 2 * DTensor.Sum(DTensor.Multiply(x, dx));

                [Differentiable]
                public static double Loss(DTensor<double> w) => Energy(DTensor.Tanh(w));
            }
            """;
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(DTensor<double> w) => G.Loss(w) * 2;
            }
            """;
        const string caller = "public static class D { public static double H(SymDiff.DTensor<double> w) => C.FHessianVectorProduct(w, w, w); }";
        var error = Assert.Single(GeneratorHarness.Run(callee, source, caller).AllDiagnostics);
        Assert.Equal("SD0020", error.Id);
        Assert.Contains("FHessianVectorProduct is not available: 'Loss', which it calls, has no Hessian-vector product: the pullback of 'Energy' has no [PullbackTangentOf] rule", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A callee of another file that calls a tensor-valued method of its own file has a product (that method is inlined
    /// there), but its callers judge it from its declaration and body, more strictly, and do not count on it: the
    /// caller's SD0020 names the tensor-valued call. (Never more lenient than the callee's own build.)
    /// </summary>
    [Fact]
    public void ACalleeCallingATensorValuedMethodOfItsOwnFileIsNotCountedOnByOtherFiles()
    {
        const string callee = """
            using SymDiff;

            public static partial class G
            {
                [Differentiable]
                public static DTensor<double> Layer(DTensor<double> w) => DTensor.Tanh(w);

                [Differentiable]
                public static double Loss(DTensor<double> w) => DTensor.Sum(Layer(w));
            }
            """;
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(DTensor<double> w) => G.Loss(w) * 2;
            }
            """;
        const string callers = """
            public static class D
            {
                public static double H(SymDiff.DTensor<double> w, SymDiff.DTensor<double> v, SymDiff.DTensor<double> hv) => C.FHessianVectorProduct(w, v, hv);
                public static double K(SymDiff.DTensor<double> w, SymDiff.DTensor<double> v, SymDiff.DTensor<double> hv) => G.LossHessianVectorProduct(w, v, hv);
            }
            """;
        var error = Assert.Single(GeneratorHarness.Run(callee, source, callers).AllDiagnostics);
        Assert.Equal("SD0020", error.Id);
        Assert.Contains("FHessianVectorProduct is not available: 'Loss', which it calls, has no Hessian-vector product: 'Layer', which it calls, has no Hessian-vector product: it needs a scalar result", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A callee of another file whose own product is not generated (its loop makes a span in a branch) is not
    /// counted on by its callers: the caller's product is declared unusable, saying which callee and why, in the words
    /// of the callee's own declaration.
    /// </summary>
    [Fact]
    public void ACallerOfACalleeWhoseLoopMakesASpanInABranchSaysWhyItHasNoProduct()
    {
        const string callee = """
            using System;
            using SymDiff;

            public static partial class G
            {
                [Differentiable]
                public static double Windowed(double a, [NoDiff] double[] xs)
                {
                    var s = 0.0;
                    for (var i = 0; i + 2 <= xs.Length; i++)
                    {
                        if (i % 2 == 0)
                        {
                            var window = xs.AsSpan(i, 2);
                            s += a * window[0] * window[1] * a;
                        }
                    }

                    return s;
                }
            }
            """;
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a, [NoDiff] double[] xs) => G.Windowed(a * a, xs) + a;
            }
            """;
        const string why = "forward over reverse does not cover spans carried by a loop or made in a branch inside it yet ('for (var i = 0; i + 2 <= xs.Length; i++)' has a Span<double> that its reverse loop could not make again; make the span in the loop's body itself, or before the loop)";
        const string callers = """
            public static class D
            {
                public static double H(double a, double[] xs) => C.FHessianVectorProduct(a, xs, 1.0, out var hv) + hv;
                public static double K(double a, double[] xs) => G.WindowedHessianVectorProduct(a, xs, 1.0, out var hv) + hv;
            }
            """;
        var errors = GeneratorHarness.Run(callee, source, callers).AllDiagnostics.ToList();
        Assert.All(errors, e => Assert.Equal("SD0020", e.Id));
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.GetMessage().Contains("FHessianVectorProduct is not available: 'Windowed', which it calls, has no Hessian-vector product: " + why, StringComparison.Ordinal));
        Assert.Contains(errors, e => e.GetMessage().Contains("WindowedHessianVectorProduct is not available: " + why, StringComparison.Ordinal));
    }

    /// <summary>
    /// A callee of another file whose loop makes a span at the top of its body has a product (its reverse iteration makes
    /// the span again), and its callers count on it: F(a) = Σ a⁴·w₀w₁ + a over windows w, so H = 12a²·Σ w₀w₁.
    /// </summary>
    [Fact]
    public void ACallerOfACalleeWhoseLoopMakesASpanInEveryIterationUsesItsProduct()
    {
        const string callee = """
            using System;
            using SymDiff;

            public static partial class G
            {
                [Differentiable]
                public static double Windowed(double a, [NoDiff] double[] xs)
                {
                    var s = 0.0;
                    for (var i = 0; i + 2 <= xs.Length; i++)
                    {
                        var window = xs.AsSpan(i, 2);
                        s += a * window[0] * window[1] * a;
                    }

                    return s;
                }
            }
            """;
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a, [NoDiff] double[] xs) => G.Windowed(a * a, xs) + a;
            }
            """;
        var type = GeneratorHarness.CompileAndLoad(callee, source).GetType("C")!;
        double[] xs = [0.5, -2.0, 3.0];
        var arguments = new object?[] { 0.7, xs, 0.5, null };
        var pairs = (0.5 * -2.0) + (-2.0 * 3.0);
        Assert.Equal((Math.Pow(0.7, 4) * pairs) + 0.7, (double)type.GetMethod("FHessianVectorProduct")!.Invoke(null, arguments)!, 12);
        Assert.Equal(12 * 0.7 * 0.7 * pairs * 0.5, (double)arguments[3]!, 12);
    }

    /// <summary>
    /// CrossEntropy has two pullback forms, one reading the softmax its saving overload kept and one reading the logits,
    /// and one pullback-tangent rule, for the saved form. A rule reading saved state wins wherever the function can save
    /// it (DerivativeRules.Find), and the runtime's CrossEntropy always can: generated gradients and Hessian-vector
    /// products call only the saved form, so the logits form needs no tangent rule. (The product's values through it
    /// are checked against finite differences in TensorHessianVectorProductTests.MlpWithTanhAndSoftmaxCrossEntropy.)
    /// </summary>
    [Fact]
    public void HessianVectorProductsThroughCrossEntropyUseItsSavedPullbackForm()
    {
        const string source = """
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(DTensor<double> w, [NoDiff] DTensor<double> x, [NoDiff] int[] targets)
                {
                    var s = 0.0;
                    for (var i = 0; i < 2; i++)
                    {
                        s += x[i, 0] * w[0, 0];
                    }

                    return DTensor.CrossEntropy(DTensor.Tanh(DTensor.MatMul(x, w)), targets) + (s * s);
                }
            }
            """;
        var run = GeneratorHarness.Run(source);
        run.AssertNoDiagnostics();
        Assert.Empty(run.Messages);
        var generated = run.Method("public static double FHessianVectorProduct(");
        var calls = System.Text.RegularExpressions.Regex.Matches(generated, @"CrossEntropy(Pullback|PullbackTangent)?\(([^()]*(\([^()]*\))?[^()]*)\)");
        Assert.Contains(calls, c => c.Groups[1].Value == "PullbackTangent");
        Assert.Contains(calls, c => c.Groups[1].Value == "Pullback");
        foreach (System.Text.RegularExpressions.Match call in calls)
        {
            var arguments = call.Groups[2].Value.Split(", ");
            if (call.Groups[1].Value.Length == 0)
            {
                Assert.StartsWith("ref workspace.", arguments[^1], StringComparison.Ordinal); // the forward call keeps the softmax
            }
            else
            {
                // The saved form, (targets, saved, dResult, ...), never (logits, targets, dResult, ...).
                Assert.Matches(@"^workspace\.\w+Saved(\[[^\]]+\])?!$", arguments[1]);
            }
        }
    }

    /// <summary>
    /// An op whose only pullback reads its input, and whose only pullback-tangent rule is for a saved form: the rule does
    /// not fit the pullback the product would use, so the product is not generated (SD2002 at the call, SD0020 where it
    /// is called), never computed with a tangent of another pullback.
    /// </summary>
    [Fact]
    public void APullbackTangentRuleForAnotherPullbackFormIsNotUsed()
    {
        const string source = """
            using SymDiff;

            public static partial class C
            {
                public static double Energy(DTensor<double> x) => DTensor.Sum(DTensor.Multiply(x, x));

                public static double Energy(DTensor<double> x, ref DTensor<double>? saved)
                {
                    saved = DTensor.Multiply(x, 2.0);
                    return Energy(x);
                }

                [PullbackOf(nameof(Energy))]
                static void EnergyPullback(DTensor<double> x, double dResult, DTensor<double>? dx)
                {
                    if (dx is not null)
                    {
                        DTensor.Add(dx, DTensor.Multiply(x, 2 * dResult), ref dx);
                    }
                }

                [PushforwardOf(nameof(Energy))]
                static double EnergyPushforward(DTensor<double> x, DTensor<double>? dx) => dx is null ? 0 : 2 * DTensor.Sum(DTensor.Multiply(x, dx));

                [PullbackTangentOf(nameof(Energy))]
                static void EnergyPullbackTangent(DTensor<double> saved, double dResult, DTensor<double>? vx, double vdResult, DTensor<double>? vdx)
                {
                }

                [Differentiable]
                public static double F(DTensor<double> w) => Energy(DTensor.Tanh(w));
            }
            """;
        var run = GeneratorHarness.Run(source);
        var message = Assert.Single(run.Messages);
        Assert.Equal("SD2002", message.Id);
        Assert.Equal("Energy(DTensor.Tanh(w))", source.Substring(message.Location.SourceSpan.Start, message.Location.SourceSpan.Length));

        const string caller = "public static class D { public static double G(SymDiff.DTensor<double> w) => C.FHessianVectorProduct(w, w, w); }";
        var error = Assert.Single(GeneratorHarness.Run(source, caller).AllDiagnostics);
        Assert.Equal("SD0020", error.Id);
        Assert.Contains("the pullback of 'Energy' has no [PullbackTangentOf] rule", error.GetMessage(), StringComparison.Ordinal);
    }
}
