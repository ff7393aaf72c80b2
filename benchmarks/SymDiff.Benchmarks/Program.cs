using BenchmarkDotNet.Running;
using SymDiff.Benchmarks;

// `gemm ...` and other quick commands print medians without BenchmarkDotNet; anything else goes to BenchmarkDotNet
// (for example `--filter *Gemm*`).
if (args.Length > 0 && QuickCommands.TryRun(args, out var exitCode))
{
    return exitCode;
}

BenchmarkSwitcher.FromAssembly(typeof(QuickCommands).Assembly).Run(args);
return 0;
