using System.Numerics.Tensors;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// DTensor and System.Numerics.Tensors side by side: both namespaces imported in one file (no ambiguity), and the
/// conversions share elements both ways, copying nothing.
/// </summary>
public sealed class InteropTests
{
    [Fact]
    public void AsTensorSharesTheElementsBothWays()
    {
        var ours = DTensor<float>.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Tensor<float> theirs = ours.AsTensor();
        Assert.Equal(new nint[] { 2, 3 }, theirs.Lengths.ToArray());
        Assert.Equal(6f, theirs[1, 2]);
        theirs[0, 1] = 20;
        Assert.Equal(20f, ours[0, 1]);
        ours[1, 0] = 40;
        Assert.Equal(40f, theirs[1, 0]);

        // System.Numerics.Tensors' own ops read and write the same elements.
        Tensor.Add(ours.AsReadOnlyTensorSpan(), 1f, ours.AsTensorSpan());
        Assert.Equal(new float[] { 2, 21, 4, 41, 6, 7 }, ours.ToArray());
    }

    [Fact]
    public void AViewConvertsFromItsOffset()
    {
        var whole = DTensor<double>.FromArray(Enumerable.Range(0, 12).Select(i => (double)i).ToArray(), 3, 4);
        var reshaped = DTensor.Reshape(whole, 2, 6);
        var span = reshaped.AsTensorSpan();
        Assert.Equal(new nint[] { 2, 6 }, span.Lengths.ToArray());
        Assert.Equal(7.0, span[1, 1]);
    }

    [Fact]
    public void FromTensorWrapsADenseTensorWithoutCopying()
    {
        var theirs = Tensor.Create(new float[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);
        var ours = DTensor.FromTensor(theirs);
        Assert.Equal(new[] { 3, 2 }, ours.Shape.ToArray());
        ours[2, 1] = 60;
        Assert.Equal(60f, theirs[2, 1]);
        theirs[0, 0] = 10;
        Assert.Equal(10f, ours[0, 0]);

        // And the round trip lands on the same storage.
        ours.AsTensor()[1, 0] = 30;
        Assert.Equal(30f, theirs[1, 0]);
    }

    [Fact]
    public void FromTensorOfARowSliceStartsAtTheSlice()
    {
        var theirs = Tensor.Create(new float[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);
        var row = theirs.Slice([1..2, 0..2]);
        var ours = DTensor.FromTensor(row);
        Assert.Equal(new float[] { 3, 4 }, ours.ToArray());
        ours[0, 1] = 40;
        Assert.Equal(40f, theirs[1, 1]);
    }

    [Fact]
    public void ATransposedTensorIsRefusedAndCanBeCopied()
    {
        var theirs = Tensor.Create(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var transposed = Tensor.PermuteDimensions(theirs, [1, 0]);
        var exception = Assert.Throws<ArgumentException>(() => DTensor.FromTensor(transposed));
        Assert.Contains("FromTensor", exception.Message, StringComparison.Ordinal);
        Assert.Contains("CopyFrom", exception.Message, StringComparison.Ordinal);

        var copy = DTensor.CopyFrom(transposed.AsReadOnlyTensorSpan());
        Assert.Equal(new[] { 3, 2 }, copy.Shape.ToArray());
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, copy.ToArray());
    }

    [Fact]
    public void EmptyAndScalarTensorsConvert()
    {
        var empty = DTensor.Zeros<float>(0, 3);
        Assert.Equal(0, empty.AsTensor().FlattenedLength);
        Assert.Equal(0, DTensor.FromTensor(empty.AsTensor()).Length);

        var scalar = DTensor.Full(5.0, []);
        Assert.Equal(new nint[] { 1 }, scalar.AsTensor().Lengths.ToArray()); // System.Numerics.Tensors has no rank 0
        Assert.Equal(5.0, scalar.AsTensor()[0]);

        var row = DTensor<float>.FromArray(new float[] { 1, 2, 3 }, 1, 3); // dimensions of length 1 convert too
        Assert.Equal(3f, row.AsTensor()[0, 2]);
        Assert.Equal(2f, DTensor.Reshape(row, 3, 1).AsTensorSpan()[1, 0]);
    }

    [Fact]
    public void ConversionsAllocateOnlyTheWrapper()
    {
        var ours = DTensor.Zeros<float>(128, 256);
        var theirs = ours.AsTensor();
        for (var i = 0; i < 3; i++)
        {
            _ = ours.AsTensorSpan();
            _ = DTensor.FromTensor(theirs);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var span = ours.AsTensorSpan();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before); // a span over the same array: nothing
        Assert.Equal(128 * 256, span.FlattenedLength);

        before = GC.GetAllocatedBytesForCurrentThread();
        var back = DTensor.FromTensor(theirs);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(allocated, 1, 200); // the DTensor object and its shape, never the 32,768 elements
        Assert.Same(theirs, theirs); // (keeps the wrapped tensor alive to here)
        Assert.Equal(32_768, back.Length);
    }
}
