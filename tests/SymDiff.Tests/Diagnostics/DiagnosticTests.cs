using Microsoft.CodeAnalysis;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Diagnostics;

/// <summary>
/// One test per unsupported construct: the generator reports the right ID and severity at the smallest offending
/// syntax, with a message that says what to do, never throws, and generates nothing for the method.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Header = """
        using System;
        using SymDiff;

        public static partial class C
        {
            private static double field;
            private static double Property { get; set; }
            private static double Helper(double x) => x;

        """;

    private const string Footer = "\n}\n";

    public static TheoryData<string, string, string> BodyCases => new()
    {
        // statement, expected id, expected location text
        { "foreach (var v in new System.Collections.Generic.List<double> { 1.0 }) { a += v; }", "SD0001", "foreach" },
        { "foreach (var (u, v) in new[] { (1.0, 2.0) }) { a += u * v; }", "SD0001", "foreach" },
        { "var k = 0; while ((k = k + 1) < 3) { a *= 2; }", "SD0002", "(k = k + 1) < 3" },
        { "try { a = Math.Sqrt(a); } catch (Exception) { }", "SD0001", "try" },
        { "goto end; end: a += 1;", "SD0001", "goto" },
        { "switch ((int)a) { case 1: if (a > 1.5) { break; } a = 2; break; }", "SD0001", "break" },
        { "switch ((int)a) { case int n when n > 1: a = 2; break; }", "SD0002", "int n" },
        { "lock (typeof(C)) { a += 1; }", "SD0001", "lock" },
        { "using (var s = new System.IO.MemoryStream()) { a += 1; }", "SD0001", "using" },
        { "double Down(double v) => v > 1 ? Down(v - 1) : v; a = Down(a);", "SD0009", "Down(v - 1)" },
        { "static void Twice(ref double v) => v *= 2; Twice(ref a);", "SD0002", "ref a" },
        { "Func<double, double> f = v => v * v; a = f(a);", "SD0002", "v => v * v" },
        { "var t = (a, a); a = t.Item1;", "SD0002", "(a, a)" },
        { "double.TryParse(\"1\", out var parsed); a += parsed;", "SD0002", "out var parsed" },
        { "a = (int)a switch { 1 => 2.0, > 1 => a };", "SD0002", "(int)a switch { 1 => 2.0, > 1 => a }" },
        { "if (a is double d) { a = d; }", "SD0002", "double d" },
        { "object o = a; if (o is double) { a = 1; }", "SD0002", "o is double" },
        { "Console.WriteLine($\"{a}\");", "SD0002", "$\"{a}\"" },
        { "a = Helper(a);", "SD0003", "Helper(a)" },
        { "a = Math.CopySign(a, 3);", "SD0003", "Math.CopySign(a, 3)" },
        { "a = Math.ScaleB(a, 2);", "SD0003", "Math.ScaleB(a, 2)" },
        { "field = a;", "SD0004", "field" },
        { "Property = a;", "SD0004", "Property" },
        { "var arr = new double[1]; arr[0] = a;", "SD0004", "arr[0]" },
        { "var arr = new[] { a, 2.0 }; a = arr[1];", "SD0002", "new[] { a, 2.0 }" },
        { "var v = new System.Numerics.Vector2((float)a, 0); a = v.X;", "SD0003", "new System.Numerics.Vector2((float)a, 0)" },
        { "var s = TimeSpan.FromSeconds(a); a = s.TotalSeconds;", "SD0003", "TimeSpan.FromSeconds(a)" },
        { "a = F(a - 1);", "SD0009", "F(a - 1)" },
        { string.Concat(Enumerable.Repeat("if (a > 1) { a = a * 0.5; ", 101)) + new string('}', 101), "SD0001", "if" },
    };

    [Theory]
    [MemberData(nameof(BodyCases))]
    public void UnsupportedBodyConstructIsAnErrorAtItsLocation(string statement, string id, string locationText)
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a)\n    {\n        " + statement + "\n        return a;\n    }" + Footer;
        var (diagnostic, run) = SingleGeneratorDiagnostic(source, id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(locationText, LocationText(run, diagnostic));
    }

    public static TheoryData<string, string, string> DeclarationCases => new()
    {
        { "[Differentiable] public double F(double a) => a;", "SD0006", "F" },
        { "[Differentiable] public static double F(ref double a) => a;", "SD0005", "ref double a" },
        { "[Differentiable] public static double F(out double a) { a = 1; return a; }", "SD0005", "out double a" },
        { "[Differentiable] public static double F(in double a) => a;", "SD0005", "in double a" },
        { "[Differentiable] public static int F(double a) => (int)a;", "SD0008", "int" },
        { "[Differentiable] public static void F(double a) { }", "SD0008", "void" },
        { "[Differentiable] public static double F<T>(double a) => a;", "SD0010", "<T>" },
        { "[Differentiable] public static double F(double a) => a; public static void FGradient() { }", "SD0011", "F" },
        { "[Differentiable] public static extern double F(double a);", "SD0012", "F" },
    };

    [Theory]
    [MemberData(nameof(DeclarationCases))]
    public void DeclarationMisuseIsAnErrorAtTheDeclaration(string member, string id, string locationText)
    {
        var (diagnostic, run) = SingleAnalyzerDiagnostic(Header + "    " + member + Footer, id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(locationText, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.True(diagnostic.Location.IsInSource); // an analyzer diagnostic: squiggles in the editor while typing
        Assert.StartsWith("https://", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.Empty(run.GeneratorDiagnostics); // the generator only skips the method
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void UnusedNoDiffParameterIsAWarning()
    {
        var (diagnostic, _) = SingleAnalyzerDiagnostic(Header + "    [Differentiable]\n    public static double F(double a, [NoDiff] double scale) => a * a;" + Footer, "SD1004");
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
        Assert.Equal("scale", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    [Fact]
    public void NonPartialContainingTypeIsAnError()
    {
        const string source = """
            using SymDiff;

            public static partial class Outer
            {
                public static class Inner
                {
                    [Differentiable]
                    public static double F(double a) => a * a;
                }
            }
            """;
        var (diagnostic, _) = SingleAnalyzerDiagnostic(source, "SD0007");
        Assert.Equal("Inner", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Contains("add the 'partial' modifier", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void PiecewiseConstantFunctionIsAWarningAndItsGradientIsZero()
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a) => Math.Round(a) * a;" + Footer;
        var run = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD1001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity); // the harness builds with warnings as errors
        Assert.Equal("Math.Round(a)", LocationText(run, diagnostic));
        Assert.Single(run.Sources); // still generated: the warning is about a zero derivative, not an error
        Assert.Contains("Math.Round(a)", run.Sources.Values.Single(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string?, string?> ZeroDerivativeCases => new()
    {
        // body of F(double a, double b), expected warning id (null: none), expected location text
        { "return (int)a * b;", "SD1002", "(int)a" },
        { "var n = (long)(a * 3); return b * n;", "SD1002", "(long)(a * 3)" },
        { "var s = a > 0 ? 1.0 : -1.0; return s * b;", "SD1002", "a > 0" },
        { "double s; if (a > b) { s = 2; } else { s = 3; } return s * a;", "SD1002", "a > b" },
        { "var up = a > 0; var s = up ? 1.0 : 0.0; return s + b;", "SD1002", "a > 0" },
        { "var f = Math.Floor(a); return f * b;", "SD1001", "Math.Floor(a)" },
        { "double s = 0; for (var i = 0; i < 3; i++) { s += Math.Sign(a); } return s * b;", "SD1001", "Math.Sign(a)" },
        // The gradient of the taken branch is the documented semantics of a branch on a differentiated value.
        { "return a > 0 ? a * b : 0.01 * a * b;", null, null },
        { "if (a > b) { return a; } return b;", null, null },
        { "var x = a; while (x > 1) { x = x / 2; } return x * b;", null, null },
        // Lost derivatives that never reach the result are not worth a warning.
        { "var n = (int)a; var unused = n * 2; return a * b;", null, null },
        { "var i = (int)Math.Round(b * 0); return a * b + i * 0.0;", "SD1001", "Math.Round(b * 0)" },
    };

    [Theory]
    [MemberData(nameof(ZeroDerivativeCases))]
    public void DerivativesLostOnTheWayToTheResultAreWarnings(string body, string? id, string? location)
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a, double b)\n    {\n        " + body + "\n    }" + Footer;
        var run = GeneratorHarness.Run(source);
        var warnings = run.GeneratorDiagnostics.Where(d => d.Id is "SD1001" or "SD1002").ToList();
        if (id is null)
        {
            Assert.Empty(warnings);
        }
        else
        {
            Assert.True(warnings.Count == 1, $"Expected one {id}, got: {string.Join("; ", run.GeneratorDiagnostics)}\n{string.Join("\n", run.Sources.Values)}");
            var diagnostic = warnings[0];
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(location, LocationText(run, diagnostic));
        }

        Assert.Single(run.Sources); // warnings never stop generation
    }

    [Fact]
    public void ParameterThatNeverAffectsTheResultIsAWarningAtTheParameter()
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a, double b, double c) => c > 0 ? a : a * a;" + Footer;
        var run = GeneratorHarness.Run(source);
        var ids = run.GeneratorDiagnostics.Select(d => (d.Id, LocationText(run, d))).ToList();
        Assert.Equal(new[] { ("SD1003", "b"), ("SD1003", "c") }, ids); // c only picks a branch
        Assert.Contains("mark it [NoDiff]", run.GeneratorDiagnostics[0].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratorDiagnosticsPointIntoTheUsersOwnSyntaxTree()
    {
        // In-tree locations are what let #pragma warning disable and .editorconfig severities apply to SDnnnn as to
        // compiler warnings; this test project's own build relies on it (Gradients/Functions.cs suppresses SD1003).
        var source = Header + "    [Differentiable]\n    public static double F(double a, double b) => a * a;" + Footer;
        var run = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.True(diagnostic.Location.IsInSource);
        Assert.Contains(diagnostic.Location.SourceTree, run.Compilation.SyntaxTrees);
    }

    [Fact]
    public void MessagesSayWhatToDoInstead()
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a)\n    {\n        foreach (var v in new System.Collections.Generic.List<double> { 1.0 }) { a += v; }\n        a = Helper(a);\n        field = a;\n        return a;\n    }" + Footer;
        var messages = GeneratorHarness.Run(source).GeneratorDiagnostics.ToDictionary(d => d.Id, d => d.GetMessage());
        Assert.Contains("loop over an array or span, or use a 'for' loop over the indices", messages["SD0001"], StringComparison.Ordinal);
        Assert.Contains("mark it [Differentiable]", messages["SD0003"], StringComparison.Ordinal);
        Assert.Contains("'C.Helper(double)'", messages["SD0003"], StringComparison.Ordinal);
        Assert.Contains("assign to a local variable", messages["SD0004"], StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemOfAMethodIsReportedInOneBuild()
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a)\n    {\n        foreach (var v in new System.Collections.Generic.List<double> { 1.0 }) { a *= v; }\n        field = a;\n        return Helper(a);\n    }" + Footer;
        var ids = GeneratorHarness.Run(source).GeneratorDiagnostics.Select(d => d.Id).OrderBy(i => i).ToArray();
        Assert.Equal(new[] { "SD0001", "SD0003", "SD0004" }, ids);
    }

    [Theory]
    [InlineData("public static double F(double a, [Unknown] double b) => a * a;")]
    [InlineData("public static double F(double a, Unknown b) => a * a;")]
    [InlineData("public static double F(double a) { string s = a; return a; }")]
    [InlineData("public static double F(double a) => a.Missing() * a;")]
    [InlineData("public static double F(double a) => Math.Tanh(a, a);")]
    public void DeclarationsAndBodiesWithCompilerErrorsGetNoExtraDiagnostics(string method)
    {
        var run = GeneratorHarness.Run(Header + "    [Differentiable]\n    " + method + Footer);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void BodiesWithCompilerErrorsGetNoExtraDiagnostics()
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a) => a * undefinedName;" + Footer;
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
    }

    private static (Diagnostic Diagnostic, GeneratorRun Run) SingleGeneratorDiagnostic(string source, string id)
    {
        var run = GeneratorHarness.Run(source); // throws if the generator threw
        var diagnostics = run.GeneratorDiagnostics;
        Assert.True(diagnostics.Length == 1 && diagnostics[0].Id == id, $"Expected one {id}, got: {string.Join("; ", diagnostics)}");
        Assert.Empty(run.Sources); // nothing is generated for a method with errors
        Assert.DoesNotContain(run.Compilation.GetDiagnostics(), d => d.Id == "CS8785"); // the generator never crashes
        return (diagnostics[0], run);
    }

    /// <summary>The source text a diagnostic points at (generator diagnostics carry a path and span, not a tree).</summary>
    private static (Diagnostic Diagnostic, GeneratorRun Run) SingleAnalyzerDiagnostic(string source, string id)
    {
        var (run, diagnostics) = GeneratorHarness.Analyze(source);
        Assert.True(diagnostics.Length == 1 && diagnostics[0].Id == id, $"Expected one {id}, got: {string.Join("; ", diagnostics)}");
        return (diagnostics[0], run);
    }

    private static string LocationText(GeneratorRun run, Diagnostic diagnostic)
    {
        var path = diagnostic.Location.GetLineSpan().Path;
        var tree = run.Compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }
}
