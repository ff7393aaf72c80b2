using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;

using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Packaging;

/// <summary>
/// The NuGet package works as a user gets it: `dotnet pack` makes one SymDiff package (library, generator and code
/// fixes as analyzers, README, license, XML docs, symbols); a fresh console project that references it from a local
/// folder feed builds, its [Differentiable] method gets a gradient, and the gradient is right.
/// </summary>
public sealed class PackageTests
{
    [Fact]
    public void AFreshProjectReferencingThePackedPackageGetsWorkingGradients()
    {
        var root = Repository.Root;
        var work = Directory.CreateTempSubdirectory("symdiff-package-").FullName;
        try
        {
            var feed = Path.Combine(work, "feed");
            Run(root, "dotnet", "pack", Path.Combine(root, "runtime", "SymDiff.csproj"), "-c", "Release", "-o", feed);

            var package = Assert.Single(Directory.GetFiles(feed, "SymDiff.*.nupkg"), p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
            Assert.Single(Directory.GetFiles(feed, "SymDiff.*.snupkg"));
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
                Assert.Contains("lib/net10.0/SymDiff.dll", entries);
                Assert.Contains("lib/net10.0/SymDiff.xml", entries);
                Assert.Contains("analyzers/dotnet/cs/SymDiff.Generator.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/SymDiff.CodeFixes.dll", entries);
                Assert.Contains("README.md", entries);
                Assert.Contains("LICENSE", entries);
                Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));
            }

            var version = Path.GetFileNameWithoutExtension(package)["SymDiff.".Length..];
            var consumer = Path.Combine(work, "Consumer");
            Directory.CreateDirectory(consumer);
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <!-- A private package folder: the package under test never mixes with a cached one. -->
                    <RestorePackagesPath>{Path.Combine(work, "packages")}</RestorePackagesPath>
                    <RestoreFallbackFolders>{GlobalPackages()}</RestoreFallbackFolders>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="SymDiff" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(consumer, "NuGet.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
                using System.Globalization;
                using SymDiff;

                var value = Model.FGradient(0.3, -1.2, out var da, out var db);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{value:R} {da:R} {db:R}"));

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double a, double b) => Math.Tanh(a * b) + a * a;
                }
                """);

            var output = Run(consumer, "dotnet", "run", "-c", "Release").Trim().Split('\n')[^1].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var (a, b) = (0.3, -1.2);
            var sech2 = 1 - (Math.Tanh(a * b) * Math.Tanh(a * b));
            Assert.Equal(Math.Tanh(a * b) + (a * a), output[0], 12);
            Assert.Equal((sech2 * b) + (2 * a), output[1], 12);
            Assert.Equal(sech2 * a, output[2], 12);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string GlobalPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs a command; fails with its output if it exits non-zero. Returns standard output.</summary>
    private static string Run(string directory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
