using SymDiff.Distributed;

namespace SymDiff.Tests.Distributed;

/// <summary>What needs no MPI: the one error a machine without it gives, and how a batch is split between ranks.</summary>
public sealed class CommunicatorTests
{
    [Fact]
    public void WithoutAnMpiLibraryTheErrorNamesThePackageToInstall()
    {
        var error = Assert.Throws<MpiException>(() => MpiLibrary.Load(["libmpi-that-is-not-installed.so.99"]));
        Assert.Contains("needs an MPI library", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 3)]
    [InlineData(1, 2)]
    [InlineData(25, 2)]
    [InlineData(128, 2)]
    [InlineData(127, 8)]
    [InlineData(5, 8)]
    public void PartsAreContiguousCoverEverythingAndDifferByAtMostOne(int count, int ranks)
    {
        var parts = Enumerable.Range(0, ranks).Select(rank => Communicator.Part(count, rank, ranks)).ToList();
        Assert.Equal(0, parts[0].Start);
        for (var rank = 1; rank < ranks; rank++)
        {
            Assert.Equal(parts[rank - 1].Start + parts[rank - 1].Count, parts[rank].Start);
        }

        Assert.Equal(count, parts.Sum(part => part.Count));
        Assert.True(parts.Max(part => part.Count) - parts.Min(part => part.Count) <= 1);
    }
}
