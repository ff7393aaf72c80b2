using SymDiff.Kernels;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// The float tanh kernel behind <see cref="DTensor.Tanh{T}(DTensor{T})"/>: each vector width (forced, so both run on
/// every machine) against double-precision tanh on both branches of the formula, special values, every tail length,
/// and the same bits on one and two threads.
/// </summary>
[Collection(GlobalState.Name)]
public sealed class TanhKernelTests
{
    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void EachVectorWidthMatchesTanhToFloatPrecision(int bits)
    {
        var saved = ExpKernel.Width;
        try
        {
            ExpKernel.Width = (SimdWidth)bits;
            // -12 .. 12 in steps of 0.001 (both sides of 0.625 and of the saturation at 9), then tiny values.
            var x = Enumerable.Range(0, 24_001).Select(i => -12f + (i * 0.001f))
                .Concat([1e-30f, -1e-30f, 1e-8f, 3e-4f, 0.6249999f, 0.625f, -0.625f]).ToArray();
            var y = new float[x.Length];
            TanhKernel.Apply(x, y);
            for (var i = 0; i < x.Length; i++)
            {
                var expected = Math.Tanh(x[i]);
                Assert.True(Math.Abs(y[i] - expected) <= 3e-7 * Math.Abs(expected) + 1e-38, $"width {bits}: tanh({x[i]:R}) = {expected:R}, kernel {y[i]:R}");
            }
        }
        finally
        {
            ExpKernel.Width = saved;
        }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void SpecialValuesAndTailsOfEveryLength(int bits)
    {
        var saved = ExpKernel.Width;
        try
        {
            ExpKernel.Width = (SimdWidth)bits;
            float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 100f, -100f];
            var y = new float[special.Length];
            TanhKernel.Apply(special, y);
            Assert.True(float.IsNaN(y[0]), $"tanh(NaN) = {y[0]}");
            Assert.Equal([1f, -1f, 0f, -0f, 1f, -1f], y[1..]);
            Assert.True(float.IsNegative(y[4]), "tanh(-0) keeps its sign");
            for (var length = 0; length <= 40; length++)
            {
                var x = Enumerable.Range(0, length).Select(i => (i * 0.37f) - 5f).ToArray();
                var result = new float[length + 1];
                result[length] = 42f; // the element after the span stays untouched
                TanhKernel.Apply(x, result.AsSpan(0, length));
                for (var i = 0; i < length; i++)
                {
                    Assert.Equal(Math.Tanh(x[i]), result[i], 3e-7 * Math.Abs(Math.Tanh(x[i])) + 1e-38);
                }

                Assert.Equal(42f, result[length]);
            }
        }
        finally
        {
            ExpKernel.Width = saved;
        }
    }

    [Fact]
    public void ALargeTensorIsTheSameOnOneAndTwoThreadsAndAtBothWidths()
    {
        var x = DTensor.RandomUniform(new Random(11), -4f, 4f, 300, 1001);
        var saved = (Compute.Threads, ExpKernel.Width);
        try
        {
            Compute.Threads = 1;
            var one = DTensor.Tanh(x).ToArray();
            Compute.Threads = 2;
            var two = DTensor.Tanh(x).ToArray();
            ExpKernel.Width = ExpKernel.Width == SimdWidth.Bits512 ? SimdWidth.Bits256 : SimdWidth.Bits512;
            var otherWidth = DTensor.Tanh(x).ToArray();
            Assert.Equal(one, two);
            for (var i = 0; i < one.Length; i++)
            {
                // The same steps per element at either width (an emulated width may round a multiply-add apart).
                Assert.Equal(one[i], otherWidth[i], 1e-6f * Math.Abs(one[i]));
            }
        }
        finally
        {
            (Compute.Threads, ExpKernel.Width) = saved;
        }
    }
}
