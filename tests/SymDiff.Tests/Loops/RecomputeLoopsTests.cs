using SymDiff.Tests.Gradients;

namespace SymDiff.Tests.Loops;

/// <summary>[Differentiable(RecomputeLoops = true)] gives exactly the gradients of the variant that stores every iteration.</summary>
public sealed class RecomputeLoopsTests
{
    public static TheoryData<double, double> Points => new() { { 0.7, 0.3 }, { -0.4, 0.9 }, { 1.6, 0.2 }, { 0.25, -0.6 } };

    [Theory]
    [MemberData(nameof(Points))]
    public void RecomputedGradientsEqualStoredOnes(double a, double b)
    {
        foreach (var steps in new[] { 0, 1, 3, 40 })
        {
            Same(
                Functions.TanhRecurrenceGradient(a, b, steps, out var da, out var db), da, db,
                RecomputedFunctions.TanhRecurrenceGradient(a, b, steps, out var ra, out var rb), ra, rb);
            Same(
                Functions.BranchInLoopGradient(a + 1, b, steps, out da, out db), da, db,
                RecomputedFunctions.BranchInLoopGradient(a + 1, b, steps, out ra, out rb), ra, rb);
            Same(
                Functions.NestedLoopsGradient(a, b + 0.5, steps % 6, out da, out db), da, db,
                RecomputedFunctions.NestedLoopsGradient(a, b + 0.5, steps % 6, out ra, out rb), ra, rb);
            Same(
                Functions.InnerLoopReadsOuterCounterGradient(a, b + 0.5, steps, out da, out db), da, db,
                RecomputedFunctions.InnerLoopReadsOuterCounterGradient(a, b + 0.5, steps, out ra, out rb), ra, rb);
            Same(
                Functions.ReturnFromNestedLoopGradient(a, b, steps % 7, out da, out db), da, db,
                RecomputedFunctions.ReturnFromNestedLoopGradient(a, b, steps % 7, out ra, out rb), ra, rb);
        }

        Same(
            Functions.WhileWithBreakGradient(a, Math.Abs(b), out var dx, out var drate), dx, drate,
            RecomputedFunctions.WhileWithBreakGradient(a, Math.Abs(b), out var rx, out var rrate), rx, rrate);
        float[] xs = [0.5f, -1f, 1.5f, 0.25f, 2f, 3f];
        Same(
            Functions.ForEachOverSpanGradient(a, b + 1, xs, out var fa, out var fb), fa, fb,
            RecomputedFunctions.ForEachOverSpanGradient(a, b + 1, xs, out var ga, out var gb), ga, gb);
    }

    [Fact]
    public void RecomputedPullbackAccumulates()
    {
        double da = 1, db = 2;
        RecomputedFunctions.TanhRecurrencePullback(0.7, 0.3, 9, 2.0, ref da, ref db);
        Functions.TanhRecurrenceGradient(0.7, 0.3, 9, out var ga, out var gb);
        Assert.Equal(1 + (2 * ga), da, 14);
        Assert.Equal(2 + (2 * gb), db, 14);
    }

    private static void Same(double value, double da, double db, double recomputedValue, double ra, double rb)
    {
        Assert.Equal(value, recomputedValue);
        Assert.Equal(da, ra);
        Assert.Equal(db, rb);
    }
}
