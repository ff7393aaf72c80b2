using Brown;

namespace SymDiff.Tests.NeuralLM;

/// <summary>The samples' shared command-line reader.</summary>
public sealed class ArgumentReaderTests
{
    [Fact]
    public void ReadsTypedValuesInOrder()
    {
        var read = new ArgumentReader(["--n", "3", "--flag", "--x", "1e-3", "--r", "0", "--f", "1", "--pick", "b", "--path", "a b.tgz"]);
        Assert.True(read.Next());
        Assert.Equal(("--n", 3), (read.Name, read.Int(1)));
        Assert.True(read.Next());
        Assert.Equal("--flag", read.Name); // a flag reads no value
        Assert.True(read.Next());
        Assert.Equal(1e-3, read.Positive());
        Assert.True(read.Next());
        Assert.Equal(0, read.Rate());
        Assert.True(read.Next());
        Assert.Equal(1, read.Factor());
        Assert.True(read.Next());
        Assert.Equal("b", read.OneOf("a", "b"));
        Assert.True(read.Next());
        Assert.Equal("a b.tgz", read.Value());
        Assert.False(read.Next());
    }

    [Theory]
    [InlineData("--n", "--n needs a value")]
    [InlineData("--n --m", "--n needs a value")]
    [InlineData("--n 0", "--n needs a whole number of at least 1, not '0'")]
    [InlineData("--n x", "--n needs a whole number of at least 1, not 'x'")]
    [InlineData("--positive 0", "--positive needs a positive number, not '0'")]
    [InlineData("--nonnegative -1", "--nonnegative needs a non-negative number, not '-1'")]
    [InlineData("--nonnegative NaN", "--nonnegative needs a non-negative number, not 'NaN'")]
    [InlineData("--rate 1", "--rate needs a rate in [0, 1), not '1'")]
    [InlineData("--factor 0", "--factor needs a factor in (0, 1], not '0'")]
    [InlineData("--choice c", "--choice must be one of a, b, not 'c'")]
    public void BadValuesNameTheOptionAndTheValue(string line, string message)
    {
        var read = new ArgumentReader(line.Split(' '));
        Assert.True(read.Next());
        var error = Assert.Throws<OptionException>(() => _ = read.Name switch
        {
            "--n" => read.Int(1),
            "--positive" => read.Positive(),
            "--nonnegative" => read.NonNegative(),
            "--rate" => read.Rate(),
            "--factor" => read.Factor(),
            "--choice" => read.OneOf("a", "b").Length,
            _ => throw read.Unknown(),
        });
        Assert.Equal(message, error.Message);
        Assert.Equal("unknown option '--what' (--help lists them)", new ArgumentReader(["--what"]) is var r && r.Next() ? r.Unknown().Message : null);
    }
}
