using System.ComponentModel;

namespace SymDiff.CompilerServices;

/// <summary>
/// What generated code keeps per loop iteration for the reverse sweep: slot <c>k</c> holds a value of iteration
/// <c>k</c> (or, for tensors, the buffer that iteration writes into). Slots are kept from call to call and the tape
/// only grows when a loop runs longer than before, so a training loop reaches a steady state without allocation.
/// Only generated code uses it.
/// </summary>
/// <typeparam name="T">The value type (<see langword="double"/>, <see langword="bool"/>, <c>DTensor&lt;float&gt;?</c>, ...).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class Tape<T>
{
    private T[] _slots = [];

    /// <summary>The number of slots allocated so far (the longest run seen).</summary>
    public int Capacity => _slots.Length;

    /// <summary>Slot <paramref name="index"/>, growing the tape (by doubling) when it is past the end.</summary>
    /// <param name="index">The iteration index, from 0.</param>
    public ref T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_slots.Length)
            {
                Grow(index);
            }

            return ref _slots[index];
        }
    }

    private void Grow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Array.Resize(ref _slots, Math.Max(index + 1, Math.Max(16, _slots.Length * 2)));
    }
}
