using SymDiff.Kernels;

namespace SymDiff;

/// <summary>Settings of the compute kernels.</summary>
public static class Compute
{
    /// <summary>
    /// How many threads large kernels (matrix multiplies) may use, the calling thread included. Defaults to the
    /// number of processors; 1 runs everything on the calling thread, which makes results bit-reproducible run to
    /// run.
    /// </summary>
    public static int Threads
    {
        get => Parallelism.Threads;
        set => Parallelism.Threads = value;
    }
}
