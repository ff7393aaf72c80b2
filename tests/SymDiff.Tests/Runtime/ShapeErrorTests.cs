using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>Shape mismatches throw ArgumentException naming the op and both shapes, before anything is written.</summary>
public sealed class ShapeErrorTests
{
    [Fact]
    public void ElementwiseMismatchNamesOpAndShapesAndWritesNothing()
    {
        DTensor<float>? destination = DTensor.Full(7f, 2, 3);
        var exception = Assert.Throws<ArgumentException>(() => DTensor.Add(DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(3, 2), ref destination));
        Assert.Contains("Add", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 2]", exception.Message, StringComparison.Ordinal);
        Assert.All(destination!.ToArray(), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void MatMulMismatchNamesBothShapes()
    {
        DTensor<float>? destination = DTensor.Full(7f, 2, 5);
        var exception = Assert.Throws<ArgumentException>(() => DTensor.MatMul(DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(4, 5), false, false, ref destination));
        Assert.Contains("MatMul", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 5]", exception.Message, StringComparison.Ordinal);
        Assert.All(destination!.ToArray(), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void OtherOpsValidateTheirShapes()
    {
        Assert.Contains("AddRowBias", Assert.Throws<ArgumentException>(() => DTensor.AddRowBias(DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(4))).Message, StringComparison.Ordinal);
        Assert.Contains("Concat", Assert.Throws<ArgumentException>(() => DTensor.Concat(DTensor.Zeros<float>(2, 3), DTensor.Zeros<float>(3, 3))).Message, StringComparison.Ordinal);
        Assert.Contains("Reshape", Assert.Throws<ArgumentException>(() => DTensor.Reshape(DTensor.Zeros<float>(2, 3), 4, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("CrossEntropy", Assert.Throws<ArgumentException>(() => DTensor.CrossEntropy(DTensor.Zeros<float>(2, 3), new[] { 0 })).Message, StringComparison.Ordinal);
        Assert.Contains("Embedding", Assert.Throws<ArgumentOutOfRangeException>(() => DTensor.Embedding(DTensor.Zeros<float>(5, 3), new[] { 5 })).Message, StringComparison.Ordinal);
        Assert.Contains("MultiplyPullback", Assert.Throws<ArgumentException>(() =>
            DTensorRules.MultiplyPullback(DTensor.Zeros<float>(3), DTensor.Zeros<float>(3), DTensor.Zeros<float>(3), DTensor.Zeros<float>(4), null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DestinationBuffersAreReusedWithoutAllocating()
    {
        var a = DTensor.Full(1f, 64, 64);
        var b = DTensor.Full(2f, 64, 64);
        DTensor<float>? destination = null;
        DTensor.Add(a, b, ref destination);
        var first = destination;
        DTensor.Tanh(a, ref destination);
        DTensor.MatMul(a, b, false, false, ref destination); // warm up (per-thread packing buffers)
        var before = GC.GetAllocatedBytesForCurrentThread();
        DTensor.Add(a, b, ref destination);
        DTensor.Tanh(a, ref destination);
        DTensor.MatMul(a, b, false, false, ref destination);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Same(first, destination);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void KeptShapesSizeZeroedBuffersWithoutAllocatingOnceWarm()
    {
        int[]? shape = null;
        DTensor<double>? gradient = null;
        Buffers.KeepShape(DTensor.Zeros<double>(2, 3), ref shape);
        var kept = shape;
        Assert.Equal([2, 3], shape!);
        Buffers.EnsureZeroed(ref gradient, shape!).Fill(5);
        var buffer = gradient;

        var value = DTensor.Zeros<double>(2, 3);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Buffers.KeepShape(value, ref shape);
        var zeroed = Buffers.EnsureZeroed(ref gradient, shape!);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Same(kept, shape);
        Assert.Same(buffer, zeroed);
        Assert.All(zeroed.ToArray(), v => Assert.Equal(0.0, v));

        Buffers.KeepShape(DTensor.Zeros<double>(4, 1, 2), ref shape); // another rank: a new array
        Assert.Equal([4, 1, 2], shape!);
        Assert.True(Buffers.EnsureZeroed(ref gradient, shape!).HasShape([4, 1, 2]));
    }
}
