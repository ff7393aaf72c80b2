namespace SymDiff.Tests.Infrastructure;

/// <summary>Measures what a step allocates on this thread once it is warm.</summary>
public static class Allocations
{
    /// <summary>
    /// Runs <paramref name="step"/> 40 times (past tiered compilation's 30 calls, whose rejit may allocate on this
    /// thread), then returns the bytes 20 more calls allocate on this thread.
    /// </summary>
    public static long OnceWarm(Action step)
    {
        ArgumentNullException.ThrowIfNull(step);
        for (var i = 0; i < 40; i++)
        {
            step();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            step();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
