using System.Numerics;
using System.Runtime.CompilerServices;

namespace SymDiff;

/// <summary>
/// Zero-copy conversions to System.Numerics.Tensors' types, for libraries that take them (ONNX Runtime, ML.NET and
/// others): the result views this tensor's elements, so a write through either is seen by both.
/// </summary>
public sealed partial class DTensor<T>
{
    /// <summary>
    /// This tensor as a <see cref="Tensor{T}"/> over the same elements (no copy). A rank-0 tensor becomes a
    /// one-element vector: System.Numerics.Tensors has no rank 0.
    /// </summary>
    public Tensor<T> AsTensor()
    {
        Span<nint> lengths = stackalloc nint[Math.Max(1, Rank)];
        Span<nint> strides = stackalloc nint[lengths.Length];
        Layout(lengths, strides);
        return Tensor.Create(_data, _offset, lengths, strides);
    }

    /// <summary>This tensor as a <see cref="TensorSpan{T}"/> over the same elements (no copy).</summary>
    public TensorSpan<T> AsTensorSpan()
    {
        Span<nint> lengths = stackalloc nint[Math.Max(1, Rank)];
        Span<nint> strides = stackalloc nint[lengths.Length];
        Layout(lengths, strides);
        return new TensorSpan<T>(_data, _offset, lengths, strides);
    }

    /// <summary>This tensor as a <see cref="ReadOnlyTensorSpan{T}"/> over the same elements (no copy).</summary>
    public ReadOnlyTensorSpan<T> AsReadOnlyTensorSpan() => AsTensorSpan();

    /// <summary>
    /// Row-major lengths and strides. A dimension of length 1, and every dimension of an empty tensor, gets stride 0:
    /// System.Numerics.Tensors lays them out that way itself and refuses other strides there.
    /// </summary>
    private void Layout(Span<nint> lengths, Span<nint> strides)
    {
        if (Rank == 0)
        {
            lengths[0] = 1;
            strides[0] = 0;
            return;
        }

        nint stride = 1;
        for (var axis = Rank - 1; axis >= 0; axis--)
        {
            lengths[axis] = _shape[axis];
            strides[axis] = Length == 0 || _shape[axis] == 1 ? 0 : stride;
            stride *= _shape[axis];
        }
    }
}

public static partial class DTensor
{
    /// <summary>
    /// Wraps a dense, row-major <see cref="Tensor{T}"/>'s elements as a <see cref="DTensor{T}"/> (no copy: a write
    /// through either is seen by both). A transposed or sliced tensor with gaps is refused: copy it with
    /// <see cref="CopyFrom{T}(ReadOnlyTensorSpan{T})"/>.
    /// </summary>
    public static DTensor<T> FromTensor<T>(Tensor<T> tensor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = RowMajorShape(nameof(FromTensor), tensor.Lengths, tensor.Strides, tensor.IsDense);
        T[] values;
        int start;
        try
        {
            values = TensorStorage<T>.Values(tensor);
            start = TensorStorage<T>.Start(tensor);
        }
        catch (MissingFieldException exception)
        {
            throw new NotSupportedException(
                $"{nameof(FromTensor)}: this version of System.Numerics.Tensors keeps its elements where SymDiff cannot share them; copy them with {nameof(CopyFrom)} instead.",
                exception);
        }

        return DTensor<T>.Wrap(values, start, shape);
    }

    /// <summary>A new <see cref="DTensor{T}"/> holding a copy of <paramref name="source"/>'s elements (any strides), row-major.</summary>
    public static DTensor<T> CopyFrom<T>(ReadOnlyTensorSpan<T> source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = new int[source.Rank];
        for (var axis = 0; axis < shape.Length; axis++)
        {
            shape[axis] = checked((int)source.Lengths[axis]);
        }

        var copy = new DTensor<T>(shape);
        source.FlattenTo(copy.Span);
        return copy;
    }

    private static int[] RowMajorShape(string op, ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, bool dense)
    {
        var shape = new int[lengths.Length];
        nint expected = 1;
        var rowMajor = dense;
        for (var axis = lengths.Length - 1; axis >= 0; axis--)
        {
            shape[axis] = lengths[axis] <= int.MaxValue
                ? (int)lengths[axis]
                : throw new ArgumentException($"{op}: dimension {axis} has {lengths[axis]} elements, more than a DTensor holds.");
            rowMajor &= lengths[axis] <= 1 || strides[axis] == expected;
            expected *= lengths[axis];
        }

        if (!rowMajor && expected != 0) // an empty tensor has no elements to lay out
        {
            throw new ArgumentException(
                $"{op}: the tensor [{string.Join(", ", shape)}] with strides [{string.Join(", ", strides.ToArray())}] is not dense and row-major, so its elements cannot be shared; copy them with {nameof(CopyFrom)}.");
        }

        return shape;
    }

    /// <summary>The storage of a <see cref="Tensor{T}"/>, which System.Numerics.Tensors does not expose.</summary>
    private static class TensorStorage<T>
    {
        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_values")]
        public static extern ref T[] Values(Tensor<T> tensor);

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_start")]
        public static extern ref int Start(Tensor<T> tensor);
    }
}
