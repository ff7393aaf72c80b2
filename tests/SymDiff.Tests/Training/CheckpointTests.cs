namespace SymDiff.Tests.Training;

/// <summary>Checkpoint files: round trip, atomic writes, and clear errors for damaged files.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("symdiff-checkpoints").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void RoundTripsEverything()
    {
        var path = Write(out var original);
        var loaded = CheckpointFile.Load<float>(path);
        Assert.Equal(original.Step, loaded.Step);
        Assert.Equal(original.Epoch, loaded.Epoch);
        Assert.Equal(original.NextBatch, loaded.NextBatch);
        Assert.Equal(original.EpochRng, loaded.EpochRng);
        Assert.Equal(original.Losses, loaded.Losses);
        Assert.Equal(original.Evaluations, loaded.Evaluations);
        Assert.Equal(original.Metadata, loaded.Metadata);
        Assert.Equal(original.Tensors.Select(t => t.Name), loaded.Tensors.Select(t => t.Name));
        Assert.Equal(original.Get("parameter/w").ToArray(), loaded.Get("parameter/w").ToArray());
        Assert.Equal(new[] { 2, 3 }, loaded.Get("parameter/w").Shape.ToArray());
    }

    [Fact]
    public void WritesAtomicallyWithoutLeavingTemporaryFiles()
    {
        var path = Write(out _);
        Write(out _); // overwrite
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
    }

    [Fact]
    public void TruncatedFileIsAClearError()
    {
        var path = Write(out _);
        var bytes = File.ReadAllBytes(path);
        foreach (var length in new[] { 5, 20, bytes.Length - 1, bytes.Length / 2 })
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.Throws<InvalidDataException>(() => CheckpointFile.Load<float>(path));
            Assert.Contains(length < 12 ? "not a SymDiff checkpoint" : "truncated", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CorruptedByteIsACorruptionError()
    {
        var path = Write(out _);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => CheckpointFile.Load<float>(path));
        Assert.Contains("corrupted", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignFileAndWrongElementTypeAreClearErrors()
    {
        var foreign = Path.Combine(_directory, "foreign.ckpt");
        File.WriteAllText(foreign, "hello, this is not a checkpoint at all");
        Assert.Contains("not a SymDiff checkpoint", Assert.Throws<InvalidDataException>(() => CheckpointFile.Load<float>(foreign)).Message, StringComparison.Ordinal);

        var path = Write(out _);
        Assert.Contains("holds Single tensors", Assert.Throws<InvalidDataException>(() => CheckpointFile.Load<double>(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoringIntoAModelOfAnotherShapeIsAClearError()
    {
        var path = Write(out _);
        var parameters = new ParameterSet<float>();
        parameters.Add("w", DTensor.Zeros<float>(3, 3));
        var trainer = new Trainer<float>(parameters, new Sgd<float>(parameters, 0.1), new ConstantSchedule(0.1), new TrainingOptions());
        var error = Assert.Throws<InvalidDataException>(() => trainer.Restore(CheckpointFile.Load<float>(path)));
        Assert.Contains("[2, 3]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWriterKilledBetweenTheTemporaryFileAndTheRenameLeavesThePreviousCheckpoint()
    {
        var path = Write(out var previous);
        var next = new Checkpoint<float> { Step = 99 };
        next.Tensors.Add(("parameter/w", DTensor.Full(7f, 2, 3)));
        var elsewhere = Path.Combine(_directory, "next.ckpt");
        CheckpointFile.Save(elsewhere, next);

        // What a process killed just before the rename leaves: the complete new file under its temporary name, and one
        // killed mid-write: half of it.
        var temporary = AtomicFile.WriteTemporary(path, stream => stream.Write(File.ReadAllBytes(elsewhere)));
        var half = AtomicFile.WriteTemporary(path, stream => stream.Write(File.ReadAllBytes(elsewhere).AsSpan(0, 100)));
        File.Delete(elsewhere);
        Assert.Equal(3, Directory.GetFiles(_directory).Length);

        var loaded = CheckpointFile.Load<float>(path);
        Assert.Equal(previous.Step, loaded.Step);
        Assert.Equal(previous.Get("parameter/w").ToArray(), loaded.Get("parameter/w").ToArray());

        // The next save of that checkpoint tidies up what the killed writers left.
        CheckpointFile.Save(path, next);
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
        Assert.False(File.Exists(temporary) || File.Exists(half));
        Assert.Equal(99, CheckpointFile.Load<float>(path).Step);
    }

    [Fact]
    public void KeepsTheLastCheckpointsNamedWithTheirStep()
    {
        var path = Path.Combine(_directory, "run.ckpt");
        Assert.Equal(Path.Combine(_directory, "run.step1200.ckpt"), CheckpointFile.StepPath(path, 1200));
        var unrelated = new[] { "run.stepX.ckpt", "run.step.ckpt", "run.step5.bak", "other.step1.ckpt" }.Select(name => Path.Combine(_directory, name)).ToArray();
        foreach (var file in unrelated)
        {
            File.WriteAllText(file, "not ours");
        }

        var setup = new RegressionSetup();
        var options = new TrainingOptions { Epochs = 2, BatchSize = 16, CheckpointPath = path, CheckpointEvery = 5, KeepCheckpoints = 2 };
        new Trainer<float>(setup.Parameters, new Sgd<float>(setup.Parameters, 0.05), new ConstantSchedule(0.05), options).Train(setup.Count, setup.Step);

        // Checkpoints at 5, 10, ..., 25 and the end, 26: the two newest are kept, beside the latest at the path itself.
        Assert.Equal(new[] { CheckpointFile.StepPath(path, 25), CheckpointFile.StepPath(path, 26) }, CheckpointFile.KeptPaths(path));
        Assert.Equal(25, CheckpointFile.Load<float>(CheckpointFile.StepPath(path, 25)).Step);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(CheckpointFile.StepPath(path, 26)));
        Assert.All(unrelated, file => Assert.True(File.Exists(file)));
        Assert.Equal(3 + unrelated.Length, Directory.GetFiles(_directory).Length);
    }

    [Fact]
    public void VersionOneFilesStillLoadAndNewerOnesAreAClearError()
    {
        // Version 2 keeps version 1's layout (it adds mid-epoch checkpoints and carried state, in named tensors).
        var path = Write(out var original);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(CheckpointFile.FormatVersion, BitConverter.ToInt32(bytes, 12));
        Assert.Equal(2, CheckpointFile.FormatVersion);

        BitConverter.TryWriteBytes(bytes.AsSpan(12), 1);
        File.WriteAllBytes(path, bytes);
        Assert.Equal(original.Losses, CheckpointFile.Load<float>(path).Losses);

        foreach (var (version, message) in new[] { (3, "has format version 3; this build reads versions 1 to 2 (it was written by a newer SymDiff"), (0, "has format version 0; this build reads versions 1 to 2.") })
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(12), version);
            File.WriteAllBytes(path, bytes);
            Assert.Contains(message, Assert.Throws<InvalidDataException>(() => CheckpointFile.Load<float>(path)).Message, StringComparison.Ordinal);
        }
    }

    private string Write(out Checkpoint<float> checkpoint)
    {
        checkpoint = new Checkpoint<float> { Step = 41, Epoch = 2, NextBatch = 5, EpochRng = new Rng(9).State, BestMetric = 3.25, EvaluationsSinceBest = 1 };
        checkpoint.Losses.AddRange(new[] { 4.0, 3.5, 3.25 });
        checkpoint.Evaluations.Add((40, 3.25));
        checkpoint.Metadata["model"] = "test";
        checkpoint.Tensors.Add(("parameter/w", DTensor<float>.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3)));
        checkpoint.Tensors.Add(("optimizer/w/m", DTensor.Full(0.5f, 2, 3)));
        var path = Path.Combine(_directory, "model.ckpt");
        CheckpointFile.Save(path, checkpoint);
        return path;
    }
}
