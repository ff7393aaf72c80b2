using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace SymDiff;

/// <summary>
/// SymDiff's tensor: dense and row-major, of <see cref="float"/> or <see cref="double"/>, over a managed array. Views
/// (reshapes) share storage with the tensor they were made from. Ops live on <see cref="DTensor"/>. The D is for
/// differentiable, and keeps the name apart from System.Numerics.Tensors' <see cref="Tensor{T}"/>, to which it converts
/// without copying (<see cref="AsTensor"/>, <see cref="AsTensorSpan"/>, <see cref="DTensor.FromTensor{T}"/>).
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> for training, <see cref="double"/> for gradient checks.</typeparam>
public sealed partial class DTensor<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>ToString shows this many entries at each end of an axis longer than twice this.</summary>
    private const int EdgeItems = 3;

    private T[] _data;
    private int _offset;
    private int[] _shape;
    private int _length;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    /// <param name="shape">The length of each dimension; a scalar has no dimensions.</param>
    public DTensor(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _shape = (int[])shape.Clone();
        _length = ElementCount(_shape);
        _data = new T[_length];
    }

    private DTensor(T[] data, int offset, int[] shape)
    {
        _data = data;
        _offset = offset;
        _shape = shape;
        _length = ElementCount(shape);
    }

    /// <summary>The length of each dimension.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length => _length;

    /// <summary>The elements, row-major.</summary>
    public Span<T> Span => new(_data, _offset, _length);

    /// <summary>The element at flat (row-major) index <paramref name="index"/>.</summary>
    public ref T this[int index] => ref Span[index];

    /// <summary>The element at row <paramref name="row"/>, column <paramref name="column"/> of a matrix.</summary>
    public ref T this[int row, int column]
    {
        get
        {
            if (Rank != 2 || (uint)row >= (uint)_shape[0] || (uint)column >= (uint)_shape[1])
            {
                throw new IndexOutOfRangeException($"[{row}, {column}] is outside a tensor of shape {ShapeText}.");
            }

            return ref _data[_offset + (row * _shape[1]) + column];
        }
    }

    /// <summary>The shape as text, for messages: <c>[2, 3]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", _shape) + "]";

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dimension(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];

    /// <summary>Wraps <paramref name="data"/> (no copy) as a tensor of the given shape.</summary>
    public static DTensor<T> FromArray(T[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var count = ElementCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException($"FromArray: shape [{string.Join(", ", shape)}] holds {count} elements but the array has {data.Length}.", nameof(shape));
        }

        return new DTensor<T>(data, 0, (int[])shape.Clone());
    }

    /// <summary>Whether this tensor has exactly <paramref name="shape"/>.</summary>
    public bool HasShape(ReadOnlySpan<int> shape) => shape.SequenceEqual(_shape);

    /// <summary>Whether both tensors have the same shape.</summary>
    public bool HasSameShape(DTensor<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return HasShape(other._shape);
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(T value) => Span.Fill(value);

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor (shapes must match).</summary>
    public void CopyFrom(DTensor<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Check.SameShape("CopyFrom", this, source);
        source.Span.CopyTo(Span);
    }

    /// <summary>A copy with its own storage.</summary>
    public DTensor<T> Clone()
    {
        var copy = new DTensor<T>(_shape);
        Span.CopyTo(copy.Span);
        return copy;
    }

    /// <summary>The elements as a new array.</summary>
    public T[] ToArray() => Span.ToArray();

    /// <summary>
    /// The element type and shape, then the values as NumPy and PyTorch print them: nested brackets row by row, at most
    /// six entries along each axis (the first three, <c>...</c>, the last three), six significant digits in the
    /// invariant culture, right-aligned to a common width.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder($"DTensor<{typeof(T).Name}>{ShapeText}").AppendLine();
        if (_length == 0)
        {
            return text.Append("[]").ToString();
        }

        if (Rank == 0)
        {
            return text.Append(Format(_data[_offset])).ToString();
        }

        var width = 0;
        VisitShown(0, 0, index => width = Math.Max(width, Format(_data[_offset + index]).Length));
        AppendAxis(text, 0, 0, width);
        return text.ToString();
    }

    private static string Format(T value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>The indices shown along an axis of <paramref name="length"/>, with −1 where <c>...</c> stands.</summary>
    private static IEnumerable<int> Shown(int length)
    {
        for (var i = 0; i < length; i++)
        {
            if (length > 2 * EdgeItems && i == EdgeItems)
            {
                yield return -1;
                i = length - EdgeItems;
            }

            yield return i;
        }
    }

    /// <summary>Calls <paramref name="visit"/> with the flat index of every element shown, from <paramref name="axis"/> on.</summary>
    private void VisitShown(int axis, int offset, Action<int> visit)
    {
        var stride = ElementCount(_shape.AsSpan(axis + 1));
        foreach (var i in Shown(_shape[axis]))
        {
            if (i >= 0 && axis == Rank - 1)
            {
                visit(offset + i);
            }
            else if (i >= 0)
            {
                VisitShown(axis + 1, offset + (i * stride), visit);
            }
        }
    }

    /// <summary>Writes the sub-tensor at <paramref name="offset"/> from <paramref name="axis"/> on, in brackets.</summary>
    private void AppendAxis(StringBuilder text, int axis, int offset, int width)
    {
        // Rows of a matrix go on their own lines, matrices of a 3-D tensor apart by a blank line, and so on out.
        var separator = axis == Rank - 1 ? ", " : "," + string.Concat(Enumerable.Repeat(Environment.NewLine, Rank - axis - 1)) + new string(' ', axis + 1);
        var stride = ElementCount(_shape.AsSpan(axis + 1));
        text.Append('[');
        var first = true;
        foreach (var i in Shown(_shape[axis]))
        {
            text.Append(first ? string.Empty : separator);
            first = false;
            if (i < 0)
            {
                text.Append("...");
            }
            else if (axis == Rank - 1)
            {
                text.Append(Format(_data[_offset + offset + i]).PadLeft(width));
            }
            else
            {
                AppendAxis(text, axis + 1, offset + (i * stride), width);
            }
        }

        text.Append(']');
    }

    /// <summary>Wraps <paramref name="data"/> from <paramref name="offset"/> with an owned, validated <paramref name="shape"/>.</summary>
    internal static DTensor<T> Wrap(T[] data, int offset, int[] shape)
    {
        if ((uint)offset > (uint)data.Length || data.Length - offset < ElementCount(shape))
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] from offset {offset} does not fit an array of {data.Length} elements.");
        }

        return new DTensor<T>(data, offset, shape);
    }

    /// <summary>A view of the same elements with another shape (one dimension may be -1: inferred).</summary>
    internal DTensor<T> View(ReadOnlySpan<int> shape) => new(_data, _offset, Check.ReshapeTarget("Reshape", this, shape));

    /// <summary>A view of <paramref name="shape"/> over this tensor's elements from flat index <paramref name="start"/> on.</summary>
    internal DTensor<T> ViewAt(int start, ReadOnlySpan<int> shape) => Wrap(_data, _offset + start, shape.ToArray());

    /// <summary>
    /// Makes <paramref name="destination"/> (a workspace view) show <paramref name="source"/>'s elements from flat index
    /// <paramref name="start"/> on with <paramref name="shape"/>; allocates only when it did not already.
    /// </summary>
    internal static DTensor<T> ViewAt(DTensor<T> source, int start, ReadOnlySpan<int> shape, ref DTensor<T>? destination)
    {
        if (destination is null)
        {
            return destination = source.ViewAt(start, shape);
        }

        if (!ReferenceEquals(destination._data, source._data) || destination._offset != source._offset + start || !destination.HasShape(shape))
        {
            destination._data = source._data;
            destination._offset = source._offset + start;
            destination.Reshape(shape);

            destination._length = ElementCount(shape);
        }

        return destination;
    }

    /// <summary>Makes this (workspace) view show <paramref name="source"/>'s elements with <paramref name="shape"/>.</summary>
    internal void Rebind(DTensor<T> source, ReadOnlySpan<int> shape)
    {
        _data = source._data;
        _offset = source._offset;
        Reshape(shape);
        _length = ElementCount(_shape);
    }

    /// <summary>Whether this tensor views <paramref name="source"/>'s storage with <paramref name="shape"/>.</summary>
    internal bool Views(DTensor<T> source, ReadOnlySpan<int> shape) =>
        ReferenceEquals(_data, source._data) && _offset == source._offset && HasShape(shape);

    /// <summary>Gives this tensor a new shape with the same element count (workspace reuse).</summary>
    internal void SetShape(ReadOnlySpan<int> shape) => Reshape(shape);

    /// <summary>
    /// Takes <paramref name="shape"/> as this tensor's own: written over the old one when the rank is the same (a loop whose
    /// tensor alternates between 4 x 3 and 3 x 4 allocates nothing), a new array only when the rank changes. A tensor's
    /// shape array is its own (constructors clone, views resolve a fresh one), so no other tensor sees the change.
    /// </summary>
    private void Reshape(ReadOnlySpan<int> shape)
    {
        if (HasShape(shape))
        {
            return;
        }

        if (shape.Length == _shape.Length)
        {
            shape.CopyTo(_shape);
        }
        else
        {
            _shape = shape.ToArray();
        }
    }

    /// <summary>The storage, offset included, for kernels that need an array (threaded GEMM).</summary>
    internal T[] Data => _data;

    internal int Offset => _offset;

    internal static int ElementCount(ReadOnlySpan<int> shape)
    {
        var count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] has a negative dimension.");
            }

            count = checked(count * dimension);
        }

        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref T Reference() => ref _data[_offset];
}
