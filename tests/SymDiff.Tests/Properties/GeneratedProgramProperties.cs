using System.Reflection;
using System.Runtime.Loader;
using CsCheck;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Properties;

/// <summary>
/// Property: for random programs of the supported subset, the generated code compiles without errors, its
/// gradient equals central finite differences, and its pullback agrees with its gradient. The only warnings allowed
/// are SD1001-SD1003 (zero derivatives through step functions, or parameters that do not affect the result; for the
/// latter the gradient must be exactly 0). Failures shrink to a small
/// program and print its seed. CI runs a bounded number; set SYMDIFF_PROPERTY_ITERATIONS for a large run.
/// </summary>
public sealed class GeneratedProgramProperties(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly long Iterations =
        long.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_PROPERTY_ITERATIONS"), out var n) ? n : 60;

    private static int compared;
    private static int nearKinks;

    // Distinct offsets, so that shrinking toward 0 does not make inputs equal (where Max, Min and branches tie).
    private static Gen<double> Input(double offset) => Gen.Double[-1.5, 1.5].Select(v => v + offset);

    [Fact]
    public void GradientOfRandomProgramsMatchesFiniteDifferences()
    {
        Gen.Select(RandomPrograms.Program, Input(0.1234567), Input(0.2718281), Input(-0.3141592), Input(0.4142135)).Sample(
            (program, a, b, c, k) => Check(program, new[] { a, b, c, k }),
            iter: Iterations,
            threads: 1,
            print: t => t.Item1 + $"\n// at a = {t.Item2:R}, b = {t.Item3:R}, c = {t.Item4:R}, k = {t.Item5:R}");

        output.WriteLine($"{Iterations} programs: {compared} partial derivatives matched finite differences, {nearKinks} skipped within a step of a kink.");

        // Components within a step of a branch boundary are not comparable; most must be.
        Assert.True(compared > 2 * nearKinks, $"{compared} components compared, {nearKinks} near a kink");
    }

    private static void Check(string program, double[] x)
    {
        var context = new AssemblyLoadContext("program", isCollectible: true);
        try
        {
            var (assembly, ignored) = Load(program, context);
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
                    nearKinks++; // left and right slopes differ: a branch boundary or kink is within a step
                    continue;
                }

                compared++;
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
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The generated method of that name with that many parameters (the overload without recomputeLoops, say).</summary>
    private static MethodInfo Generated(Type type, string name, int parameters) =>
        type.GetMethods().Single(m => m.Name == name && m.GetParameters().Length == parameters);

    /// <summary>Compiles the program; returns its assembly and the parameters SD1003 reports as not affecting F.</summary>
    private static (Assembly Assembly, HashSet<string> Ignored) Load(string program, AssemblyLoadContext context)
    {
        var run = GeneratorHarness.Run(program);
        var unexpected = run.AllDiagnostics.Where(d => d.Id is not ("SD1001" or "SD1002" or "SD1003")).ToList();
        Assert.True(unexpected.Count == 0, "Unexpected diagnostics:\n" + string.Join("\n", unexpected));
        var ignored = run.GeneratorDiagnostics
            .Where(d => d.Id == "SD1003" && d.Location.SourceTree is not null)
            .Select(d => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan))
            .ToHashSet();
        using var stream = new MemoryStream();
        var emit = run.Compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        return (context.LoadFromStream(stream), ignored);
    }
}
