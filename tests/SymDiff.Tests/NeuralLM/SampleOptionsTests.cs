using Brown;
using NeuralOptions = global::NeuralLM.Options;
using RecurrentOptions = global::RecurrentLM.Options;

namespace SymDiff.Tests.NeuralLM;

/// <summary>The flags both samples share: parsed once, with each sample's own defaults and flags kept.</summary>
public sealed class SampleOptionsTests
{
    [Fact]
    public void EachSampleKeepsItsDefaults()
    {
        var neural = NeuralOptions.Parse([]);
        Assert.Equal(("sgd", 10, 1.0, "neural-lm-loss.png"), (neural.Optimizer, neural.Epochs, neural.Rate, neural.Plot));
        Assert.Equal((null, 0.99, 1.0, 0.01), (neural.ClipNorm, neural.Average, neural.PlateauFactor, neural.PlateauThreshold));

        var recurrent = RecurrentOptions.Parse([]);
        Assert.Equal(("adam", 4, 2e-3, "recurrent-lm-loss.png"), (recurrent.Optimizer, recurrent.Epochs, recurrent.Rate, recurrent.Plot));
        Assert.Equal((1.0, null, 0.5), (recurrent.ClipNorm, recurrent.Average, recurrent.PlateauFactor));
    }

    [Theory]
    [InlineData("sgd", 1.0, 1.0)]
    [InlineData("adam", 1e-3, 2e-3)]
    [InlineData("adafactor", 1e-2, 2e-3)]
    public void TheDefaultRateFollowsTheOptimizer(string optimizer, double neural, double recurrent)
    {
        Assert.Equal(neural, NeuralOptions.Parse(["--optimizer", optimizer]).Rate);
        Assert.Equal(recurrent, RecurrentOptions.Parse(["--optimizer", optimizer]).Rate);
        Assert.Equal(0.5, NeuralOptions.Parse(["--lr", "0.5", "--optimizer", optimizer]).Rate);
    }

    [Fact]
    public void SharedAndOwnFlagsMixInAnyOrder()
    {
        string[] shared = ["--epochs", "3", "--lr", "0.1", "--clip-norm", "2", "--average", "0.9", "--plateau", "0.5", "--patience", "4", "--threads", "1",
            "--seed", "7", "--corpus", "c.tgz", "--vocab-from", "train", "--max-minutes", "1.5", "--checkpoint", "x.ckpt", "--resume", "--plot", "p.png"];
        var neural = NeuralOptions.Parse(["--order", "3", .. shared, "--dropout", "0.2"]);
        var recurrent = RecurrentOptions.Parse(["--bptt", "5", .. shared, "--recompute"]);
        foreach (SampleOptions options in new SampleOptions[] { neural, recurrent })
        {
            Assert.Equal((3, 0.1, 2.0, 0.9, 0.5, 4, 1, 7UL), (options.Epochs, options.Rate, options.ClipNorm, options.Average, options.PlateauFactor, options.Patience, options.Threads, options.Seed));
            Assert.Equal(("c.tgz", "train", 1.5, "x.ckpt", true, "p.png"), (options.Corpus, options.VocabularyScope, options.MaxMinutes, options.Checkpoint, options.Resume, options.Plot));
        }

        Assert.Equal((3, 0.2), (neural.Order, neural.Dropout));
        Assert.Equal((5, true), (recurrent.Bptt, recurrent.Recompute));
    }

    [Fact]
    public void TheTrainerGetsTheSharedFlags()
    {
        var training = RecurrentOptions.Parse(["--epochs", "2", "--seed", "5", "--max-minutes", "2", "--average", "0.97", "--checkpoint", "r.ckpt"]).Training();
        Assert.Equal((2, 5UL, 1.0, 0.97, 2, 0.5, 0.01), (training.Epochs, training.Seed, training.ClipGradientNorm, training.AverageDecay, training.Patience, training.PlateauFactor, training.PlateauThreshold));
        Assert.Equal((TimeSpan.FromMinutes(2), "r.ckpt", true), (training.MaxDuration, training.CheckpointPath, training.RestoreBest));

        // NeuralLM reads --average 0 as "evaluate the last iterate"; RecurrentLM passes it on as β = 0
        Assert.Null(NeuralOptions.Parse(["--average", "0"]).Training().AverageDecay);
        Assert.Equal(0, RecurrentOptions.Parse(["--average", "0"]).Training().AverageDecay);
    }

    [Fact]
    public void ACheckpointIsWrittenEveryTenMinutesByDefault()
    {
        Assert.Null(NeuralOptions.Parse([]).Training().CheckpointInterval); // no checkpoint, no interval
        var training = RecurrentOptions.Parse(["--checkpoint", "r.ckpt"]).Training();
        Assert.Equal((TimeSpan.FromMinutes(10), 0), (training.CheckpointInterval, training.KeepCheckpoints));
        training = NeuralOptions.Parse(["--keep-checkpoints", "3", "--checkpoint", "r.ckpt", "--checkpoint-every", "2.5"]).Training();
        Assert.Equal((TimeSpan.FromMinutes(2.5), 3), (training.CheckpointInterval, training.KeepCheckpoints));
        Assert.Null(RecurrentOptions.Parse(["--checkpoint", "r.ckpt", "--checkpoint-every", "0"]).Training().CheckpointInterval); // only after evaluations
    }

    [Theory]
    [InlineData("--checkpoint-every 5", "--checkpoint-every needs --checkpoint <path>")]
    [InlineData("--keep-checkpoints 2", "--keep-checkpoints needs --checkpoint <path>")]
    [InlineData("--checkpoint x.ckpt --keep-checkpoints -1", "--keep-checkpoints needs a whole number of at least 0, not '-1'")]
    [InlineData("--checkpoint x.ckpt --checkpoint-every soon", "--checkpoint-every needs a non-negative number, not 'soon'")]
    public void CheckpointFlagsNeedACheckpoint(string line, string message)
    {
        foreach (var parse in new Func<string[], SampleOptions>[] { NeuralOptions.Parse, RecurrentOptions.Parse })
        {
            Assert.Equal(message, Assert.Throws<OptionException>(() => parse(line.Split(' '))).Message);
        }
    }

    [Fact]
    public void TheResumeLineRepeatsTheCommandLineWithResumeQuotedForTheShell()
    {
        string[] args = ["--generate", "The jury's verdict", "--checkpoint", "runs/x.ckpt", "--lr", "0.5"];
        Assert.Equal(args, NeuralOptions.Parse(args).Arguments);
        Assert.Equal("--generate 'The jury'\\''s verdict' --checkpoint runs/x.ckpt --lr 0.5 --resume", TrainingRun.ResumeFlags(args));
        Assert.Equal("--checkpoint x.ckpt --resume --epochs 3", TrainingRun.ResumeFlags(["--checkpoint", "x.ckpt", "--resume", "--epochs", "3"]));
    }

    [Theory]
    [InlineData("--optimizer adamw", "--optimizer must be one of sgd, adam, adafactor, not 'adamw'")]
    [InlineData("--resume", "--resume needs --checkpoint <path>")]
    [InlineData("--order 3", "unknown option '--order' (--help lists them)")]
    public void RecurrentLMRejectsWhatIsNotItsOwn(string line, string message) =>
        Assert.Equal(message, Assert.Throws<OptionException>(() => RecurrentOptions.Parse(line.Split(' '))).Message);

    [Fact]
    public void HelpIsTheSamplesOwnUsage()
    {
        Assert.StartsWith("usage: dotnet run -c Release --project samples/NeuralLM -- ", Assert.Throws<HelpRequestedException>(() => NeuralOptions.Parse(["--help"])).Message, StringComparison.Ordinal);
        Assert.StartsWith("usage: dotnet run -c Release --project samples/RecurrentLM -- ", Assert.Throws<HelpRequestedException>(() => RecurrentOptions.Parse(["-h"])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--epochs 3 --help")]
    public void HelpPrintsTheUsageToStandardOutputAndExitsZero(string line)
    {
        foreach (var parse in new Func<string[], SampleOptions>[] { NeuralOptions.Parse, RecurrentOptions.Parse })
        {
            var (code, output, error) = RunSample(() => parse(line.Split(' ')));
            Assert.Equal(0, code);
            Assert.StartsWith("usage: dotnet run -c Release --project samples/", output, StringComparison.Ordinal);
            Assert.Equal(string.Empty, error);
        }
    }

    [Fact]
    public void ABadCommandLineIsAOneLineErrorWithExitCodeTwo()
    {
        var (code, output, error) = RunSample(() => NeuralOptions.Parse(["--bogus"]));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal("error: unknown option '--bogus' (--help lists them)" + Environment.NewLine, error);
    }

    [Theory]
    [InlineData("--epochs 0")]
    [InlineData("--epochs 0 --checkpoint x.ckpt")]
    public void EpochsZeroWithoutResumeIsAnError(string line)
    {
        foreach (var parse in new Func<string[], SampleOptions>[] { NeuralOptions.Parse, RecurrentOptions.Parse })
        {
            var error = Assert.Throws<OptionException>(() => parse(line.Split(' ')));
            Assert.StartsWith("--epochs 0 only scores a resumed model: add --resume --checkpoint <path>", error.Message, StringComparison.Ordinal);
        }

        // with a checkpoint to resume, no epochs means: score it
        var resumed = NeuralOptions.Parse([.. line.Split(' '), "--checkpoint", "x.ckpt", "--resume"]);
        Assert.Equal((0, true), (resumed.Epochs, resumed.Resume));
    }

    [Fact]
    public void APlotInAFolderThatDoesNotExistIsAnErrorAtParsingThatNamesTheFolder()
    {
        var missing = Path.Combine(Path.GetTempPath(), "symdiff-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var plot = Path.Combine(missing, "deeper", "loss.png");
        foreach (var parse in new Func<string[], SampleOptions>[] { NeuralOptions.Parse, RecurrentOptions.Parse })
        {
            var (code, output, error) = RunSample(() => parse(["--plot", plot]));
            Assert.Equal(2, code);
            Assert.Equal(string.Empty, output); // nothing trained, nothing printed
            Assert.Equal($"error: --plot '{plot}': the folder '{Path.Combine(missing, "deeper")}' does not exist (create it first, or pick another path)" + Environment.NewLine, error);
        }

        Assert.False(Directory.Exists(missing)); // and no folder was made
    }

    [Fact]
    public void APlotPathMustBeAFileInAFolderThatExists()
    {
        var folder = Path.GetTempPath();
        Assert.Equal(Path.Combine(folder, "loss.png"), NeuralOptions.Parse(["--plot", Path.Combine(folder, "loss.png")]).Plot);
        Assert.Equal("loss.png", RecurrentOptions.Parse(["--plot", "loss.png"]).Plot); // the current folder
        Assert.StartsWith($"--plot '{folder}' is a folder: give a file path", Assert.Throws<OptionException>(() => NeuralOptions.Parse(["--plot", folder])).Message, StringComparison.Ordinal);
        Assert.Equal("--plot needs a file path, not an empty one", Assert.Throws<OptionException>(() => RecurrentOptions.Parse(["--plot", ""])).Message);
    }

    /// <summary>The samples' entry point around <paramref name="parse"/>, as <c>Program</c> calls it; returns what it wrote.</summary>
    private static (int Code, string Output, string Error) RunSample(Func<SampleOptions> parse)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = SampleMain.Run(() => parse() is not null ? 0 : 1, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
