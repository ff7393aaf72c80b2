using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using CsCheck;
using Microsoft.CodeAnalysis;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Properties;

/// <summary>
/// Property: random programs that send differentiated values on detours (through text, boxes, decimals, spans,
/// element reads, arrays, integer casts, [NoDiff] parameters, effects) either get a gradient equal to central finite
/// differences, or the build says why at the detour. Never a wrong gradient without a diagnostic.
/// </summary>
public sealed class DetourProperties(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly long Iterations =
        long.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_PROPERTY_ITERATIONS"), out var n) ? Math.Max(1, n / 2) : 40;

    /// <summary>A detour around an expression <c>{0}</c>, and the diagnostics that may report it (none: differentiated).</summary>
    private static readonly (string Form, string[] Reported)[] Detours =
    {
        ("double.Parse(({0}).ToString(\"R\", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)", new[] { "SD0015" }),
        ("(double)(object)({0})", Array.Empty<string>()),
        ("(double)(decimal)({0})", new[] { "SD0015" }),
        ("(double)(IFormattable)({0})", Array.Empty<string>()),
        ("((int)(({0}) * 4.0) / 4.0)", new[] { "SD1002" }),
        ("Math.Round({0})", new[] { "SD1001" }),
        ("Stop({0}, a)", new[] { "SD1005" }),
        ("Stop(b, {0})", Array.Empty<string>()),
        ("w[0] * ({0})", Array.Empty<string>()),
        ("(w[1] + {0})", Array.Empty<string>()),
        ("(w.Span[0] + {0})", new[] { "SD0015" }),
        ("(w.ToArray()[1] * {0})", new[] { "SD0015" }),
        ("(DTensor.Sum(w) * {0})", Array.Empty<string>()),
        ("(w.Length * {0})", Array.Empty<string>()),
        ("(double.IsNaN({0}) ? 0.0 : {0})", Array.Empty<string>()),
    };

    private static readonly Gen<string> Leaf = Gen.OneOf(Gen.Const("a"), Gen.Const("b"), Gen.Const("w[0]"), Gen.Const("w[2]"), Gen.Double[-1.5, 1.5].Select(v => Math.Round(v, 2).ToString("0.0#", CultureInfo.InvariantCulture)).Select(t => t.StartsWith('-') ? "(" + t + ")" : t));

    private static Gen<string> Expression(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (2, Leaf),
            (3, Gen.Select(Expression(depth - 1), Gen.OneOf("+", "-", "*"), Expression(depth - 1), (l, op, r) => $"({l} {op} {r})")),
            (2, Gen.Select(Gen.OneOf("Math.Tanh", "Math.Sin"), Expression(depth - 1), (f, e) => $"{f}({e})")),
            (3, Gen.Select(Gen.Int[0, Detours.Length - 1], Expression(depth - 1), (d, e) => string.Format(CultureInfo.InvariantCulture, Detours[d].Form, e))));

    /// <summary>Statements for their effect: printing (nothing lost), or copying the value into an array read back (SD0015).</summary>
    private static readonly Gen<string> Effect = Gen.OneOf(
        Gen.Const(string.Empty),
        Gen.Const("Console.Write(string.Empty); GC.KeepAlive(v0);"),
        Gen.Const("var kept = new double[1]; Keep(v0, kept); v0 = v0 + kept[0] * 0.5;"));

    private static readonly Gen<string> Program = Gen.Select(Expression(2), Expression(3), Effect, (first, result, effect) => $$"""
        using System;
        using System.Globalization;
        using SymDiff;

        public static partial class Program
        {
            [Differentiable]
            public static double Stop([NoDiff] double s, double x) => s * x + x;

            public static void Keep(double value, double[] into) => into[0] = value;

            [Differentiable]
            public static double F(double a, double b, DTensor<double> w, [NoDiff] double k)
            {
                var v0 = {{first}};
                {{effect}}
                return {{result}} + v0 * k;
            }
        }
        """);

    private static int differentiated;
    private static int diagnosed;

    /// <summary>
    /// A seed that once failed, replayed on every run: bzcZCoJCZ471 calls a [Differentiable] method whose argument that
    /// depends on the parameters goes to a [NoDiff] parameter (a stop-gradient), so the call's tangent is zero; the
    /// Hessian-vector product declared it (<c>double vt2 = 0;</c>) and never read it (CS0219).
    /// </summary>
    [Fact]
    public void AStopGradientCallOfASeedThatOnceFailedIsRight()
    {
        Gen.Select(Program, Gen.Double[-1, 1], Gen.Double[-1, 1], Gen.Double[-1, 1].Array[3]).Sample(
            (program, a, b, w) => Check(program, a + 0.123, b - 0.217, w.Select((v, i) => v + (0.1 * i)).ToArray()),
            iter: 1,
            threads: 1,
            seed: "bzcZCoJCZ471");
    }

    [Fact]
    public void EveryDetourIsDifferentiatedOrDiagnosed()
    {
        Gen.Select(Program, Gen.Double[-1, 1], Gen.Double[-1, 1], Gen.Double[-1, 1].Array[3]).Sample(
            (program, a, b, w) => Check(program, a + 0.123, b - 0.217, w.Select((v, i) => v + (0.1 * i)).ToArray()),
            iter: Iterations,
            threads: 1,
            print: t => t.Item1 + $"\n// at a = {t.Item2:R}, b = {t.Item3:R}, w = [{string.Join(", ", t.Item4.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]");
        output.WriteLine($"{Iterations} programs: {differentiated} differentiated and matching finite differences, {diagnosed} diagnosed at a detour.");
        Assert.True(differentiated > 0 && diagnosed > 0, $"{differentiated} differentiated, {diagnosed} diagnosed");
    }

    private static void Check(string program, double a, double b, double[] w)
    {
        var run = GeneratorHarness.Run(program);
        var reported = run.GeneratorDiagnostics.Where(d => d.Id != "SD1003").ToList();
        var allowed = Detours.Where(d => program.Contains(d.Form.Split('{')[0], StringComparison.Ordinal)).SelectMany(d => d.Reported).ToHashSet();
        if (program.Contains("Keep(v0, kept)", StringComparison.Ordinal))
        {
            allowed.Add("SD0015");
        }

        Assert.True(reported.All(d => allowed.Contains(d.Id)), "Unexpected diagnostics:\n" + string.Join("\n", reported));
        if (reported.Any(d => d.DefaultSeverity == DiagnosticSeverity.Error))
        {
            Assert.DoesNotContain(run.Sources.Keys, k => k.EndsWith("Program.F.g.cs", StringComparison.Ordinal)); // an error generates nothing
            diagnosed++;
            return;
        }

        var context = new AssemblyLoadContext("detour", isCollectible: true);
        try
        {
            using var stream = new MemoryStream();
            var emit = run.Compilation.Emit(stream);
            Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
            stream.Position = 0;
            var type = context.LoadFromStream(stream).GetType("Program")!;
            var f = type.GetMethod("F")!;
            var gradient = type.GetMethods().Single(m => m.Name == "FGradient");
            var tensor = DTensor<double>.FromArray((double[])w.Clone(), 3);
            const double k = 0.75;

            var dw = DTensor.Zeros<double>(3);
            var arguments = new object[] { a, b, tensor, k, 0.0, 0.0, dw };
            gradient.Invoke(null, arguments);
            var generated = new[] { (double)arguments[4], (double)arguments[5] }.Concat(dw.ToArray()).ToArray();

            double Value(double[] x) => (double)f.Invoke(null, new object[] { x[0], x[1], DTensor<double>.FromArray(x[2..].ToArray(), 3), k })!;
            var point = new[] { a, b }.Concat(w).ToArray();
            var numeric = FiniteDifferences.Gradient(Value, point);
            var lost = reported.Count > 0; // a warning: the derivative through that detour is knowingly zero
            for (var i = 0; i < point.Length; i++)
            {
                var tolerance = 1e-5 * (1 + Math.Abs(numeric[i]));
                if (!lost && !FiniteDifferences.NearKink(Value, point, i, tolerance))
                {
                    Assert.True(
                        Math.Abs(generated[i] - numeric[i]) <= tolerance,
                        $"component {i}: generated {generated[i]:R}, finite differences {numeric[i]:R}, and no diagnostic");
                }
            }

            differentiated++;
        }
        finally
        {
            context.Unload();
        }
    }
}
