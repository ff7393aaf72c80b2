namespace SymDiff;

/// <summary>
/// A training batch's loss, or its gradients, came out NaN or infinite, and <see cref="Trainer{T}"/> stopped before
/// the optimizer applied the step: the parameters are still those of the previous step. The message names the step
/// and the batch and says what to try; <see cref="TrainingOptions.SkipNonFiniteBatches"/> skips such batches instead.
/// </summary>
public sealed class NonFiniteLossException : Exception
{
    internal NonFiniteLossException(string message, long step, int epoch, int batch, int[] examples, double loss)
        : base(message)
    {
        Step = step;
        Epoch = epoch;
        Batch = batch;
        Examples = examples;
        Loss = loss;
    }

    /// <summary>The step that was not applied (1-based: the optimizer had taken <c>Step − 1</c>).</summary>
    public long Step { get; }

    /// <summary>The epoch in progress (0-based).</summary>
    public int Epoch { get; }

    /// <summary>The batch's index in the epoch (0-based).</summary>
    public int Batch { get; }

    /// <summary>The batch's example indices, as the batch step received them.</summary>
    public IReadOnlyList<int> Examples { get; }

    /// <summary>The batch's loss (finite when only the gradients were not).</summary>
    public double Loss { get; }
}
