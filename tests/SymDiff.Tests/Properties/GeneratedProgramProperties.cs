using System.Reflection;
using System.Runtime.Loader;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Properties;

/// <summary>
/// Property: for random programs of the supported subset, the generated code compiles without errors, its
/// gradient equals central finite differences, and its pullback agrees with its gradient. The only warnings allowed
/// are SD1001-SD1003 (zero derivatives through step functions, or parameters that do not affect the result; for the
/// latter the gradient must be exactly 0). Forward mode, on the same programs and on scalar-only ones
/// (<see cref="RandomPrograms.ScalarProgram"/>): every program without tensors has an FPushforward (one with tensors has
/// none and says so with SD2001), whose value is F's and whose dResult is the gradient times a random direction v and
/// central finite differences along v; every program without tensors (loops included) has an FHessianVectorProduct,
/// whose H·v is central finite differences of the generated gradient along v. Failures shrink to a small program and print
/// its seed. CI runs a bounded number; set SYMDIFF_PROPERTY_ITERATIONS (and SYMDIFF_SCALAR_PROPERTY_ITERATIONS) for a
/// large run.
/// </summary>
public sealed class GeneratedProgramProperties(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly long Iterations =
        long.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_PROPERTY_ITERATIONS"), out var n) ? n : 60;

    /// <summary>
    /// Scalar-only programs: about a quarter of a second each once warm (250 took 66 s on 2 busy cores), so CI runs 50
    /// (29 s, warm-up included, at load average 14 on 2 cores); the mixed property also checks forward mode on its
    /// programs without tensors.
    /// </summary>
    private static readonly long ScalarIterations =
        long.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_SCALAR_PROPERTY_ITERATIONS"), out var s) ? s : 50;

    /// <summary>
    /// dResult against gradient·v: the two sum the same products in different orders, so they agree to rounding,
    /// relative to Σ|∂F/∂x_i·v_i| (not to |gradient·v|, which cancellation can make arbitrarily small).
    /// </summary>
    private const double PushforwardAgainstGradient = 1e-9;

    // Distinct offsets, so that shrinking toward 0 does not make inputs equal (where Max, Min and branches tie).
    private static Gen<double> Input(double offset) => Gen.Double[-1.5, 1.5].Select(v => v + offset);

    /// <summary>A direction for the pushforward and the Hessian-vector product, over a, b and c.</summary>
    private static readonly Gen<double[]> Direction = Gen.Double[-1, 1].Array[3];

    [Fact]
    public void GradientOfRandomProgramsMatchesFiniteDifferences()
    {
        var counts = new Counts();
        Run(RandomPrograms.Program, Iterations, counts);
        output.WriteLine($"{Iterations} programs: {counts.Compared} partial derivatives matched finite differences, {counts.NearKinks} skipped within a step of a kink.");
        output.WriteLine(counts.ForwardMode());

        // Components within a step of a branch boundary are not comparable; most must be.
        Assert.True(counts.Compared > 2 * counts.NearKinks, $"{counts.Compared} components compared, {counts.NearKinks} near a kink");
        Assert.True(counts.Pushforwards > 0 && counts.PushforwardCompared > counts.PushforwardNearKinks, counts.ForwardMode());
    }

    [Fact]
    public void ForwardModeOfRandomScalarProgramsMatchesTheGradientAndFiniteDifferences()
    {
        var counts = new Counts();
        Run(RandomPrograms.ScalarProgram, ScalarIterations, counts);
        output.WriteLine(counts.ForwardMode());

        // Every scalar program has a pushforward and a Hessian-vector product, loops included.
        Assert.Equal(ScalarIterations, counts.Pushforwards);
        Assert.Equal(ScalarIterations, counts.HessianVectorProducts);
        Assert.True(counts.PushforwardCompared > 2 * counts.PushforwardNearKinks, counts.ForwardMode());
        Assert.True(counts.HessianCompared > 2 * counts.HessianNearKinks && counts.HessianWithLoops > 0, counts.ForwardMode());
    }

    /// <summary>
    /// Seeds that once failed, replayed on every run (the properties draw new programs each time): 4SuhcxP2XYo1 printed
    /// a loop's synthetic break flag undeclared (CS0103) when two loops each had one; dEwJ4gQ-T4d2 (a loop over tensors)
    /// declared a discard in its Hessian-vector product that no printed call used (CS0219); 4OcoDtIwjX82 (nested tensor
    /// loops after an early return) declared the tangent of a tensor read after its branch non-nullable (CS8600); 2-Cj3xEgXqn1 (the same
    /// after an early return) read a loop's carried tensor before its reverse loop where its branch had declared it (CS0103).
    /// </summary>
    [Theory]
    [InlineData("4SuhcxP2XYo1")]
    [InlineData("dEwJ4gQ-T4d2")]
    [InlineData("4OcoDtIwjX82")]
    [InlineData("2-Cj3xEgXqn1")]
    public void ProgramsOfSeedsThatOnceFailedAreRight(string seed)
    {
        var counts = new Counts();
        Run(RandomPrograms.Program, 1, counts, seed);
        Assert.True(counts.Compared + counts.NearKinks > 0, "the program was compiled and its gradient checked"); // Check asserts the rest
    }

    private static void Run(Gen<string> programs, long iterations, Counts counts, string? seed = null) =>
        Gen.Select(programs, Input(0.1234567), Input(0.2718281), Input(-0.3141592), Input(0.4142135), Direction).Sample(
            (program, a, b, c, k, v) => Check(program, new[] { a, b, c, k }, v, counts),
            iter: iterations,
            threads: 1,
            seed: seed,
            print: t => t.Item1 + $"\n// at a = {t.Item2:R}, b = {t.Item3:R}, c = {t.Item4:R}, k = {t.Item5:R}, v = ({string.Join(", ", t.Item6.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))})");

    private static void Check(string program, double[] x, double[] v, Counts counts)
    {
        var context = new AssemblyLoadContext("program", isCollectible: true);
        try
        {
            var (assembly, ignored, messages) = Load(program, context, counts);
            var type = assembly.GetType("Program")!;
            var f = type.GetMethod("F")!;
            var gradient = Generated(type, "FGradient", 7);
            var pullback = Generated(type, "FPullback", 8);

            double Value(double[] v) => (double)f.Invoke(null, new object[] { v[0], v[1], v[2], v[3] })!;
            var arguments = new object[] { x[0], x[1], x[2], x[3], 0.0, 0.0, 0.0 };
            var value = (double)gradient.Invoke(null, arguments)!;
            var generated = new[] { (double)arguments[4], (double)arguments[5], (double)arguments[6] };
            Assert.Equal(Value(x), value);
            Assert.Equal(Value(x), (double)Generated(type, "FBuffered", 4).Invoke(null, new object[] { x[0], x[1], x[2], x[3] })!);

            // A program with loops can also recompute its iterations in the reverse sweep, per call: same derivatives.
            if (type.GetMethods().Any(m => m.Name == "FGradient" && m.GetParameters().Length == 8))
            {
                var recomputing = new object[] { x[0], x[1], x[2], x[3], 0.0, 0.0, 0.0, true };
                Assert.Equal(value, (double)Generated(type, "FGradient", 8).Invoke(null, recomputing)!);
                for (var i = 0; i < 3; i++)
                {
                    Assert.True(
                        Math.Abs((double)recomputing[4 + i] - generated[i]) <= 1e-12 * (1 + Math.Abs(generated[i])),
                        $"d/d{"abc"[i]}: recomputing loops gives {(double)recomputing[4 + i]:R}, keeping them {generated[i]:R}");
                }
            }
            for (var i = 0; i < 3; i++)
            {
                if (ignored.Contains("abc"[i].ToString()))
                {
                    Assert.True(generated[i] == 0, $"SD1003 says '{"abc"[i]}' does not affect the result, but its derivative is {generated[i]:R}");
                }
            }

            var numeric = FiniteDifferences.Gradient(Value, x);
            for (var i = 0; i < 3; i++)
            {
                var tolerance = (1e-5 * (1 + Math.Abs(numeric[i]))) + (1e-8 * Math.Abs(value));
                if (FiniteDifferences.NearKink(Value, x, i, tolerance))
                {
                    counts.NearKinks++; // left and right slopes differ: a branch boundary or kink is within a step
                    continue;
                }

                counts.Compared++;
                Assert.True(
                    Math.Abs(generated[i] - numeric[i]) <= tolerance,
                    $"d/d{"abc"[i]}: generated {generated[i]:R}, finite differences {numeric[i]:R}");
            }

            var accumulators = new object[] { x[0], x[1], x[2], x[3], 2.0, 1.0, 1.0, 1.0 };
            pullback.Invoke(null, accumulators);
            for (var i = 0; i < 3; i++)
            {
                var expected = 1 + (2 * generated[i]);
                Assert.True(Math.Abs((double)accumulators[5 + i] - expected) <= 1e-12 * (1 + Math.Abs(expected)), "pullback disagrees with gradient");
            }

            CheckForwardMode(program, type, x, v, generated, messages, counts);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>
    /// The pushforward along v against gradient·v and central differences of F along v; the Hessian-vector product
    /// against central differences of the generated gradient along v. Near a kink of the function differenced (left
    /// and right slopes differ within a step, <see cref="FiniteDifferences.NearKink"/>) the finite difference is skipped.
    /// </summary>
    private static void CheckForwardMode(string program, Type type, double[] x, double[] v, double[] gradient, IReadOnlyList<string> messages, Counts counts)
    {
        var f = type.GetMethod("F")!;
        double[] At(double t) => new[] { x[0] + (t * v[0]), x[1] + (t * v[1]), x[2] + (t * v[2]), x[3] };
        double Value(double[] p) => (double)f.Invoke(null, new object[] { p[0], p[1], p[2], p[3] })!;
        var value = Value(x);

        var pushforward = type.GetMethods().SingleOrDefault(m => m.Name == "FPushforward" && m.GetParameters().Length == 8);
        Assert.True(pushforward is not null, "no FPushforward: " + string.Join("; ", messages));

        counts.Pushforwards++;
        var arguments = new object[] { x[0], x[1], x[2], x[3], v[0], v[1], v[2], 0.0 };
        Assert.Equal(value, (double)pushforward.Invoke(null, arguments)!);
        var dResult = (double)arguments[7];
        var gradientAlongV = gradient[0] * v[0] + gradient[1] * v[1] + gradient[2] * v[2];
        var scale = Math.Max(1, Math.Abs(gradient[0] * v[0]) + Math.Abs(gradient[1] * v[1]) + Math.Abs(gradient[2] * v[2]));
        Assert.True(
            Math.Abs(dResult - gradientAlongV) <= PushforwardAgainstGradient * scale,
            $"pushforward {dResult:R}, gradient·v {gradientAlongV:R}");

        double Along(double[] t) => Value(At(t[0]));
        var numeric = FiniteDifferences.Gradient(Along, new[] { 0.0 })[0];
        var tolerance = (1e-5 * (1 + Math.Abs(numeric))) + (1e-8 * Math.Abs(value));
        if (FiniteDifferences.NearKink(Along, new[] { 0.0 }, 0, tolerance))
        {
            counts.PushforwardNearKinks++;
        }
        else
        {
            counts.PushforwardCompared++;
            Assert.True(Math.Abs(dResult - numeric) <= tolerance, $"pushforward {dResult:R}, finite differences along v {numeric:R}");
        }

        // A program forward over reverse does not cover declares it unusable (SD0020): only a generated one is checked.
        var product = type.GetMethods().SingleOrDefault(m => m.Name == "FHessianVectorProduct" && m.GetParameters().Length == 10
            && m.GetCustomAttributes(typeof(ObsoleteAttribute), false).Length == 0);
        if (!RandomPrograms.HasTensors(program))
        {
            Assert.True(product is not null, "a program without tensors has no FHessianVectorProduct: " + string.Join("; ", messages));
        }

        if (product is null)
        {
            return;
        }

        counts.HessianVectorProducts++;
        counts.HessianWithLoops += RandomPrograms.HasLoops(program) ? 1 : 0;
        var hvpArguments = new object[] { x[0], x[1], x[2], x[3], v[0], v[1], v[2], 0.0, 0.0, 0.0 };
        Assert.Equal(value, (double)product.Invoke(null, hvpArguments)!);
        var gradientMethod = Generated(type, "FGradient", 7);
        for (var i = 0; i < 3; i++)
        {
            var component = i;
            double GradientAlong(double[] t)
            {
                var p = At(t[0]);
                var args = new object[] { p[0], p[1], p[2], p[3], 0.0, 0.0, 0.0 };
                gradientMethod.Invoke(null, args);
                return (double)args[4 + component];
            }

            var hv = (double)hvpArguments[7 + i];
            var expected = FiniteDifferences.Gradient(GradientAlong, new[] { 0.0 }, step: 1e-5)[0];
            var hvTolerance = (1e-5 * (1 + Math.Abs(expected))) + (1e-8 * Math.Abs(gradient[i]));
            if (FiniteDifferences.NearKink(GradientAlong, new[] { 0.0 }, 0, hvTolerance))
            {
                counts.HessianNearKinks++;
                continue;
            }

            counts.HessianCompared++;
            Assert.True(Math.Abs(hv - expected) <= hvTolerance, $"(H·v)[{"abc"[i]}] = {hv:R}, finite differences of the gradient along v {expected:R}");
        }
    }

    /// <summary>The generated method of that name with that many parameters (the overload without recomputeLoops, say).</summary>
    private static MethodInfo Generated(Type type, string name, int parameters) =>
        type.GetMethods().Single(m => m.Name == name && m.GetParameters().Length == parameters);

    /// <summary>Found by this property: forward mode once emitted <c>a &lt;= a ? da : da</c> (CS1718) for Min(a, a).</summary>
    [Fact]
    public void SameOperandMinMaxCompiles() =>
        GeneratorHarness.CompileAndLoad("""
            using System;
            using SymDiff;

            public static partial class P
            {
                [Differentiable]
                public static double F(double a) => Math.Min(a, a);
            }
            """);

    /// <summary>Found by this property: the Hessian-vector product once kept <c>double vdt0 = 0;</c>, never read (CS0219).</summary>
    [Fact]
    public void AnUnreadZeroTangentIsNotEmitted()
    {
        var run = GeneratorHarness.Run("""
            using System;
            using SymDiff;

            public static partial class P
            {
                [Differentiable]
                public static double F(double b) => Math.Tanh(b * 0.0);
            }
            """);
        Assert.Empty(run.Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    /// <summary>
    /// Compiles the program; returns its assembly, the parameters SD1003 reports as not affecting F, and the
    /// generator's messages (SD2001: why a method has no pushforward).
    /// </summary>
    private static (Assembly Assembly, HashSet<string> Ignored, IReadOnlyList<string> Messages) Load(string program, AssemblyLoadContext context, Counts counts)
    {
        var run = GeneratorHarness.Run(program);
        var unexpected = run.AllDiagnostics.Where(d => d.Id is not ("SD1001" or "SD1002" or "SD1003")).ToList();
        Assert.True(unexpected.Count == 0, "Unexpected diagnostics:\n" + string.Join("\n", unexpected));
        var compilation = run.Compilation;

        var ignored = run.GeneratorDiagnostics
            .Where(d => d.Id == "SD1003" && d.Location.SourceTree is not null)
            .Select(d => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan))
            .ToHashSet();
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        var messages = run.Messages.Where(m => m.Id == "SD2001").Select(m => m.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return (context.LoadFromStream(stream), ignored, messages);
    }

    /// <summary>How many components and programs each check compared or skipped, printed by each property.</summary>
    private sealed class Counts
    {
        public int Compared { get; set; }

        public int NearKinks { get; set; }

        public int Pushforwards { get; set; }

        public int PushforwardCompared { get; set; }

        public int PushforwardNearKinks { get; set; }

        public int HessianVectorProducts { get; set; }

        public int HessianCompared { get; set; }

        public int HessianNearKinks { get; set; }

        public int HessianWithLoops { get; set; }

        public string ForwardMode() =>
            $"Forward mode: {Pushforwards} programs had an FPushforward, checked against gradient·v; "
            + $"{PushforwardCompared} matched finite differences along v, {PushforwardNearKinks} skipped near a kink. "
            + $"{HessianVectorProducts} had an FHessianVectorProduct ({HessianWithLoops} with loops): {HessianCompared} components of H·v matched finite differences of the gradient, {HessianNearKinks} skipped near a kink.";
    }
}
