namespace SymDiff.Tests.Infrastructure;

/// <summary>
/// Tests that change process-wide settings (<c>Compute.Threads</c>, the GEMM's vector width) run alone, after the
/// others: the scalar GEMM rounds differently from the vector one, so a test running beside them could see its
/// bit-for-bit comparisons (resume equals uninterrupted, say) fail for a reason of theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalState
{
    public const string Name = "Process-wide settings";
}
