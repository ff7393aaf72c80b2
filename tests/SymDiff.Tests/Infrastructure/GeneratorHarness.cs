using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SymDiff.Generator;

namespace SymDiff.Tests.Infrastructure;

/// <summary>Runs the generator in memory on source text, and compiles and loads the result.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    public static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return paths
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DifferentiableAttribute).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Tests" + Guid.NewGuid().ToString("N"),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator on <paramref name="sources"/>.</summary>
    public static GeneratorRun Run(params string[] sources)
    {
        var compilation = CreateCompilation(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
        {
            throw new InvalidOperationException("The generator threw", result.Exception);
        }

        return new GeneratorRun(
            (CSharpCompilation)output,
            result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()),
            generatorDiagnostics.Where(d => d.Severity > DiagnosticSeverity.Info).ToImmutableArray(),
            generatorDiagnostics.Where(d => d.Severity <= DiagnosticSeverity.Info).ToImmutableArray());
    }

    /// <summary>Runs the generator, then SymDiff's analyzers on the result; returns the analyzers' diagnostics.</summary>
    public static (GeneratorRun Run, ImmutableArray<Diagnostic> Diagnostics) Analyze(params string[] sources)
    {
        var run = Run(sources);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new SymDiff.Generator.Analyzers.DeclarationAnalyzer());
        var diagnostics = run.Compilation
            .WithAnalyzers(analyzers)
            .GetAnalyzerDiagnosticsAsync()
            .GetAwaiter()
            .GetResult();
        return (run, diagnostics);
    }

    /// <summary>Runs the generator, requires a clean compile (warnings are errors), and loads the assembly.</summary>
    public static Assembly CompileAndLoad(params string[] sources)
    {
        var run = Run(sources);
        run.AssertNoDiagnostics();
        using var stream = new MemoryStream();
        var emit = run.Compilation.Emit(stream);
        if (!emit.Success)
        {
            throw new InvalidOperationException(
                "Compilation failed:\n" + string.Join("\n", emit.Diagnostics) + "\n\n" + string.Join("\n\n", run.Sources.Values));
        }

        return Assembly.Load(stream.ToArray());
    }
}

/// <summary>
/// The outcome of one generator run: its warnings and errors, and apart from them its messages (Info: SD2001, which
/// says why a method has no pushforward).
/// </summary>
public sealed record GeneratorRun(
    CSharpCompilation Compilation,
    IReadOnlyDictionary<string, string> Sources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> Messages)
{
    /// <summary>Generator diagnostics plus the compiler's, on the generated compilation.</summary>
    public IEnumerable<Diagnostic> AllDiagnostics =>
        GeneratorDiagnostics.Concat(Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));

    /// <summary>
    /// The text of the generated method whose declaration contains <paramref name="signature"/>
    /// (<c>"double FHessianVectorProduct("</c>), from there to its closing brace (a member of a type outside namespaces).
    /// </summary>
    public string Method(string signature)
    {
        var file = Sources.Values.Single(s => s.Contains(signature, StringComparison.Ordinal));
        var start = file.IndexOf(signature, StringComparison.Ordinal);
        return file[start..file.IndexOf("\n    }\n", start, StringComparison.Ordinal)];
    }

    /// <summary>The source text a diagnostic points at, from the run's compilation.</summary>
    public string TextAt(Diagnostic diagnostic)
    {
        var path = diagnostic.Location.GetLineSpan().Path;
        return Compilation.SyntaxTrees.Single(t => t.FilePath == path).GetText().ToString(diagnostic.Location.SourceSpan);
    }

    public void AssertNoDiagnostics()
    {
        var problems = AllDiagnostics.ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                "Unexpected diagnostics:\n" + string.Join("\n", problems) + "\n\n" + string.Join("\n\n", Sources.Values));
        }
    }
}
