using Spectre.Console.Testing;
using SymDiff.Reporting;

namespace SymDiff.Tests.Training;

/// <summary>Progress output and the loss-curve PNG.</summary>
public sealed class ReportingTests
{
    [Fact]
    public void LossPlotWritesAPng()
    {
        var path = Path.Combine(Path.GetTempPath(), "symdiff-plot-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            var losses = Enumerable.Range(0, 300).Select(i => 5.0 * Math.Exp(-i / 80.0) + (0.1 * Math.Sin(i))).ToList();
            LossPlot.Save(path, losses, new List<(long, double)> { (100, 180.0), (200, 150.0), (300, 140.0) }, "test run", "validation perplexity");
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            Assert.Equal(900, (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]); // IHDR width
            Assert.True(bytes.Length > 10_000);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void InteractiveConsoleGetsALiveProgressBar()
    {
        var console = new TestConsole().Interactive().EmitAnsiSequences();
        var setup = new RegressionSetup();
        var trainer = new Trainer<float>(setup.Parameters, new Adam<float>(setup.Parameters, 0.01), new ConstantSchedule(0.01), new TrainingOptions { Epochs = 2, BatchSize = 50 });
        var result = TrainingConsole.RunLive(console, observer => trainer.Train(setup.Count, setup.Step, () => setup.FullLoss(), observer), "tokens", "validation perplexity");
        Assert.Equal(8, result.Steps);
        var output = console.Output;
        Assert.Contains("step 8/8", output, StringComparison.Ordinal);
        Assert.Contains("tokens/s", output, StringComparison.Ordinal);
        Assert.Contains("100%", output, StringComparison.Ordinal);
        Assert.Contains("validation perplexity", output, StringComparison.Ordinal);
        Assert.Contains("stopped after 8 steps", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RedirectedOutputGetsPlainLogLines()
    {
        var writer = new StringWriter();
        var log = new ConsoleTrainingLog(writer, TimeSpan.Zero, unit: "tokens", metric: "validation perplexity");
        var setup = new RegressionSetup();
        var trainer = new Trainer<float>(setup.Parameters, new Adam<float>(setup.Parameters, 0.01), new ConstantSchedule(0.01), new TrainingOptions { Epochs = 2, BatchSize = 50 });
        trainer.Train(setup.Count, setup.Step, () => setup.FullLoss(), log);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("training: 8 steps, 2 epoch(s) of 200 tokens in batches of 50", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("step 8/8  epoch 2/2  loss ", StringComparison.Ordinal) && l.Contains("tokens/s  ETA", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("step 4 (epoch 1): validation perplexity ", StringComparison.Ordinal));
        Assert.StartsWith("stopped after 8 steps", lines[^1], StringComparison.Ordinal);
    }
}
