namespace SymDiff.Tests.Training;

public sealed class ScheduleTests
{
    [Fact]
    public void Constant() => Assert.Equal(0.1, new ConstantSchedule(0.1).At(12345));

    [Fact]
    public void StepDecayHalvesEveryInterval()
    {
        var schedule = new StepDecaySchedule(1.0, 0.5, 10);
        Assert.Equal(new[] { 1.0, 1.0, 0.5, 0.25 }, new[] { 0, 9, 10, 25 }.Select(t => schedule.At(t)));
    }

    [Fact]
    public void InverseDecayIsBengiosSchedule()
    {
        var schedule = new InverseDecaySchedule(1e-3, 1e-8);
        Assert.Equal(1e-3, schedule.At(0));
        Assert.Equal(1e-3 / (1 + (1e-8 * 1_000_000)), schedule.At(1_000_000), 15);
    }

    [Fact]
    public void WarmupThenCosine()
    {
        var schedule = new WarmupCosineSchedule(1.0, 4, 14, 0.1);
        Assert.Equal(0.25, schedule.At(0));
        Assert.Equal(1.0, schedule.At(3));
        Assert.Equal(1.0, schedule.At(4));
        Assert.Equal(0.1 + (0.45 * (1 + Math.Cos(Math.PI * 0.5))), schedule.At(9), 12);
        Assert.Equal(0.1, schedule.At(14), 12);
        Assert.Equal(0.1, schedule.At(100), 12);
    }
}
