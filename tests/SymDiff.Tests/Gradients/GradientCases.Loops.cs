namespace SymDiff.Tests.Gradients;

/// <summary>Cases for the loop functions (<c>LoopFunctions.cs</c>); integer arguments are fixed per case.</summary>
public static partial class GradientCases
{
    // Properties, not fields: the other part's All is initialized first, and field order across files is not defined.
    private static double[][] Small => [[0.7, 0.3], [-0.4, 0.9], [0.25, -0.6]];

    private static double[] Samples => [0.5, -1.25, 2.0, 0.0, 3.5];

    private static IEnumerable<GradientCase> Loops()
    {
        foreach (var n in new[] { 0, 1, 2, 5 })
        {
            yield return One(
                $"Power_n{n}",
                x => Functions.Power(x, n),
                (double x, out double dx) => Functions.PowerGradient(x, n, out dx),
                (double x, double g, ref double dx) => Functions.PowerPullback(x, n, g, ref dx),
                General.Select(p => new[] { p[0] }).ToArray(),
                x => new[] { n == 0 ? 0 : n * Math.Pow(x[0], n - 1) });
        }

        foreach (var steps in new[] { 1, 2, 7, 50 })
        {
            yield return Two(
                $"TanhRecurrence_steps{steps}",
                (w, x) => Functions.TanhRecurrence(w, x, steps),
                (double w, double x, out double dw, out double dx) => Functions.TanhRecurrenceGradient(w, x, steps, out dw, out dx),
                (double w, double x, double g, ref double dw, ref double dx) => Functions.TanhRecurrencePullback(w, x, steps, g, ref dw, ref dx),
                Small,
                null);
        }

        yield return Two(
            "BranchInLoop",
            (a, b) => Functions.BranchInLoop(a, b, 6),
            (double a, double b, out double da, out double db) => Functions.BranchInLoopGradient(a, b, 6, out da, out db),
            (double a, double b, double g, ref double da, ref double db) => Functions.BranchInLoopPullback(a, b, 6, g, ref da, ref db),
            new[] { new[] { 1.7, 0.3 }, new[] { 0.4, 0.9 }, new[] { 2.6, -0.2 } },
            null);
        yield return Two(nameof(Functions.WhileWithBreak), Functions.WhileWithBreak, Functions.WhileWithBreakGradient, Functions.WhileWithBreakPullback, new[] { new[] { 0.5, 0.3 }, new[] { 1.2, 0.05 }, new[] { 2.9, 0.8 } }, null);
        yield return Two(
            nameof(Functions.NestedLoops),
            (x, y) => Functions.NestedLoops(x, y, 4),
            (double x, double y, out double dx, out double dy) => Functions.NestedLoopsGradient(x, y, 4, out dx, out dy),
            (double x, double y, double g, ref double dx, ref double dy) => Functions.NestedLoopsPullback(x, y, 4, g, ref dx, ref dy),
            new[] { new[] { 0.7, 0.9 }, new[] { 1.3, 1.1 }, new[] { -0.5, 0.4 } },
            null);
        yield return Two(nameof(Functions.DoWhile), Functions.DoWhile, Functions.DoWhileGradient, Functions.DoWhilePullback, new[] { new[] { 0.7, 1.3 }, new[] { 30.0, 2.0 }, new[] { 2.2, 0.4 } }, null);
        yield return Two(
            nameof(Functions.ContinueInFor),
            (a, b) => Functions.ContinueInFor(a, b, 7),
            (double a, double b, out double da, out double db) => Functions.ContinueInForGradient(a, b, 7, out da, out db),
            (double a, double b, double g, ref double da, ref double db) => Functions.ContinueInForPullback(a, b, 7, g, ref da, ref db),
            General,
            null);
        foreach (var steps in new[] { 0, 1, 3, 10 })
        {
            // s = k·x·w after the k iterations that run (the first whose sum passes 2 breaks): result k·x²·w.
            yield return Two(
                $"AccumulateUntilBreak_steps{steps}",
                (x, w) => Functions.AccumulateUntilBreak(x, w, steps),
                (double x, double w, out double dx, out double dw) => Functions.AccumulateUntilBreakGradient(x, w, steps, out dx, out dw),
                (double x, double w, double g, ref double dx, ref double dw) => Functions.AccumulateUntilBreakPullback(x, w, steps, g, ref dx, ref dw),
                new[] { new[] { 0.7, 0.9 }, new[] { 1.3, 0.45 }, new[] { -0.5, 0.4 }, new[] { 2.2, 1.1 } },
                p =>
                {
                    var k = 0;
                    var s = 0.0;
                    while (k < steps)
                    {
                        k++;
                        s += p[0] * p[1];
                        if (s > 2)
                        {
                            break;
                        }
                    }

                    return new[] { 2 * k * p[0] * p[1], k * p[0] * p[0] };
                });
        }

        yield return Two(
            nameof(Functions.Fibonacci),
            (a, b) => Functions.Fibonacci(a, b, 6),
            (double a, double b, out double da, out double db) => Functions.FibonacciGradient(a, b, 6, out da, out db),
            (double a, double b, double g, ref double da, ref double db) => Functions.FibonacciPullback(a, b, 6, g, ref da, ref db),
            General,
            x =>
            {
                // After 6 steps: a = 5a₀ + 8b₀, b = 8a₀ + 13b₀; the product's partials by the product rule.
                double a = (5 * x[0]) + (8 * x[1]), b = (8 * x[0]) + (13 * x[1]);
                return new[] { (5 * b) + (8 * a), (8 * b) + (13 * a) };
            });
        yield return Two(nameof(Functions.LoopInBranch), Functions.LoopInBranch, Functions.LoopInBranchGradient, Functions.LoopInBranchPullback, General, null);
        yield return Two(
            nameof(Functions.LoopCallsDifferentiable),
            (a, b) => Functions.LoopCallsDifferentiable(a, b, 4),
            (double a, double b, out double da, out double db) => Functions.LoopCallsDifferentiableGradient(a, b, 4, out da, out db),
            (double a, double b, double g, ref double da, ref double db) => Functions.LoopCallsDifferentiablePullback(a, b, 4, g, ref da, ref db),
            Small,
            null);
        yield return Two(
            nameof(Functions.SumOverArray),
            (w, bias) => Functions.SumOverArray(w, bias, Samples),
            (double w, double bias, out double dw, out double dbias) => Functions.SumOverArrayGradient(w, bias, Samples, out dw, out dbias),
            (double w, double bias, double g, ref double dw, ref double dbias) => Functions.SumOverArrayPullback(w, bias, Samples, g, ref dw, ref dbias),
            General,
            x => new[]
            {
                Samples.Sum(s => s * Math.Cos((x[0] * s) + x[1])),
                Samples.Sum(s => Math.Cos((x[0] * s) + x[1])),
            });
        yield return Two(
            nameof(Functions.ForEachOverArray),
            (w, bias) => Functions.ForEachOverArray(w, bias, Samples),
            (double w, double bias, out double dw, out double dbias) => Functions.ForEachOverArrayGradient(w, bias, Samples, out dw, out dbias),
            (double w, double bias, double g, ref double dw, ref double dbias) => Functions.ForEachOverArrayPullback(w, bias, Samples, g, ref dw, ref dbias),
            General,
            x => new[]
            {
                Samples.Sum(s => s * Math.Cos((x[0] * s) + x[1])),
                Samples.Sum(s => Math.Cos((x[0] * s) + x[1])),
            });
        float[] floats = [0.5f, -1f, 1.5f, 0.25f, 2f, 3f];
        yield return Two(
            nameof(Functions.ForEachOverSpan),
            (a, b) => Functions.ForEachOverSpan(a, b, floats),
            (double a, double b, out double da, out double db) => Functions.ForEachOverSpanGradient(a, b, floats, out da, out db),
            (double a, double b, double g, ref double da, ref double db) => Functions.ForEachOverSpanPullback(a, b, floats, g, ref da, ref db),
            new[] { new[] { 0.3, 0.8 }, new[] { 1.2, 1.5 }, new[] { -0.5, 0.4 } },
            null);
        yield return One(
            nameof(Functions.SumUntilThreshold),
            w => Functions.SumUntilThreshold(w, Samples),
            (double w, out double dw) => Functions.SumUntilThresholdGradient(w, Samples, out dw),
            (double w, double g, ref double dw) => Functions.SumUntilThresholdPullback(w, Samples, g, ref dw),
            new[] { new[] { 0.1 }, new[] { 0.5 }, new[] { 2.0 } },
            null);
        foreach (var n in new[] { 0, 1, 4, 12 })
        {
            yield return Two(
                $"ReturnFromLoop_n{n}",
                (x, rate) => Functions.ReturnFromLoop(x, rate, n),
                (double x, double rate, out double dx, out double drate) => Functions.ReturnFromLoopGradient(x, rate, n, out dx, out drate),
                (double x, double rate, double g, ref double dx, ref double drate) => Functions.ReturnFromLoopPullback(x, rate, n, g, ref dx, ref drate),
                new[] { new[] { 0.3, 0.9 }, new[] { 1.1, 0.7 }, new[] { -0.6, 0.5 } },
                null);
            yield return Two(
                $"ReturnFromNestedLoop_n{n}",
                (a, b) => Functions.ReturnFromNestedLoop(a, b, n),
                (double a, double b, out double da, out double db) => Functions.ReturnFromNestedLoopGradient(a, b, n, out da, out db),
                (double a, double b, double g, ref double da, ref double db) => Functions.ReturnFromNestedLoopPullback(a, b, n, g, ref da, ref db),
                new[] { new[] { 0.2, 0.6 }, new[] { 0.5, -1.3 }, new[] { -0.4, 2.4 } },
                null);
        }

        yield return Two(
            nameof(Functions.InnerLoopReadsOuterCounter),
            (x, y) => Functions.InnerLoopReadsOuterCounter(x, y, 4),
            (double x, double y, out double dx, out double dy) => Functions.InnerLoopReadsOuterCounterGradient(x, y, 4, out dx, out dy),
            (double x, double y, double g, ref double dx, ref double dy) => Functions.InnerLoopReadsOuterCounterPullback(x, y, 4, g, ref dx, ref dy),
            Small,
            null);
        double[] rows = [0.5, -0.25, 1];
        int[] columns = [1, 2];
        yield return One(
            nameof(Functions.NestedForEach),
            a => Functions.NestedForEach(a, rows, columns),
            (double a, out double da) => Functions.NestedForEachGradient(a, rows, columns, out da),
            (double a, double g, ref double da) => Functions.NestedForEachPullback(a, rows, columns, g, ref da),
            General.Select(p => new[] { p[0] }).ToArray(),
            x => new[] { rows.SelectMany(r => columns.Select(c => r * c)).Select((rc, k) => rc * Math.Exp(x[0] * rc) * (k + 1)).Sum() });
        yield return One(
            nameof(Functions.RepeatedAdd),
            a => Functions.RepeatedAdd(a, 9),
            (double a, out double da) => Functions.RepeatedAddGradient(a, 9, out da),
            (double a, double g, ref double da) => Functions.RepeatedAddPullback(a, 9, g, ref da),
            General.Select(p => new[] { p[0] }).ToArray(),
            _ => new[] { 9.0 });
    }
}
