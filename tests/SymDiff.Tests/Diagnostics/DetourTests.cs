using Microsoft.CodeAnalysis;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Diagnostics;

/// <summary>
/// Every way a differentiated value can leave the differentiated computation (docs/supported-csharp.md, "Where a
/// derivative could be lost"): either it is differentiated, or the build says so at the exact place. Never a wrong
/// gradient without a diagnostic.
/// </summary>
public sealed class DetourTests
{
    private const string Header = """
        using System;
        using SymDiff;

        public static partial class C
        {
            [Differentiable]
            private static double Scale([NoDiff] double s, DTensor<double> v) => s * DTensor.Sum(v);

            public static void Log(double value) { }

            public static void Keep(double value, double[] into) => into[0] = value;

        """;

    public static TheoryData<string, string?, string?> Cases => new()
    {
        // body of F(DTensor<double> w, double a, [NoDiff] DTensor<double> buffer), expected id (null: differentiated), location
        { "return double.Parse(a.ToString()) * a;", "SD0015", "a.ToString()" },
        { "return Convert.ToDouble(Convert.ToString(a)) * a;", "SD0015", "Convert.ToString(a)" },
        { "return w.Span[1] * a;", "SD0015", "w.Span" },
        { "var copy = w.ToArray(); return copy[0] * a;", "SD0015", "w.ToArray()" },
        { "double s = 0; foreach (var v in w.Span) { s += v; } return s * a;", "SD0015", "w.Span" },
        { "var text = w.ToString(); return double.Parse(text.Substring(0, 1)) + a;", "SD0015", "w.ToString()" },
        { "buffer.CopyFrom(w); return DTensor.Sum(buffer) * a;", "SD0015", "buffer.CopyFrom(w)" },
        { "var kept = new double[1]; Keep(a, kept); return kept[0] * a;", "SD0015", "Keep(a, kept)" },
        { "var kept = new double[2]; w.Span.CopyTo(kept); return kept[0] * a;", "SD0015", "w.Span" },
        { "return (double)(decimal)a * a;", "SD0015", "(decimal)a" },
        { "dynamic d = a; return (double)(d * 2) * a;", "SD0002", "a" },
        { "ref double r = ref w[0]; return r * a;", "SD0002", "r = ref w[0]" },
        { "Func<double, double> f = Math.Sin; return f(a);", "SD0002", "Math.Sin" },
        { "var c = w.Clone(); return DTensor.Sum(c) * a;", "SD0003", "w.Clone()" },
        { "var v = new System.Numerics.Vector<double>(a); return v[0];", "SD0003", "new System.Numerics.Vector<double>(a)" },
        { "var text = $\"{a}\"; return a;", "SD0002", "$\"{a}\"" },
        { "var k = new double[] { 0 }; Array.Fill(k, a); return k[0] * a;", "SD0015", "Array.Fill(k, a)" },
        { "var list = new System.Collections.Generic.List<double>(); list.Add(a); return list[0] * a;", "SD0015", "list.Add(a)" },
        { "var x = (IFormattable)a; return double.Parse(x.ToString(null, null)) * a;", "SD0015", "x.ToString(null, null)" },
        { "return (double)(IFormattable)a * (double)(object)a + DTensor.Sum(w);", null, null },
        { "w.Clear(); return DTensor.Sum(w) * a;", "SD0016", "w.Clear()" },
        { "w.Fill(2.0); return DTensor.Sum(w) * a;", "SD0016", "w.Fill(2.0)" },
        { "buffer.CopyFrom(w); w.CopyFrom(buffer); return a;", "SD0016", "w.CopyFrom(buffer)" },
        { "return Scale(a, w);", "SD1005", "a" },
        { "var n = a.CompareTo(0.5); return n * a;", "SD1002", "a.CompareTo(0.5)" },
        { "var bad = double.IsNaN(a) ? 1.0 : 0.0; return bad * a;", "SD1002", "double.IsNaN(a)" },
        // Differentiated, or nothing lost on the way to the result.
        { "return w[0] * w[0] + DTensor.Sum(w);", null, null },
        { "return w[1] * a + w[0];", null, null },
        { "var n = w.Length; return DTensor.Sum(w) / n * a;", null, null },
        { "return DTensor.Sum(w) / w.Dimension(0) + a;", null, null },
        { "return double.IsNaN(a) ? 0 : a * DTensor.Sum(w);", null, null },
        { "Log(a); Console.WriteLine(a); return a * DTensor.Sum(w);", null, null },
        { "var text = a.ToString(); Console.WriteLine(text); return a * DTensor.Sum(w);", null, null },
        { "buffer.CopyFrom(w); return a * DTensor.Sum(w);", null, null },
        { "object o = w; return DTensor.Sum((DTensor<double>)o) * a;", null, null },
        { "object o = a; return (double)o * a + DTensor.Sum(w);", null, null },
        { "var best = 0; for (var i = 1; i < w.Length; i++) { if (w[i] > w[best]) { best = i; } } return w[best] * a;", null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachDetourIsDifferentiatedOrReportedWhereItHappens(string body, string? id, string? location)
    {
        var source = Header + "    [Differentiable]\n    public static double F(DTensor<double> w, double a, [NoDiff] DTensor<double> buffer)\n    {\n        " + body + "\n    }\n}\n";
        var run = GeneratorHarness.Run(source);
        var reported = run.GeneratorDiagnostics.Where(d => d.Id is not "SD1003" and not "SD1004").ToList();
        if (id is null)
        {
            Assert.True(reported.Count == 0, string.Join("; ", reported));
            Assert.Contains(run.Sources.Keys, k => k.EndsWith("C.F.g.cs", StringComparison.Ordinal));
            return;
        }

        Assert.True(reported.Count == 1, $"Expected one {id}, got: {string.Join("; ", run.GeneratorDiagnostics)}");
        var diagnostic = reported[0];
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(location, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        var generated = run.Sources.Keys.Any(k => k.EndsWith("C.F.g.cs", StringComparison.Ordinal));
        Assert.Equal(diagnostic.DefaultSeverity == DiagnosticSeverity.Warning, generated); // an error generates nothing
    }

    [Fact]
    public void AStringDetourSaysWhatWasLostAndWhatToDo()
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a) => double.Parse(a.ToString()) * a;\n}\n";
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("SD0015", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.DefaultSeverity);
        Assert.Contains("'a.ToString()' takes a differentiated value out of the differentiated computation (as text)", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("silently lost", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ALibraryFunctionWithoutARuleGetsTheExactRuleToWriteInTheCallersType()
    {
        var source = Header + "    [Differentiable]\n    public static double F(double a) => Math.CopySign(a, 3.0);\n}\n";
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("SD0003", diagnostic.Id);
        Assert.Contains(
            "declare its pullback in 'C': [PullbackOf(typeof(Math), nameof(Math.CopySign))] static void CopySignPullback(double x, double y, double result, double dResult, ref double dx, ref double dy)",
            diagnostic.GetMessage(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void TheRuleTheMessageSpellsOutCompilesAndIsUsed()
    {
        const string source = """
            using System;
            using SymDiff;

            public static partial class C
            {
                [PullbackOf(typeof(Math), nameof(Math.CopySign))]
                static void CopySignPullback(double x, double y, double result, double dResult, ref double dx, ref double dy) =>
                    dx += Math.Sign(x) == Math.Sign(result) ? dResult : -dResult;

                [Differentiable]
                public static double F(double a) => Math.CopySign(a, 3.0);
            }
            """;
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("CopySignPullback(", run.Sources.Values.Single(), StringComparison.Ordinal);
    }
}
