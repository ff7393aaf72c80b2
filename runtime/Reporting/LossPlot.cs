namespace SymDiff.Reporting;

/// <summary>Writes the loss curve of a training run as a PNG (ScottPlot).</summary>
public static class LossPlot
{
    /// <summary>
    /// Plots the training loss per step (with a moving average) and, on a second axis, the evaluations; the file is
    /// written atomically.
    /// </summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="losses">The training loss of every step.</param>
    /// <param name="evaluations">(step, metric) of every evaluation.</param>
    /// <param name="title">The plot's title.</param>
    /// <param name="metric">The evaluation metric's name.</param>
    public static void Save(string path, IReadOnlyList<double> losses, IReadOnlyList<(long Step, double Metric)> evaluations, string title, string metric = "validation metric")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(evaluations);
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("training loss");

        if (losses.Count > 0)
        {
            var steps = Enumerable.Range(1, losses.Count).Select(i => (double)i).ToArray();
            var raw = plot.Add.Scatter(steps, losses.ToArray());
            raw.LegendText = "loss per step";
            raw.MarkerSize = 0;
            raw.LineWidth = 1;
            raw.Color = ScottPlot.Colors.LightGray;

            var smooth = plot.Add.Scatter(steps, MovingAverage(losses, Math.Max(1, losses.Count / 50)));
            smooth.LegendText = "moving average";
            smooth.MarkerSize = 0;
            smooth.LineWidth = 2;
            smooth.Color = ScottPlot.Colors.Blue;
        }

        if (evaluations.Count > 0)
        {
            var points = plot.Add.Scatter(evaluations.Select(e => (double)e.Step).ToArray(), evaluations.Select(e => e.Metric).ToArray());
            points.LegendText = metric;
            points.Axes.YAxis = plot.Axes.Right;
            points.Color = ScottPlot.Colors.OrangeRed;
            points.MarkerSize = 6;
            plot.Axes.Right.Label.Text = metric;
        }

        plot.ShowLegend();
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileNameWithoutExtension(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        try
        {
            plot.SavePng(temporary, 900, 500);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static double[] MovingAverage(IReadOnlyList<double> values, int window)
    {
        var result = new double[values.Count];
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }

            result[i] = sum / Math.Min(i + 1, window);
        }

        return result;
    }
}
