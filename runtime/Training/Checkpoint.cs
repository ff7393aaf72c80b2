using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace SymDiff;

/// <summary>
/// Everything needed to resume training exactly: named tensors (parameters, optimizer state, the best and the
/// averaged parameters, the state carried between batches), the optimizer's step, the position in the epoch, the
/// RNG state that shuffled it, the loss and evaluation history and free-form metadata (the plateau's rate scale, the
/// best step, the skipped batches).
/// </summary>
public sealed class Checkpoint<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Named tensors, in the order they were added.</summary>
    public List<(string Name, DTensor<T> Tensor)> Tensors { get; } = new();

    /// <summary>Free-form settings (model shape, optimizer, corpus) to check on resume.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; set; }

    /// <summary>The epoch in progress (0-based).</summary>
    public int Epoch { get; set; }

    /// <summary>The next batch of that epoch.</summary>
    public int NextBatch { get; set; }

    /// <summary>The RNG state before the epoch's shuffle (to replay the same order).</summary>
    public RngState EpochRng { get; set; }

    /// <summary>The best validation metric so far (lower is better); +∞ if none.</summary>
    public double BestMetric { get; set; } = double.PositiveInfinity;

    /// <summary>Evaluations since the best one (for early stopping).</summary>
    public int EvaluationsSinceBest { get; set; }

    /// <summary>The training loss of every step so far.</summary>
    public List<double> Losses { get; } = new();

    /// <summary>Every evaluation so far: (step, metric).</summary>
    public List<(long Step, double Metric)> Evaluations { get; } = new();

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    public DTensor<T> Get(string name) =>
        Tensors.FirstOrDefault(t => t.Name == name).Tensor ?? throw new InvalidDataException($"The checkpoint has no tensor '{name}'.");
}

/// <summary>
/// Reads and writes <see cref="Checkpoint{T}"/> files: a magic string, a format version, the payload length, the
/// payload, and its SHA-256. Writes are atomic (a temporary file renamed over the target), so a crash leaves
/// either the old file or the new one; reading a truncated or corrupted file fails with a message saying which.
/// </summary>
public static class CheckpointFile
{
    /// <summary>
    /// The format version this build writes. Version 2 checkpoints may be written mid-epoch and hold the trainer's
    /// carried state (<see cref="Trainer{T}.CarriedState"/>); the layout is version 1's, which this build still reads.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>The oldest format version this build reads.</summary>
    public const int OldestReadableVersion = 1;

    private static readonly byte[] Magic = "SYMDIFF-CKPT"u8.ToArray();

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically.</summary>
    public static void Save<T>(string path, Checkpoint<T> checkpoint)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Save(path, checkpoint, keep: 0);

    /// <summary>
    /// Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically and, with <paramref name="keep"/> above
    /// 0, also to <see cref="StepPath"/>, then deletes all but the <paramref name="keep"/> newest of those step files.
    /// Also deletes the temporary files of an earlier writer of <paramref name="path"/> killed before its rename (one
    /// writer per path is assumed).
    /// </summary>
    public static void Save<T>(string path, Checkpoint<T> checkpoint, int keep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        var payload = WritePayload(checkpoint);
        AtomicFile.DeleteLeftovers(path);
        if (keep > 0)
        {
            AtomicFile.Write(StepPath(path, checkpoint.Step), stream => WriteFile(stream, payload));
        }

        AtomicFile.Write(path, stream => WriteFile(stream, payload));
        if (keep > 0)
        {
            foreach (var old in KeptPaths(path).SkipLast(keep))
            {
                File.Delete(old);
            }
        }
    }

    /// <summary>
    /// The file that keeps the checkpoint of step <paramref name="step"/> beside <paramref name="path"/> under
    /// <see cref="TrainingOptions.KeepCheckpoints"/>: <c>model.ckpt</c> → <c>model.step1200.ckpt</c>.
    /// </summary>
    public static string StepPath(string path, long step)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(path) ?? string.Empty;
        var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(path)}.step{step}{Path.GetExtension(path)}");
        return Path.Combine(directory, name);
    }

    /// <summary>The step files of <paramref name="path"/> (<see cref="StepPath"/>) that exist, oldest step first.</summary>
    internal static IReadOnlyList<string> KeptPaths(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var (stem, extension) = (Path.GetFileNameWithoutExtension(full), Path.GetExtension(full));
        var prefix = stem + ".step";
        var kept = new List<(long Step, string Path)>();
        foreach (var file in Directory.Exists(directory) ? Directory.EnumerateFiles(directory, prefix + "*" + extension) : [])
        {
            // The pattern is matched loosely on some platforms: only stem.step<digits>extension is one of ours.
            var name = Path.GetFileName(file);
            if (name.Length > prefix.Length + extension.Length && name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(extension, StringComparison.Ordinal)
                && name.AsSpan(prefix.Length, name.Length - prefix.Length - extension.Length) is var digits && !digits.ContainsAnyExceptInRange('0', '9')
                && long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var step))
            {
                kept.Add((step, file));
            }
        }

        return kept.OrderBy(k => k.Step).Select(k => k.Path).ToList();
    }

    private static void WriteFile(Stream stream, byte[] payload)
    {
        stream.Write(Magic);
        Span<byte> header = stackalloc byte[12];
        BitConverter.TryWriteBytes(header, FormatVersion);
        BitConverter.TryWriteBytes(header[4..], (long)payload.Length);
        stream.Write(header);
        stream.Write(payload);
        stream.Write(SHA256.HashData(payload));
    }

    /// <summary>Reads a checkpoint; throws <see cref="InvalidDataException"/> for a file that is not a complete, intact checkpoint.</summary>
    public static Checkpoint<T> Load<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        var headerLength = Magic.Length + 12;
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{path}' is not a SymDiff checkpoint (it does not start with {Encoding.ASCII.GetString(Magic)}).");
        }

        if (bytes.Length < headerLength)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated: {bytes.Length} bytes, shorter than its header.");
        }

        var version = BitConverter.ToInt32(bytes, Magic.Length);
        if (version is < OldestReadableVersion or > FormatVersion)
        {
            throw new InvalidDataException(
                $"Checkpoint '{path}' has format version {version}; this build reads versions {OldestReadableVersion} to {FormatVersion}" +
                (version > FormatVersion ? " (it was written by a newer SymDiff: resume it with that version)." : "."));
        }

        var payloadLength = BitConverter.ToInt64(bytes, Magic.Length + 4);
        var expected = headerLength + payloadLength + 32;
        if (payloadLength < 0 || bytes.Length < expected)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated: {bytes.Length} bytes, expected {expected}.");
        }

        if (bytes.Length > expected)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupted: {bytes.Length - expected} unexpected bytes after the checksum.");
        }

        var payload = bytes.AsSpan(headerLength, (int)payloadLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(headerLength + (int)payloadLength, 32)))
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupted: its SHA-256 checksum does not match its contents.");
        }

        return ReadPayload<T>(payload.ToArray(), path);
    }

    private static byte[] WritePayload<T>(Checkpoint<T> checkpoint)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(typeof(T).Name);
            writer.Write(checkpoint.Step);
            writer.Write(checkpoint.Epoch);
            writer.Write(checkpoint.NextBatch);
            WriteRng(writer, checkpoint.EpochRng);
            writer.Write(checkpoint.BestMetric);
            writer.Write(checkpoint.EvaluationsSinceBest);
            writer.Write(checkpoint.Losses.Count);
            foreach (var loss in checkpoint.Losses)
            {
                writer.Write(loss);
            }

            writer.Write(checkpoint.Evaluations.Count);
            foreach (var (step, metric) in checkpoint.Evaluations)
            {
                writer.Write(step);
                writer.Write(metric);
            }

            writer.Write(checkpoint.Metadata.Count);
            foreach (var (key, value) in checkpoint.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.Write(key);
                writer.Write(value);
            }

            writer.Write(checkpoint.Tensors.Count);
            foreach (var (name, tensor) in checkpoint.Tensors)
            {
                writer.Write(name);
                writer.Write(tensor.Rank);
                foreach (var dimension in tensor.Shape)
                {
                    writer.Write(dimension);
                }

                writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Span));
            }
        }

        return memory.ToArray();
    }

    private static Checkpoint<T> ReadPayload<T>(byte[] payload, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            var elementType = reader.ReadString();
            if (elementType != typeof(T).Name)
            {
                throw new InvalidDataException($"Checkpoint '{path}' holds {elementType} tensors, not {typeof(T).Name}.");
            }

            var checkpoint = new Checkpoint<T>
            {
                Step = reader.ReadInt64(),
                Epoch = reader.ReadInt32(),
                NextBatch = reader.ReadInt32(),
                EpochRng = ReadRng(reader),
                BestMetric = reader.ReadDouble(),
                EvaluationsSinceBest = reader.ReadInt32(),
            };
            var losses = reader.ReadInt32();
            for (var i = 0; i < losses; i++)
            {
                checkpoint.Losses.Add(reader.ReadDouble());
            }

            var evaluations = reader.ReadInt32();
            for (var i = 0; i < evaluations; i++)
            {
                checkpoint.Evaluations.Add((reader.ReadInt64(), reader.ReadDouble()));
            }

            var metadata = reader.ReadInt32();
            for (var i = 0; i < metadata; i++)
            {
                checkpoint.Metadata[reader.ReadString()] = reader.ReadString();
            }

            var tensors = reader.ReadInt32();
            for (var i = 0; i < tensors; i++)
            {
                var name = reader.ReadString();
                var shape = new int[reader.ReadInt32()];
                for (var d = 0; d < shape.Length; d++)
                {
                    shape[d] = reader.ReadInt32();
                }

                var tensor = new DTensor<T>(shape);
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Span);
                if (reader.Read(bytes) != bytes.Length)
                {
                    throw new EndOfStreamException();
                }

                checkpoint.Tensors.Add((name, tensor));
            }

            return checkpoint;
        }
        catch (Exception exception) when (exception is EndOfStreamException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupted: its contents do not parse ({exception.Message}).", exception);
        }
    }

    private static void WriteRng(BinaryWriter writer, RngState state)
    {
        writer.Write(state.S0);
        writer.Write(state.S1);
        writer.Write(state.S2);
        writer.Write(state.S3);
    }

    private static RngState ReadRng(BinaryReader reader) =>
        new(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64());
}

/// <summary>Writes files atomically: to a temporary file beside the target, flushed to disk, then renamed over it.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; readers see the old file or the complete new one.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var temporary = WriteTemporary(path, write);
        try
        {
            File.Move(temporary, Path.GetFullPath(path), overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// The first half of <see cref="Write"/>: the complete new contents in a temporary file beside
    /// <paramref name="path"/>, flushed to disk, not yet renamed over it (a process killed here leaves it behind).
    /// </summary>
    internal static string WriteTemporary(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return temporary;
    }

    /// <summary>Deletes the temporary files that writers of <paramref name="path"/> killed before their rename left behind.</summary>
    internal static void DeleteLeftovers(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            return;
        }

        var prefix = "." + Path.GetFileName(full) + ".";
        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            var suffix = Path.GetFileName(file).AsSpan(prefix.Length);
            if (suffix.Length == 12 && !suffix[..8].ContainsAnyExcept("0123456789abcdef"))
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Only tidying: a file that cannot be deleted now can be next time.
                }
            }
        }
    }
}
