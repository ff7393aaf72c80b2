using Microsoft.CodeAnalysis;
using System.Reflection;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Gradients;

/// <summary>
/// Generated pushforwards (forward mode) and Hessian-vector products (forward over reverse) of every function of the
/// gradient corpus (<see cref="Functions"/>, <see cref="RecomputedFunctions"/>): a pushforward equals the gradient times the
/// direction and central finite differences along it; a Hessian-vector product equals central finite differences of the
/// generated gradient along the direction.
/// </summary>
public sealed class ForwardModeTests
{
    private static readonly double[][] Directions = { new[] { 1.0, 0.0, 0.0 }, new[] { 0.3, -0.7, 0.45 }, new[] { -1.2, 0.25, 0.8 } };

    /// <summary>Functions that round to float inside: their derivatives agree to float precision only.</summary>
    private static readonly HashSet<string> RoundsToFloat = new() { "MixedPrecision" };

    /// <summary>A deliberate stop-gradient ([NoDiff] parameter of a callee, SD1005): no finite difference to match.</summary>
    private static readonly HashSet<string> StopsGradient = new() { "ThroughNoDiff" };

    public static TheoryData<string> Methods => new(Corpus().Select(m => m.DeclaringType!.Name + "." + m.Name));

    [Fact]
    public void EveryScalarFunctionOfTheCorpusHasAPushforward()
    {
        var missing = Corpus().Where(m => Generated(m, "Pushforward") is null).Select(m => m.Name).ToList();
        Assert.True(Corpus().Count() >= 60, Corpus().Count() + " functions");
        Assert.Empty(missing);
    }

    /// <summary>
    /// A pushforward computes a sine whose tangent needs the cosine (or the reverse) with one <c>Math.SinCos</c> call,
    /// and returns the function's value: that is the function's own value only if SinCos gives the bits of Sin and Cos,
    /// which this checks on this platform (small, ordinary and huge arguments, both widths). The corpus's pushforwards
    /// are compared with their functions exactly as well (<see cref="PushforwardIsTheGradientAlongTheDirection"/>).
    /// </summary>
    [Fact]
    public void SinCosGivesTheBitsOfSinAndCos()
    {
        var rng = new Random(18);
        foreach (var scale in new[] { 1e-300, 1e-8, 1.0, 10.0, 1e3, 1e6, 1e15, 1e300 })
        {
            for (var i = 0; i < 20_000; i++)
            {
                var x = ((2 * rng.NextDouble()) - 1) * scale;
                var (sin, cos) = Math.SinCos(x);
                Assert.True(BitConverter.DoubleToInt64Bits(sin) == BitConverter.DoubleToInt64Bits(Math.Sin(x)) && BitConverter.DoubleToInt64Bits(cos) == BitConverter.DoubleToInt64Bits(Math.Cos(x)), $"Math.SinCos({x:R})");
                var f = float.IsFinite((float)x) ? (float)x : (float)(x / scale); // in float range
                var (sinF, cosF) = MathF.SinCos(f);
                Assert.True(BitConverter.SingleToInt32Bits(sinF) == BitConverter.SingleToInt32Bits(MathF.Sin(f)) && BitConverter.SingleToInt32Bits(cosF) == BitConverter.SingleToInt32Bits(MathF.Cos(f)), $"MathF.SinCos({f:R})");
            }
        }
    }

    /// <summary>Loops included: their reverse loops read what the forward sweep taped, values and tangents.</summary>
    [Fact]
    public void EveryScalarFunctionOfTheCorpusHasAHessianVectorProduct()
    {
        var missing = Corpus().Where(m => Generated(m, "HessianVectorProduct") is null).Select(m => m.DeclaringType!.Name + "." + m.Name).ToList();
        Assert.Empty(missing);
        Assert.Contains(Corpus(), m => m.Name == nameof(Functions.NestedLoops) && Generated(m, "HessianVectorProduct") is not null);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void PushforwardIsTheGradientAlongTheDirection(string name)
    {
        var method = Find(name);
        var pushforward = Generated(method, "Pushforward")!;
        var gradient = Generated(method, "Gradient")!;
        var checkedPoints = 0;
        foreach (var (point, direction) in Points(method))
        {
            if (Invoke(method, point) is not { } value)
            {
                continue; // the function itself throws here (a guard)
            }

            var (pushed, dResult) = Pushforward(pushforward, method, point, direction);
            Assert.Equal(value, pushed);
            var (_, g) = Gradient(gradient, method, point);
            var expected = g.Zip(direction).Sum(p => p.First * p.Second);
            var tolerance = RoundsToFloat.Contains(method.Name) ? 1e-6 : 1e-10;
            Assert.True(Math.Abs(dResult - expected) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{name}: pushforward {dResult}, gradient·v {expected}");

            if (StopsGradient.Contains(method.Name))
            {
                checkedPoints++;
            }
            else if (DirectionalDifference(x => Invoke(method, x), point, direction, Differentiable(method), RoundsToFloat.Contains(method.Name) ? 1e-2 : 1e-6) is { } numeric)
            {
                Assert.True(Math.Abs(dResult - numeric) <= (RoundsToFloat.Contains(method.Name) ? 1e-3 : 1e-5) * Math.Max(1, Math.Abs(numeric)), $"{name}: pushforward {dResult}, finite differences {numeric}");
                checkedPoints++;
            }
        }

        Assert.True(checkedPoints > 0, name + ": no point away from kinks");
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void HessianVectorProductIsTheGradientsDerivativeAlongTheDirection(string name)
    {
        var method = Find(name);
        // A stop-gradient blocks tangents too (as JAX's stop_gradient): the product is not the finite-difference
        // derivative of a gradient that treats the argument as a constant.
        if (Generated(method, "HessianVectorProduct") is not { } hvp || StopsGradient.Contains(method.Name))
        {
            return;
        }

        var gradient = Generated(method, "Gradient")!;
        var differentiable = Differentiable(method);
        foreach (var (point, direction) in Points(method))
        {
            if (Invoke(method, point) is not { } value)
            {
                continue;
            }

            var args = Arguments(method, point).Concat(direction.Cast<object?>()).Concat(direction.Select(_ => (object?)0.0)).ToArray();
            Assert.Equal(value, (double)hvp.Invoke(null, args)!);
            var product = args.Skip(method.GetParameters().Length + direction.Length).Select(a => (double)a!).ToArray();
            for (var i = 0; i < product.Length; i++)
            {
                var component = i;
                var numeric = DirectionalDifference(x => Gradient(gradient, method, x).Gradient[component], point, direction, differentiable, step: RoundsToFloat.Contains(method.Name) ? 1e-2 : 1e-5);
                if (numeric is { } n)
                {
                    var tolerance = RoundsToFloat.Contains(method.Name) ? 2e-3 : 2e-5;
                    Assert.True(Math.Abs(product[i] - n) <= tolerance * Math.Max(1, Math.Abs(n)), $"{name}: (H·v)[{i}] = {product[i]}, finite differences of the gradient {n}");
                }
            }
        }
    }

    /// <summary>
    /// A call to a [Differentiable] method of another file (not inlined): the product takes the callee's value and
    /// H·v from its Hessian-vector product and its partials from its gradient.
    /// </summary>
    [Fact]
    public void AHessianVectorProductThroughACallToAnotherFilesMethod()
    {
        const string callee = """
            using System;
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double G(double x, double y) => Math.Sin(x * y) + (x * x * y);
            }
            """;
        const string caller = """
            using System;
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a, double b)
                {
                    var g = G(a, b * b);
                    return a > 0 ? Math.Exp(G(g, a)) : g * b;
                }
            }
            """;
        var type = GeneratorHarness.CompileAndLoad(callee, caller).GetType("C")!;
        Assert.Contains("GHessianVectorProduct(", GeneratorHarness.Run(callee, caller).Sources.Values.Single(v => v.Contains("FHessianVectorProduct", StringComparison.Ordinal)), StringComparison.Ordinal);
        AssertProductOfFIsTheGradientsDerivative(type.GetMethod("FHessianVectorProduct")!, type.GetMethod("FGradient")!);
    }

    /// <summary>
    /// A callee of another type and file with loops over scalars has a Hessian-vector product, and its callers count on
    /// it: the caller's product calls it (twice, once inside the caller's own loop) and is the derivative of the
    /// generated gradient along v.
    /// </summary>
    [Fact]
    public void AHessianVectorProductThroughACalleeWithLoopsInAnotherFile()
    {
        const string callee = """
            using System;
            using SymDiff;

            public static partial class Series
            {
                [Differentiable]
                public static double Sines(double x, double y, int n)
                {
                    var s = 0.0;
                    var p = x;
                    for (var k = 1; k <= n; k++)
                    {
                        s += Math.Sin(p * y) / k;
                        p *= x;
                    }

                    return s;
                }
            }
            """;
        const string caller = """
            using System;
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a, double b)
                {
                    var g = Series.Sines(a, b * b, 4);
                    var s = Math.Exp(0.3 * g);
                    for (var i = 0; i < 2; i++)
                    {
                        s += Series.Sines(s * a, b, 3) * b;
                    }

                    return s;
                }
            }
            """;
        var run = GeneratorHarness.Run(callee, caller);
        run.AssertNoDiagnostics();
        Assert.Contains("SinesHessianVectorProduct(", run.Sources.Values.Single(v => v.Contains("FHessianVectorProduct", StringComparison.Ordinal)), StringComparison.Ordinal);
        var type = GeneratorHarness.CompileAndLoad(callee, caller).GetType("C")!;
        AssertProductOfFIsTheGradientsDerivative(type.GetMethod("FHessianVectorProduct")!, type.GetMethods().Single(m => m.Name == "FGradient" && m.GetParameters().Length == 4));
    }

    /// <summary>
    /// Only tangents something reads are computed. A Hessian-vector product reverses from the constant seed 1: its result's
    /// tangent (<c>vresult</c>) is read by nothing, nor is the tangent of a value that only decides a branch, which the
    /// pushforward (whose result tangent it returns) does not compute either; both still match finite differences, and
    /// the generated code compiles warning-free.
    /// </summary>
    [Fact]
    public void TangentsNothingReadsAreNotComputed()
    {
        const string source = """
            using System;
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a, double b)
                {
                    var s = Math.Sin(a * b);
                    var gate = Math.Exp(a);
                    return gate > 1 ? s * a : s * b * b;
                }
            }
            """;
        var generated = GeneratorHarness.Run(source);
        var product = generated.Method("double FHessianVectorProduct(");
        Assert.DoesNotContain("vresult", product, StringComparison.Ordinal);
        Assert.DoesNotContain("vgate", product, StringComparison.Ordinal);
        Assert.Contains("hva = ", product, StringComparison.Ordinal);
        var pushforward = generated.Method("double FPushforward(");
        Assert.Contains("gate = Math.Exp(a);", pushforward, StringComparison.Ordinal);
        Assert.DoesNotContain("dgate", pushforward, StringComparison.Ordinal);
        Assert.Contains("dResult = ", pushforward, StringComparison.Ordinal);

        var type = GeneratorHarness.CompileAndLoad(source).GetType("C")!;
        AssertProductOfFIsTheGradientsDerivative(type.GetMethod("FHessianVectorProduct")!, type.GetMethod("FGradient")!);
        AssertPushforwardOfFIsItsDerivative(type);
    }

    /// <summary>
    /// A call to another file's method whose value only decides a branch: no tangent of it is read, so the pushforward
    /// calls the method itself rather than its pushforward, and the Hessian-vector product, whose reverse sweep reads no
    /// partial of it either, neither its product nor its gradient.
    /// </summary>
    [Fact]
    public void ACallWhoseDerivativesNothingReadsIsThePlainCall()
    {
        const string callee = """
            using System;
            using SymDiff;

            public static partial class Other
            {
                [Differentiable]
                public static double G(double x, double y) => Math.Exp(x) * y;
            }
            """;
        const string caller = """
            using System;
            using SymDiff;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a, double b)
                {
                    var g = Other.G(a, b);
                    return g > 1 ? Math.Sin(a * b) : a * b * b;
                }
            }
            """;
        var generated = GeneratorHarness.Run(callee, caller);
        foreach (var method in new[] { generated.Method("double FPushforward("), generated.Method("double FHessianVectorProduct(") })
        {
            Assert.Contains("G(a, b);", method, StringComparison.Ordinal);
            Assert.DoesNotContain("GPushforward(", method, StringComparison.Ordinal);
            Assert.DoesNotContain("GHessianVectorProduct(", method, StringComparison.Ordinal);
            Assert.DoesNotContain("GGradient(", method, StringComparison.Ordinal);
        }

        var type = GeneratorHarness.CompileAndLoad(callee, caller).GetType("C")!;
        AssertProductOfFIsTheGradientsDerivative(type.GetMethod("FHessianVectorProduct")!, type.GetMethod("FGradient")!);
        AssertPushforwardOfFIsItsDerivative(type);
    }

    /// <summary>F(a, b)'s generated pushforward against central differences of F along the direction, at two points.</summary>
    private static void AssertPushforwardOfFIsItsDerivative(Type type)
    {
        var f = type.GetMethod("F")!;
        foreach (var (a, b) in new[] { (0.4, 0.9), (-0.7, 1.3) })
        {
            var (da, db) = (0.6, -0.35);
            const double step = 1e-6;
            var args = new object?[] { a, b, da, db, 0.0 };
            Assert.Equal((double)f.Invoke(null, [a, b])!, (double)type.GetMethod("FPushforward")!.Invoke(null, args)!);
            var expected = ((double)f.Invoke(null, [a + (step * da), b + (step * db)])! - (double)f.Invoke(null, [a - (step * da), b - (step * db)])!) / (2 * step);
            Assert.True(Math.Abs((double)args[4]! - expected) <= 1e-7 * Math.Max(1, Math.Abs(expected)), $"dResult = {args[4]}, finite differences {expected}");
        }
    }

    /// <summary>F(a, b)'s generated H·v against central differences of its generated gradient along v, at two points.</summary>
    private static void AssertProductOfFIsTheGradientsDerivative(MethodInfo hvp, MethodInfo gradient)
    {
        foreach (var (a, b) in new[] { (0.4, 0.9), (-0.7, 1.3) })
        {
            var (va, vb) = (0.6, -0.35);
            var args = new object?[] { a, b, va, vb, 0.0, 0.0 };
            hvp.Invoke(null, args);
            const double step = 1e-5;
            var plus = new object?[] { a + (step * va), b + (step * vb), 0.0, 0.0 };
            var minus = new object?[] { a - (step * va), b - (step * vb), 0.0, 0.0 };
            gradient.Invoke(null, plus);
            gradient.Invoke(null, minus);
            for (var i = 0; i < 2; i++)
            {
                var expected = ((double)plus[2 + i]! - (double)minus[2 + i]!) / (2 * step);
                Assert.True(Math.Abs((double)args[4 + i]! - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"(H·v)[{i}] = {args[4 + i]}, finite differences {expected}");
            }
        }
    }

    [Fact]
    public void FloatPushforwardMatchesTheDoubleOne()
    {
        var value = Functions.FloatTanhNetworkPushforward(0.5f, -0.3f, 1.0f, 0.2f, 0.7f, -0.4f, out float dResult);
        var expected = Functions.TanhNetworkPushforward(0.5, -0.3, 1.0, 0.2, 0.7, -0.4, out double expectedTangent);
        Assert.Equal(expected, value, 6);
        Assert.Equal(expectedTangent, dResult, 6);
        Functions.FloatTanhNetworkHessianVectorProduct(0.5f, -0.3f, 1.0f, 0.2f, 0.7f, -0.4f, out float h1, out float h2);
        Functions.TanhNetworkHessianVectorProduct(0.5, -0.3, 1.0, 0.2, 0.7, -0.4, out double e1, out double e2);
        Assert.Equal(e1, h1, 5);
        Assert.Equal(e2, h2, 5);
    }

    [Fact]
    public void TanhNetworkHessianFromTwoProductsIsSymmetricAndMatchesFiniteDifferences()
    {
        const double w1 = 0.5, w2 = -0.3, x = 1.0, y = 0.2;
        Functions.TanhNetworkHessianVectorProduct(w1, w2, x, y, 1, 0, out var h11, out var h21);
        Functions.TanhNetworkHessianVectorProduct(w1, w2, x, y, 0, 1, out var h12, out var h22);
        Assert.Equal(h12, h21, 12);
        const double step = 1e-5;
        Functions.TanhNetworkGradient(w1 + step, w2, x, y, out var a1, out var a2);
        Functions.TanhNetworkGradient(w1 - step, w2, x, y, out var b1, out var b2);
        Assert.Equal((a1 - b1) / (2 * step), h11, 8);
        Assert.Equal((a2 - b2) / (2 * step), h21, 8);
        Functions.TanhNetworkGradient(w1, w2 + step, x, y, out a1, out a2);
        Functions.TanhNetworkGradient(w1, w2 - step, x, y, out b1, out b2);
        Assert.Equal((a2 - b2) / (2 * step), h22, 8);
    }

    [Fact]
    public void AFunctionWithOnlyAPullbackRuleIsNamedWithThePushforwardToAdd()
    {
        const string source = """
            using System;
            using SymDiff;

            public static partial class C
            {
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

                [PullbackOf(nameof(Softplus))]
                static void SoftplusPullback(double x, double dResult, ref double dx) => dx += dResult / (1 + Math.Exp(-x));

                [Differentiable]
                public static double F(double a) => Softplus(a) * a;
            }
            """;
        var run = GeneratorHarness.Run(source);
        run.AssertNoDiagnostics(); // a build that never asks for F's pushforward is unaffected
        var message = Assert.Single(run.Messages).GetMessage();
        Assert.Contains("add one beside it: [PushforwardOf(typeof(C), nameof(C.Softplus))] static double SoftplusPushforward(double x, double dx)", message, StringComparison.Ordinal);

        // Reaching it in forward mode is a compile-time error at the call, naming the rule to add.
        const string caller = """
            public static class Newton
            {
                public static double Slope(double a) => C.FPushforward(a, 1.0, out var slope) * 0 + slope;
            }
            """;
        var reached = GeneratorHarness.Run(source, caller);
        var error = Assert.Single(reached.AllDiagnostics);
        Assert.Equal(("SD0018", DiagnosticSeverity.Error), (error.Id, error.Severity));
        Assert.Contains("C.FPushforward(a, 1.0, out var slope)", error.Location.SourceTree!.GetText().ToString(error.Location.SourceSpan), StringComparison.Ordinal);
        Assert.Contains(
            "FPushforward is not available: forward mode does not cover 'Softplus', which has a [PullbackOf] rule but no pushforward rule; add one beside it: [PushforwardOf(typeof(C), nameof(C.Softplus))] static double SoftplusPushforward(double x, double dx)",
            error.GetMessage(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void AUserPushforwardRuleIsCalledAndRight()
    {
        const string source = """
            using System;
            using SymDiff;

            public static partial class C
            {
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

                [PullbackOf(nameof(Softplus))]
                static void SoftplusPullback(double x, double dResult, ref double dx) => dx += dResult / (1 + Math.Exp(-x));

                [PushforwardOf(nameof(Softplus))]
                static double SoftplusPushforward(double x, double dx) => dx / (1 + Math.Exp(-x));

                [Differentiable]
                public static double F(double a, double b) => Softplus(a * b) * a;
            }
            """;
        var assembly = GeneratorHarness.CompileAndLoad(source);
        var type = assembly.GetType("C")!;
        var pushforward = type.GetMethod("FPushforward")!;
        var gradient = type.GetMethod("FGradient")!;
        var args = new object?[] { 0.7, -1.3, 0.4, 0.9, 0.0 };
        var value = (double)pushforward.Invoke(null, args)!;
        var gradientArgs = new object?[] { 0.7, -1.3, 0.0, 0.0 };
        Assert.Equal((double)gradient.Invoke(null, gradientArgs)!, value);
        Assert.Equal((0.4 * (double)gradientArgs[2]!) + (0.9 * (double)gradientArgs[3]!), (double)args[4]!, 12);
    }

    [Fact]
    public void APushforwardRuleThatDoesNotFitIsAnErrorAtTheRule()
    {
        const string source = """
            using System;
            using SymDiff;

            public static partial class C
            {
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

                [PushforwardOf(nameof(Softplus))]
                static void SoftplusPushforward(double x, double dx, ref double dResult) => dResult = dx;
            }
            """;
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("SD0017", diagnostic.Id);
        Assert.Contains("it must return 'double', the result's tangent", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("static double SoftplusPushforward(double x, double dx)", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>Every [Differentiable] function of the corpus whose parameters are double or int and that returns double.</summary>
    private static IEnumerable<MethodInfo> Corpus() =>
        new[] { typeof(Functions), typeof(RecomputedFunctions) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<DifferentiableAttribute>() is not null && m.ReturnType == typeof(double)
                && m.GetParameters().All(p => p.ParameterType == typeof(double) || p.ParameterType == typeof(int)))
            .OrderBy(m => m.DeclaringType!.Name + "." + m.Name, StringComparer.Ordinal);

    private static MethodInfo Find(string name) => Corpus().Single(m => m.DeclaringType!.Name + "." + m.Name == name);

    private static MethodInfo? Generated(MethodInfo method, string suffix) =>
        method.DeclaringType!.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == method.Name + suffix && m.GetCustomAttribute<ObsoleteAttribute>() is null && m.GetParameters().Take(method.GetParameters().Length).Select(p => p.ParameterType)
                .SequenceEqual(method.GetParameters().Select(p => p.ParameterType)) && !m.GetParameters().Any(p => p.Name == "recomputeLoops"));

    /// <summary>Indices of the differentiable parameters (double, not [NoDiff]).</summary>
    private static int[] Differentiable(MethodInfo method) =>
        method.GetParameters().Select((p, i) => (p, i))
            .Where(x => x.p.ParameterType == typeof(double) && x.p.GetCustomAttribute<NoDiffAttribute>() is null)
            .Select(x => x.i).ToArray();

    /// <summary>Points in [0.3, 1.6] (logs and roots stay defined), ints 0..3, each with three directions.</summary>
    private static IEnumerable<(double[] Point, double[] Direction)> Points(MethodInfo method)
    {
        var parameters = method.GetParameters();
        var differentiable = Differentiable(method).Length;
        var random = new Random(method.Name.Length * 7919 + parameters.Length);
        for (var k = 0; k < 3; k++)
        {
            var point = parameters.Select((p, i) => p.ParameterType == typeof(int) ? (double)((k + i) % 4) : 0.3 + (1.3 * random.NextDouble())).ToArray();
            yield return (point, Directions[k].Concat(Enumerable.Repeat(0.5, differentiable)).Take(differentiable).ToArray());
        }
    }

    private static object?[] Arguments(MethodInfo method, double[] point) =>
        method.GetParameters().Select((p, i) => p.ParameterType == typeof(int) ? (object)(int)point[i] : point[i]).ToArray();

    private static double? Invoke(MethodInfo method, double[] point)
    {
        try
        {
            return (double)method.Invoke(null, Arguments(method, point))!;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    private static (double Value, double DResult) Pushforward(MethodInfo pushforward, MethodInfo method, double[] point, double[] direction)
    {
        var args = Arguments(method, point).Concat(direction.Cast<object?>()).Append(0.0).ToArray();
        var value = (double)pushforward.Invoke(null, args)!;
        return (value, (double)args[^1]!);
    }

    private static (double Value, double[] Gradient) Gradient(MethodInfo gradient, MethodInfo method, double[] point)
    {
        var count = Differentiable(method).Length;
        var args = Arguments(method, point).Concat(Enumerable.Repeat((object?)0.0, count)).ToArray();
        var value = (double)gradient.Invoke(null, args)!;
        return (value, args.Skip(method.GetParameters().Length).Select(a => (double)a!).ToArray());
    }

    /// <summary>
    /// Central differences of f along the direction (over the differentiable parameters), or null near a kink or a
    /// guard (the estimates at two steps disagree, or f throws).
    /// </summary>
    private static double? DirectionalDifference(Func<double[], double?> f, double[] point, double[] direction, int[] differentiable, double step = 1e-6)
    {
        double? Estimate(double h)
        {
            var plus = (double[])point.Clone();
            var minus = (double[])point.Clone();
            for (var j = 0; j < differentiable.Length; j++)
            {
                plus[differentiable[j]] += h * direction[j];
                minus[differentiable[j]] -= h * direction[j];
            }

            return f(plus) is { } p && f(minus) is { } m ? (p - m) / (2 * h) : null;
        }

        if (Estimate(step) is not { } fine || Estimate(step * 10) is not { } coarse)
        {
            return null;
        }

        return Math.Abs(fine - coarse) <= 1e-4 * Math.Max(1, Math.Abs(fine)) ? fine : null;
    }
}
