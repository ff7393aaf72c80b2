using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace SymDiff;

/// <summary>
/// Everything needed to resume training exactly: named tensors (parameters, optimizer state, the best parameters so
/// far), the optimizer's step, the position in the epoch, the RNG state, the loss history and free-form metadata.
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
    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly byte[] Magic = "SYMDIFF-CKPT"u8.ToArray();

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically.</summary>
    public static void Save<T>(string path, Checkpoint<T> checkpoint)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var payload = WritePayload(checkpoint);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            Span<byte> header = stackalloc byte[12];
            BitConverter.TryWriteBytes(header, FormatVersion);
            BitConverter.TryWriteBytes(header[4..], (long)payload.Length);
            stream.Write(header);
            stream.Write(payload);
            stream.Write(SHA256.HashData(payload));
        });
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
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has format version {version}; this build reads version {FormatVersion}.");
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
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
