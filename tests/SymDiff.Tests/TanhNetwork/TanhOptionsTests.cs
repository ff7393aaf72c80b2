using SymDiff.Tests.Infrastructure;
using TanhOptions = global::TanhNetwork.Options;

namespace SymDiff.Tests.TanhNetwork;

/// <summary>The tanh sample's command line: its flags, <c>--help</c>, and one-line errors.</summary>
public sealed class TanhOptionsTests
{
    [Fact]
    public void ReadsItsFlags()
    {
        var options = TanhOptions.Parse(["--lr", "0.25", "--steps", "0", "--w1", "-1.5", "--w2", "2", "--seed", "9", "--print-every", "10"]);
        Assert.Equal(new TanhOptions(LearningRate: 0.25, Steps: 0, W1: -1.5, W2: 2, Seed: 9, PrintEvery: 10), options);
        Assert.Equal(new TanhOptions(LearningRate: 0.5, Steps: 500, W1: 0.5, W2: 0.5, Seed: 1, PrintEvery: 25), TanhOptions.Parse([]));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--steps 3 --help --bogus")]
    public void HelpWins(string line) => Assert.True(TanhOptions.Parse(line.Split(' ')).Help);

    [Theory]
    [InlineData("--bogus", "unknown option '--bogus' (--help lists them)")]
    [InlineData("--lr", "--lr needs a value")]
    [InlineData("--lr 0", "--lr needs a positive number, not '0'")]
    [InlineData("--w1 x", "--w1 needs a number, not 'x'")]
    [InlineData("--steps 1.5", "--steps needs a whole number of at least 0, not '1.5'")]
    [InlineData("--print-every 0", "--print-every needs a whole number of at least 1, not '0'")]
    public void BadValuesNameTheOptionAndTheValue(string line, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => TanhOptions.Parse(line.Split(' '))).Message);

    [Fact]
    public void HelpExitsZeroAndAnErrorTwo()
    {
        var (code, output, error) = Samples.Run("TanhNetwork", "--help");
        Assert.Equal((0, TanhOptions.Usage, string.Empty), (code, output, error));

        (code, output, error) = Samples.Run("TanhNetwork", "--steps x");
        Assert.Equal((2, string.Empty, "error: --steps needs a whole number of at least 0, not 'x'"), (code, output, error));
    }
}
