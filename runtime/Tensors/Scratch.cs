using System.Numerics;

namespace SymDiff;

/// <summary>
/// A per-thread scratch buffer for rules that need a temporary of one row or one tensor. It grows when asked for
/// more and is reused afterwards, so steady-state training allocates nothing.
/// </summary>
internal static class Scratch<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static T[]? s_buffer;

    public static Span<T> Get(int length)
    {
        var buffer = s_buffer;
        if (buffer is null || buffer.Length < length)
        {
            s_buffer = buffer = new T[Math.Max(length, 256)];
        }

        return buffer.AsSpan(0, length);
    }
}
