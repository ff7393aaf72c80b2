using System.Text.RegularExpressions;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Architecture;

/// <summary>
/// The generator's stages run one way: Ir, Lowering, Differentiation, Planning, Emission. A file in a stage's folder may
/// use its own stage, earlier ones and the shared folders (Helpers, Diagnostics), never a later stage: not by a
/// <c>using</c> and not by a qualified name (<c>Emission.CExprPrinter</c>). The pipeline files at the generator's root
/// (and the analyzers and code fixes) sit above the stages and may use any.
/// </summary>
public sealed partial class StageOrderTests
{
    private static readonly string[] Stages = ["Ir", "Lowering", "Differentiation", "Planning", "Emission"];

    [Fact]
    public void NoStageUsesALaterStage()
    {
        var generator = Path.Combine(Repository.Root, "generator");
        var files = Stages
            .SelectMany(stage => Directory.EnumerateFiles(Path.Combine(generator, stage), "*.cs", SearchOption.AllDirectories))
            .Select(path => (Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'), File.ReadAllText(path)))
            .ToList();
        Assert.NotEmpty(files);

        var violations = Violations(files);
        Assert.True(violations.Count == 0, "stages must use only earlier ones:\n" + string.Join("\n", violations));
    }

    /// <summary>
    /// Emission prints plans: it runs no sweep and no pruning of its own (those are Differentiation's and Planning's), so
    /// what is taped, hoisted or recomputed cannot change while a method is being printed.
    /// </summary>
    [Fact]
    public void EmissionRunsNoSweepAndPrunesNothing()
    {
        var emission = Path.Combine(Repository.Root, "generator", "Emission");
        var found = Directory.EnumerateFiles(emission, "*.cs", SearchOption.AllDirectories)
            .SelectMany(path => Decision().Matches(Comment().Replace(File.ReadAllText(path), string.Empty))
                .Select(m => Path.GetFileName(path) + ": " + m.Value))
            .ToList();
        Assert.True(found.Count == 0, "Emission must only print the plan:\n" + string.Join("\n", found));
    }

    [Fact]
    public void AUseOfALaterStageIsReportedWithItsFileAndUsing()
    {
        var violations = Violations(
        [
            ("generator/Lowering/Early.cs", "using SymDiff.Generator.Ir;\nusing SymDiff.Generator.Planning;\nnamespace SymDiff.Generator.Lowering;"),
            ("generator/Differentiation/Qualified.cs", "namespace SymDiff.Generator.Differentiation;\n// Emission.CExprPrinter in a comment is fine\nclass A { Emission.CExprPrinter? p; }"),
            ("generator/Emission/Late.cs", "using SymDiff.Generator.Differentiation;\nusing SymDiff.Generator.Planning;\nnamespace SymDiff.Generator.Emission;"),
        ]);

        Assert.Equal(
            new[]
            {
                "generator/Lowering/Early.cs: using SymDiff.Generator.Planning (Lowering may use only Ir, Lowering, Helpers and Diagnostics)",
                "generator/Differentiation/Qualified.cs: Emission.CExprPrinter (Differentiation may use only Ir, Lowering, Differentiation, Helpers and Diagnostics)",
            },
            violations);
    }

    /// <summary>Each use of a later stage: the file, the using or qualified name, and what the stage may use.</summary>
    private static List<string> Violations(IEnumerable<(string Path, string Text)> files)
    {
        var violations = new List<string>();
        foreach (var (path, text) in files)
        {
            var stage = Array.IndexOf(Stages, path.Split('/')[1]);
            var allowed = string.Join(", ", Stages.Take(stage + 1)) + ", Helpers and Diagnostics";
            var code = Comment().Replace(text, string.Empty);
            foreach (Match use in Using().Matches(code))
            {
                if (Array.IndexOf(Stages, use.Groups["stage"].Value) > stage)
                {
                    violations.Add($"{path}: using {use.Groups["name"].Value} ({Stages[stage]} may use only {allowed})");
                }
            }

            foreach (Match name in Qualified().Matches(Using().Replace(code, string.Empty)))
            {
                if (Array.IndexOf(Stages, name.Groups["stage"].Value) > stage)
                {
                    violations.Add($"{path}: {name.Value} ({Stages[stage]} may use only {allowed})");
                }
            }
        }

        return violations;
    }

    [GeneratedRegex(@"new (ReverseSweep|TangentSweep)\b|\b(TangentSweep\.Run|HessianVectorProduct\.Derive|GradientPlacement\.Resolve|ReversePlanner\.Plan|FilePlanner\.Plan|TangentPlan\.Create\w*|IrLiveness\.\w+|IrUsefulness\.\w+)\b")]
    private static partial Regex Decision();

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?<name>SymDiff\.Generator\.(?<stage>\w+)[\w.]*)\s*;", RegexOptions.Multiline)]
    private static partial Regex Using();

    // A qualified name of a stage other than Ir (which every stage may use, and which is also a property name).
    [GeneratedRegex(@"(?<![\w.])(?:SymDiff\.Generator\.)?(?<stage>Lowering|Differentiation|Planning|Emission)\.[A-Z]\w*")]
    private static partial Regex Qualified();
}
