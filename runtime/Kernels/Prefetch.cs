using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace SymDiff.Kernels;

/// <summary>Software prefetches for accesses the hardware cannot predict (rows of a table at scattered ids).</summary>
internal static class Prefetch
{
    /// <summary>The most bytes of a row asked for: past that the hardware prefetcher follows the row by itself.</summary>
    private const int MaximumBytes = 1024;

    /// <summary>Asks for the cache lines of <paramref name="span"/>[start .. start + length) (at most the first KiB).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Row<T>(Span<T> span, int start, int length)
        where T : unmanaged
    {
        if (!Sse.IsSupported || length <= 0 || (uint)start >= (uint)span.Length)
        {
            return;
        }

        var first = (byte*)Unsafe.AsPointer(ref span[start]);
        var bytes = Math.Min(Math.Min(length, span.Length - start) * sizeof(T), MaximumBytes);
        for (var offset = 0; offset < bytes; offset += 64)
        {
            Sse.Prefetch0(first + offset);
        }

        Sse.Prefetch0(first + bytes - 1); // a row that does not start on a line ends on one more
    }
}
