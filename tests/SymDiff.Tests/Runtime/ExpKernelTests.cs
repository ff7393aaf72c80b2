using SymDiff.Kernels;
using SymDiff.Tests.Infrastructure;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// The exp kernel under softmax, log-softmax and cross-entropy: each vector width (forced, so both run on every
/// machine) against double-precision e^x, over the clamped range, tails of every length, and the sum it returns.
/// </summary>
[Collection(GlobalState.Name)]
public sealed class ExpKernelTests
{
    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void EachVectorWidthMatchesExpToFloatPrecision(int bits)
    {
        var saved = ExpKernel.Width;
        try
        {
            ExpKernel.Width = (SimdWidth)bits;
            var random = new Random(bits);
            foreach (var length in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1000 })
            {
                var x = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 170) - 85)).ToArray();
                var shift = length == 0 ? 0f : x.Max();
                var y = new float[length];
                var sum = ExpKernel.ShiftedExpSum<float>(x, shift, y);
                var expectedSum = 0.0;
                for (var i = 0; i < length; i++)
                {
                    var expected = Math.Exp(x[i] - shift); // the argument rounded to float, as the kernel sees it
                    expectedSum += y[i];
                    if (expected > 1e-37) // below that the kernel clamps (results stay normal floats)
                    {
                        Assert.True(Math.Abs(y[i] - expected) <= 3e-7 * expected, $"width {bits}, length {length}: e^{x[i] - shift} = {expected}, kernel {y[i]}");
                    }
                }

                Assert.Equal(expectedSum, sum, 1e-5 * Math.Max(1, expectedSum));
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
    public void EachVectorWidthIsAccurateOnTheWholeRange(int bits)
    {
        var saved = ExpKernel.Width;
        try
        {
            ExpKernel.Width = (SimdWidth)bits;
            var x = Enumerable.Range(0, 17_601).Select(i => -87f + (i * 0.01f)).ToArray(); // -87 .. 89 (clamped at 88.376)
            var y = new float[x.Length];
            ExpKernel.ShiftedExpSum<float>(x, 0f, y);
            for (var i = 0; i < x.Length; i++)
            {
                var expected = Math.Exp(Math.Min(x[i], 88.3762626f));
                Assert.True(Math.Abs(y[i] - expected) <= 3e-7 * expected, $"width {bits}: e^{x[i]} = {expected}, kernel {y[i]}");
            }
        }
        finally
        {
            ExpKernel.Width = saved;
        }
    }

    [Fact]
    public void TheVectorWidthsAgreeOnASoftmaxRow()
    {
        var saved = ExpKernel.Width;
        try
        {
            var x = DTensor.RandomUniform(new Random(3), -5f, 5f, 1, 1001);
            ExpKernel.Width = SimdWidth.Bits256;
            var narrow = DTensor.Softmax(x).ToArray();
            ExpKernel.Width = SimdWidth.Bits512;
            var wide = DTensor.Softmax(x).ToArray();
            for (var i = 0; i < narrow.Length; i++)
            {
                Assert.Equal(narrow[i], wide[i], 1e-6f * narrow[i]); // the same steps per element; the sums differ in order
            }
        }
        finally
        {
            ExpKernel.Width = saved;
        }
    }
}
