using System.Diagnostics;
using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis;
using SymDiff.Tests.Infrastructure;
using SymDiff.Tests.Properties;

namespace SymDiff.Tests.Robustness;

/// <summary>
/// Malformed and adversarial [Differentiable] methods: the generator reports diagnostics (or nothing, where the compiler
/// already reports the error), never throws, never reports an internal error (SD9999), and finishes in bounded time.
/// Each test prints its slowest case; docs/diagnostics.md quotes them.
/// </summary>
public sealed class GeneratorFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Far above the slowest case measured (about a second); only a hang or a blow-up trips it.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static TheoryData<string, string> AdversarialBodies()
    {
        static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));
        var data = new TheoryData<string, string>
        {
            // Syntax errors: the compiler's to report.
            { "unbalanced", "double F(double a) { return (a + ; }" },
            { "missing semicolon", "double F(double a) { var b = a * 2 return b; }" },
            { "garbage tokens", "double F(double a) { return a @@ ## $$ a; }" },
            { "unterminated", "double F(double a) { if (a > 0) { return a;" },
            { "no return", "double F(double a) { var b = a; }" },
            { "undefined names", "double F(double a) => q * Math.Nope(a) + a.Foo;" },
            { "wrong types", "double F(double a) { string s = a; return s; }" },
            // Size and depth.
            // (At 100,000 terms the compiler's own nullable analysis of the expression takes over a minute.)
            { "20k-term sum", "double F(double a) => " + string.Join(" + ", Enumerable.Repeat("a", 20_000)) + ";" },
            { "3000 statements", "double F(double a) { " + Repeat("a = a * 0.999 + 0.001; ", 3000) + "return a; }" },
            { "parentheses 3000 deep", "double F(double a) => " + Repeat("(", 3000) + "a" + Repeat(")", 3000) + ";" },
            { "tanh 2000 deep", "double F(double a) => " + Repeat("Math.Tanh(", 2000) + "a" + Repeat(")", 2000) + ";" },
            { "ternaries 1000 deep", "double F(double a) => " + Repeat("a > 0 ? a : ", 1000) + "a;" },
            { "if 300 deep", "double F(double a) { " + Repeat("if (a > 0) { a = a * 2; ", 300) + Repeat("} ", 300) + "return a; }" },
            { "if-else chain 2000", "double F(double a) { double r = 0; " + string.Concat(Enumerable.Range(0, 2000).Select(i => $"if (a > {i}) {{ r = a * {i}; }} else ")) + "{ r = a; } return r; }" },
            { "early returns 500", "double F(double a) { " + string.Concat(Enumerable.Range(0, 500).Select(i => $"if (a > {i}) {{ return a * {i}; }} ")) + "return a; }" },
            { "loops 40 deep", "double F(double a) { " + string.Concat(Enumerable.Range(0, 40).Select(i => $"for (var i{i} = 0; i{i} < 1; i{i}++) {{ ")) + "a = a * 1.5; " + Repeat("} ", 40) + "return a; }" },
            { "200 sequential loops", "double F(double a) { " + Repeat("for (var i = 0; i < 2; i++) { if (a > 1) { break; } a = a * 1.1; } ", 200) + "return a; }" },
            { "1000 locals", "double F(double a) { " + string.Concat(Enumerable.Range(0, 1000).Select(i => $"var v{i} = {(i == 0 ? "a" : $"v{i - 1}")} * 1.001; ")) + "return v999; }" },
            // Unusual types and constructs.
            { "decimal", "double F(double a) { decimal m = (decimal)a; return (double)(m * 2m); }" },
            { "complex", "double F(double a) => new System.Numerics.Complex(a, a).Magnitude;" },
            { "dynamic", "double F(double a) { dynamic d = a; return d * 2; }" },
            { "nullable", "double F(double a) { double? n = a; return n ?? 0; }" },
            { "half", "double F(double a) => (double)((Half)a * (Half)2);" },
            { "tuple deconstruction", "double F(double a) { var (x, y) = (a, a); return x * y; }" },
            { "stackalloc span", "double F(double a) { Span<double> s = stackalloc double[2]; s[0] = a; return s[0]; }" },
            { "unsafe pointer", "unsafe double F(double a) { double* p = &a; return *p; }" },
            { "linq", "double F(double a) => new[] { 1.0, 2.0 }.Select(v => v * a).Sum();" },
            { "switch expression", "double F(double a) => a switch { > 0 => a, _ => -a };" },
            { "pattern", "double F(double a) => a is double d and > 0 ? d : a;" },
            { "throw expression", "double F(double a) => a > 0 ? a : throw new ArgumentException();" },
            { "local function", "double F(double a) { double G(double x) => x * x; return G(a); }" },
            { "lambda", "double F(double a) { Func<double, double> g = x => x * a; return g(a); }" },
            { "checked", "double F(double a) => checked(a * 2);" },
            { "default and nameof", "double F(double a) => default(double) + nameof(a).Length * a;" },
            { "string interpolation", "double F(double a) => double.Parse($\"{a}\");" },
            { "goto", "double F(double a) { start: a = a / 2; if (a > 1) goto start; return a; }" },
            { "recursion", "double F(double a) => a > 1 ? F(a / 2) : a;" },
            { "ref return", "ref double F(ref double a) => ref a;" },
            { "out parameter", "double F(double a, out double b) { b = a; return a; }" },
            { "params array", "double F(params double[] a) => a[0];" },
            { "generic", "T F<T>(T a) where T : System.Numerics.INumber<T> => a * a;" },
            { "async", "async System.Threading.Tasks.Task<double> F(double a) { await System.Threading.Tasks.Task.Yield(); return a; }" },
            { "iterator", "IEnumerable<double> F(double a) { yield return a; }" },
            { "extern", "[System.Runtime.InteropServices.DllImport(\"m\")] static extern double F(double a);" },
            { "partial declaration", "partial double F(double a);" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(AdversarialBodies))]
    public void AdversarialMethodsNeverCrashTheGenerator(string name, string method)
    {
        var source = "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing SymDiff;\n\npublic static partial class C\n{\n    [Differentiable]\n    public static " + method + "\n}\n";
        var elapsed = RunChecked(source);
        output.WriteLine($"{name}: {elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void MutatedProgramsNeverCrashTheGenerator()
    {
        // Random valid programs, then random token-level damage: deletions, duplications, swaps, stray tokens.
        var slowest = TimeSpan.Zero;
        var count = 0;
        Gen.Select(RandomPrograms.Program, Gen.Int[1, 4], Gen.Int[0, int.MaxValue]).Sample(
            (program, edits, seed) =>
            {
                var elapsed = RunChecked(Mutate(program, edits, seed));
                slowest = elapsed > slowest ? elapsed : slowest;
                count++;
            },
            iter: 200,
            threads: 1,
            print: t => Mutate(t.Item1, t.Item2, t.Item3));
        output.WriteLine($"{count} mutated programs; slowest {slowest.TotalMilliseconds:F0} ms");
    }

    /// <summary>Runs the generator; fails on an exception, CS8785, SD9999, or a run beyond <see cref="Bound"/>.</summary>
    private static TimeSpan RunChecked(string source)
    {
        var compilation = GeneratorHarness.CreateCompilation(source)
            .WithOptions(GeneratorHarness.CreateCompilation().Options.WithAllowUnsafe(true));
        var stopwatch = ThreadClock.StartNew();
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var updated, out var diagnostics);
        stopwatch.Stop();

        var result = driver.GetRunResult().Results.Single();
        Assert.True(result.Exception is null, $"The generator threw: {result.Exception}");
        Assert.DoesNotContain(diagnostics, d => d.Id == "SD9999");
        if (CompilerCrashesOnItsOwn(compilation))
        {
            return stopwatch.Elapsed; // some damaged programs crash Roslyn's binder itself (an NRE in BindPattern): not ours to check
        }

        Assert.DoesNotContain(updated.GetDiagnostics(), d => d.Id == "CS8785");
        Assert.All(diagnostics.Where(d => d.Id.StartsWith("SD", StringComparison.Ordinal)), d => Assert.True(d.Location.IsInSource, $"{d} has no source location"));
        Assert.True(stopwatch.Elapsed < Bound, $"generation took {stopwatch.Elapsed} of {stopwatch.Kind}");
        return stopwatch.Elapsed;
    }

    /// <summary>Whether compiling the program without the generator throws (a compiler bug the damage happened to hit).</summary>
    private static bool CompilerCrashesOnItsOwn(Microsoft.CodeAnalysis.Compilation compilation)
    {
        try
        {
            compilation.GetDiagnostics();
            return false;
        }
        catch (NullReferenceException)
        {
            return true;
        }
    }

    private static string Mutate(string program, int edits, int seed)
    {
        var random = new Random(seed);
        var tokens = Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseTokens(program).Select(t => t.ToFullString()).ToList();
        string[] stray = { "(", ")", "{", "}", ";", "+", "*", "return", "if", "for", "=", ",", "1e308", "double", "int", "a", "?", ":", "break" };
        for (var i = 0; i < edits && tokens.Count > 1; i++)
        {
            var at = random.Next(tokens.Count);
            switch (random.Next(4))
            {
                case 0:
                    tokens.RemoveAt(at);
                    break;
                case 1:
                    tokens.Insert(at, tokens[at]);
                    break;
                case 2:
                    var other = random.Next(tokens.Count);
                    (tokens[at], tokens[other]) = (tokens[other], tokens[at]);
                    break;
                default:
                    tokens.Insert(at, " " + stray[random.Next(stray.Length)] + " ");
                    break;
            }
        }

        return new StringBuilder().AppendJoin(string.Empty, tokens).ToString();
    }
}
