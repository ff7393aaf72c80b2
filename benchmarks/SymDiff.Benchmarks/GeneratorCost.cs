using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SymDiff.Generator;

namespace SymDiff.Benchmarks;

/// <summary>
/// <c>generator --methods 200</c>: what the source generator costs a project of that many [Differentiable] methods
/// (a mix of scalar functions with branches, loops and calls, and tensor MLP losses). Times a cold run (new driver:
/// a fresh build) and an incremental run after editing one method's body (what the IDE does on a keystroke), and
/// counts through step tracking how many methods each run re-emitted.
/// </summary>
internal static class GeneratorCost
{
    public static void Run(Options options)
    {
        var methods = options.Int("methods", 200);
        var perFile = options.Int("per-file", 10);
        var sources = Enumerable.Range(0, (methods + perFile - 1) / perFile)
            .Select(f => File(f * perFile, Math.Min(methods, (f + 1) * perFile)))
            .ToList();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DifferentiableAttribute).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        List<SyntaxTree> Parse() => sources.Select((s, f) => CSharpSyntaxTree.ParseText(s, parse, path: $"Models{f}.cs")).ToList();
        var compilation = CSharpCompilation.Create(
            "Project",
            Parse(),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
            new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        // Cold: every method lowered, differentiated and emitted (compilation binding included, as in a build).
        var generated = 0;
        var cold = options.Flag("edit-only") ? new[] { double.NaN } : QuickCommands.Measure(
            () =>
            {
                var fresh = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(Parse());
                var result = NewDriver().RunGenerators(fresh).GetRunResult();
                generated = result.GeneratedTrees.Length;
            },
            0);

        // Incremental: a warm driver sees one method's body change.
        var driver = NewDriver().RunGenerators(compilation);
        var current = compilation;
        var edit = 0;
        var at = sources[0].IndexOf("* 0.5", StringComparison.Ordinal);
        var modified = 0;
        var cached = 0;
        var incremental = QuickCommands.Measure(
            () =>
            {
                var tree = current.SyntaxTrees.First();
                var text = tree.GetText();
                var changed = tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(at, 5), (++edit % 2 == 0) ? "* 0.5" : "* 0.7")));
                current = current.ReplaceSyntaxTree(tree, changed);
                driver = driver.RunGenerators(current);
                var emit = driver.GetRunResult().Results.Single().TrackedSteps["Emit"].SelectMany(s => s.Outputs).ToList();
                modified = emit.Count(o => o.Reason == IncrementalStepRunReason.Modified);
                cached = emit.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
            },
            0);

        Console.WriteLine($"generator: {methods} methods in {sources.Count} files, {sources.Sum(s => s.Split('\n').Length)} lines, {generated} generated files");
        Console.WriteLine($"  cold run (fresh driver, binding included): median {QuickCommands.Median(cold) * 1e3:F0} ms over {cold.Length} runs");
        Console.WriteLine($"  after editing one method: median {QuickCommands.Median(incremental) * 1e3:F1} ms over {incremental.Length} runs; re-emitted {modified}, cached {cached}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT cold_ms={QuickCommands.Median(cold) * 1e3:F0} edit_ms={QuickCommands.Median(incremental) * 1e3:F1} reemitted={modified} cached={cached}"));
    }

    /// <summary>A file with differentiable methods number <paramref name="first"/> to <paramref name="end"/> - 1, four shapes in turn.</summary>
    private static string File(int first, int end)
    {
        var text = new System.Text.StringBuilder("using System;\nusing SymDiff;\n\npublic static partial class Models\n{\n");
        for (var i = first; i < end; i++)
        {
            text.Append((i % 4) switch
            {
                0 => $$"""
                        [Differentiable]
                        public static double Tanh{{i}}(double w1, double w2, [NoDiff] double x, [NoDiff] double y)
                        {
                            var h = Math.Tanh(w1 * x);
                            var o = Math.Tanh(w2 * h);
                            return 0.5 * (y - o) * (y - o) * {{i + 1}};
                        }

                    """,
                1 => $$"""
                        [Differentiable]
                        public static double Branch{{i}}(double a, double b)
                        {
                            var s = a * b;
                            if (s > {{i}})
                            {
                                s = Math.Log(s * s + 1) * 0.5;
                            }
                            else
                            {
                                s = Math.Exp(-s) + Tanh{{i - 1}}(a, b, 1, 2);
                            }

                            return s + Math.Sqrt(a * a + b * b + 1);
                        }

                    """,
                2 => $$"""
                        [Differentiable]
                        public static double Loop{{i}}(double a, double b, [NoDiff] int n)
                        {
                            var h = a;
                            for (var t = 0; t < n; t++)
                            {
                                h = Math.Tanh(b * h + {{i}});
                                if (h > 0.9) { break; }
                            }

                            return h * h;
                        }

                    """,
                _ => $$"""
                        [Differentiable]
                        public static float Mlp{{i}}(DTensor<float> w1, DTensor<float> b1, DTensor<float> w2, [NoDiff] DTensor<float> x, [NoDiff] ReadOnlySpan<int> y)
                        {
                            var h = DTensor.Tanh(DTensor.AddRowBias(DTensor.MatMul(x, w1), b1));
                            var logits = DTensor.MatMul(h, w2);
                            return DTensor.CrossEntropy(logits, y);
                        }

                    """,
            });
        }

        return text.Append("}\n").ToString();
    }
}
