namespace SymDiff;

/// <summary>A learning rate as a function of the step: <see cref="At"/>(0) is the rate of the first update.</summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate for the update that follows <paramref name="step"/> completed updates.</summary>
    public abstract double At(long step);
}

/// <summary>The same rate at every step.</summary>
/// <param name="Rate">The learning rate.</param>
public sealed record ConstantSchedule(double Rate) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step) => Rate;
}

/// <summary>Step decay: the rate is multiplied by <paramref name="Factor"/> every <paramref name="Every"/> steps.</summary>
/// <param name="Initial">The rate of the first <paramref name="Every"/> steps.</param>
/// <param name="Factor">The multiplier applied at each boundary (0.5 halves it).</param>
/// <param name="Every">Steps between boundaries.</param>
public sealed record StepDecaySchedule(double Initial, double Factor, long Every) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step) => Initial * Math.Pow(Factor, step / Math.Max(1, Every));
}

/// <summary>εₜ = ε₀ / (1 + r·t), the decreasing schedule of Bengio et al. (2003), t counting updates.</summary>
/// <param name="Initial">ε₀.</param>
/// <param name="DecayRate">r.</param>
public sealed record InverseDecaySchedule(double Initial, double DecayRate) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step) => Initial / (1 + (DecayRate * step));
}

/// <summary>
/// Linear warm-up from <c>Peak/WarmupSteps</c> to <paramref name="Peak"/> over <paramref name="WarmupSteps"/> steps, then
/// cosine decay to <paramref name="Floor"/> at <paramref name="TotalSteps"/> (and <paramref name="Floor"/> after).
/// </summary>
/// <param name="Peak">The rate at the end of the warm-up.</param>
/// <param name="WarmupSteps">The length of the warm-up.</param>
/// <param name="TotalSteps">The step at which the decay reaches the floor.</param>
/// <param name="Floor">The final rate.</param>
public sealed record WarmupCosineSchedule(double Peak, long WarmupSteps, long TotalSteps, double Floor = 0) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step)
    {
        if (step < WarmupSteps)
        {
            return Peak * (step + 1) / WarmupSteps;
        }

        var span = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / span);
        return Floor + (0.5 * (Peak - Floor) * (1 + Math.Cos(Math.PI * progress)));
    }
}
