namespace SymDiff.Tests.Runtime;

/// <summary>Shape mismatches throw ArgumentException naming the op and both shapes, before anything is written.</summary>
public sealed class ShapeErrorTests
{
    [Fact]
    public void ElementwiseMismatchNamesOpAndShapesAndWritesNothing()
    {
        Tensor<float>? destination = Tensor.Full(7f, 2, 3);
        var exception = Assert.Throws<ArgumentException>(() => Tensor.Add(Tensor.Zeros<float>(2, 3), Tensor.Zeros<float>(3, 2), ref destination));
        Assert.Contains("Add", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 2]", exception.Message, StringComparison.Ordinal);
        Assert.All(destination!.ToArray(), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void MatMulMismatchNamesBothShapes()
    {
        Tensor<float>? destination = Tensor.Full(7f, 2, 5);
        var exception = Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros<float>(2, 3), Tensor.Zeros<float>(4, 5), false, false, ref destination));
        Assert.Contains("MatMul", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 5]", exception.Message, StringComparison.Ordinal);
        Assert.All(destination!.ToArray(), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void OtherOpsValidateTheirShapes()
    {
        Assert.Contains("AddRowBias", Assert.Throws<ArgumentException>(() => Tensor.AddRowBias(Tensor.Zeros<float>(2, 3), Tensor.Zeros<float>(4))).Message, StringComparison.Ordinal);
        Assert.Contains("Concat", Assert.Throws<ArgumentException>(() => Tensor.Concat(Tensor.Zeros<float>(2, 3), Tensor.Zeros<float>(3, 3))).Message, StringComparison.Ordinal);
        Assert.Contains("Reshape", Assert.Throws<ArgumentException>(() => Tensor.Reshape(Tensor.Zeros<float>(2, 3), 4, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("CrossEntropy", Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(Tensor.Zeros<float>(2, 3), new[] { 0 })).Message, StringComparison.Ordinal);
        Assert.Contains("Embedding", Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Embedding(Tensor.Zeros<float>(5, 3), new[] { 5 })).Message, StringComparison.Ordinal);
        Assert.Contains("MultiplyBackward", Assert.Throws<ArgumentException>(() =>
            Tensor.MultiplyBackward(Tensor.Zeros<float>(3), Tensor.Zeros<float>(3), Tensor.Zeros<float>(3), Tensor.Zeros<float>(3), Tensor.Zeros<float>(4), null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DestinationBuffersAreReusedWithoutAllocating()
    {
        var a = Tensor.Full(1f, 64, 64);
        var b = Tensor.Full(2f, 64, 64);
        Tensor<float>? destination = null;
        Tensor.Add(a, b, ref destination);
        var first = destination;
        Tensor.Tanh(a, ref destination);
        Tensor.MatMul(a, b, false, false, ref destination); // warm up (per-thread packing buffers)
        var before = GC.GetAllocatedBytesForCurrentThread();
        Tensor.Add(a, b, ref destination);
        Tensor.Tanh(a, ref destination);
        Tensor.MatMul(a, b, false, false, ref destination);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Same(first, destination);
        Assert.Equal(0, allocated);
    }
}
