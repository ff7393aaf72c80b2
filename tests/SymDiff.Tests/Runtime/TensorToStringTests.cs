using System.Globalization;
using System.Numerics.Tensors;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// DTensor's ToString: type and shape, then the values NumPy-style (nested brackets, at most six entries per axis,
/// six significant digits, invariant culture, a common width).
/// </summary>
public sealed class TensorToStringTests
{
    [Fact]
    public void AScalarShowsItsValue()
    {
        var scalar = new DTensor<double>();
        scalar[0] = 2.5;
        AssertText("DTensor<Double>[]\n2.5", scalar);
    }

    [Fact]
    public void OneElementTensorsShowTheirBrackets()
    {
        AssertText("DTensor<Single>[1]\n[-0.25]", Floats([-0.25f], 1));
        AssertText("DTensor<Single>[1, 1]\n[[7]]", Floats([7f], 1, 1));
    }

    [Fact]
    public void AShortVectorShowsEveryValueAlignedToACommonWidth()
    {
        AssertText("DTensor<Single>[4]\n[  1, 2.5,  -3,   0]", Floats([1f, 2.5f, -3f, 0f], 4));
        AssertText("DTensor<Single>[6]\n[0, 1, 2, 3, 4, 5]", Range(6, 6));
    }

    [Fact]
    public void ALongVectorShowsItsFirstAndLastThree()
    {
        AssertText("DTensor<Single>[7]\n[0, 1, 2, ..., 4, 5, 6]", Range(7, 7));
        AssertText("DTensor<Single>[100]\n[ 0,  1,  2, ..., 97, 98, 99]", Range(100, 100));
    }

    [Fact]
    public void ASmallMatrixShowsOneRowPerLine()
    {
        AssertText(
            """
            DTensor<Single>[2, 3]
            [[1, 2, 3],
             [4, 5, 6]]
            """,
            Floats([1f, 2f, 3f, 4f, 5f, 6f], 2, 3));
    }

    [Fact]
    public void ALargeMatrixShowsItsFirstAndLastThreeRowsAndColumns()
    {
        // Only the values shown set the width: 99 is shown, 55 is not.
        AssertText(
            """
            DTensor<Single>[10, 10]
            [[ 0,  1,  2, ...,  7,  8,  9],
             [10, 11, 12, ..., 17, 18, 19],
             [20, 21, 22, ..., 27, 28, 29],
             ...,
             [70, 71, 72, ..., 77, 78, 79],
             [80, 81, 82, ..., 87, 88, 89],
             [90, 91, 92, ..., 97, 98, 99]]
            """,
            Range(100, 10, 10));
    }

    [Fact]
    public void ARank3TensorSeparatesItsMatricesByABlankLine()
    {
        AssertText(
            """
            DTensor<Double>[2, 2, 3]
            [[[ 0,  1,  2],
              [ 3,  4,  5]],

             [[ 6,  7,  8],
              [ 9, 10, 11]]]
            """,
            DTensor<double>.FromArray(Enumerable.Range(0, 12).Select(i => (double)i).ToArray(), 2, 2, 3));
    }

    [Fact]
    public void ALongOuterAxisOfARank3TensorIsTruncatedToo()
    {
        var text = Range(8 * 2 * 2, 8, 2, 2).ToString();
        Assert.Contains("]],\n\n ...,\n\n [[", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(6, text.Split("[[", StringSplitOptions.None).Length - 1); // six matrices of the eight
        Assert.EndsWith("[30, 31]]]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyTensorsShowEmptyBrackets()
    {
        AssertText("DTensor<Single>[0]\n[]", new DTensor<float>(0));
        AssertText("DTensor<Double>[2, 0]\n[]", new DTensor<double>(2, 0));
    }

    [Fact]
    public void ValuesUseSixSignificantDigitsInTheInvariantCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // a decimal comma, were it used
        try
        {
            AssertText(
                "DTensor<Double>[5]\n[    3.14159, 1.23457E+06,       1E-07,         NaN,   -Infinity]",
                DTensor<double>.FromArray([Math.PI, 1234567.0, 1e-7, double.NaN, double.NegativeInfinity], 5));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void AViewShowsItsOwnElements()
    {
        // A row slice of a System.Numerics.Tensors tensor starts inside the array.
        var theirs = Tensor.Create(new float[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);
        AssertText("DTensor<Single>[1, 2]\n[[3, 4]]", DTensor.FromTensor(theirs.Slice([1..2, 0..2])));
    }

    private static DTensor<float> Floats(float[] values, params int[] shape) => DTensor<float>.FromArray(values, shape);

    /// <summary>0, 1, 2, ... <paramref name="count"/> − 1 in the given shape.</summary>
    private static DTensor<float> Range(int count, params int[] shape) =>
        DTensor<float>.FromArray(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), shape);

    private static void AssertText(string expected, DTensor<float> tensor) => Assert.Equal(expected.ReplaceLineEndings(), tensor.ToString());

    private static void AssertText(string expected, DTensor<double> tensor) => Assert.Equal(expected.ReplaceLineEndings(), tensor.ToString());
}
