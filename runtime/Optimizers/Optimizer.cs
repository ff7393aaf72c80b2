using System.Numerics;

namespace SymDiff;

/// <summary>
/// Updates parameters in place from their gradients. Each optimizer keeps its state per parameter, allocated when
/// it is created, so a step allocates nothing; the state is exposed by name for checkpoints.
/// </summary>
public abstract class Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(string Name, DTensor<T> Tensor)> _state = new();
    private readonly List<Parameter<T>> _stateParameters = new();

    /// <summary>Creates an optimizer for <paramref name="parameters"/>.</summary>
    protected Optimizer(ParameterSet<T> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        Parameters = parameters;
        LearningRate = learningRate;
        Work = new T[parameters.Count == 0 ? 0 : parameters.Max(p => p.Value.Length)];
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public ParameterSet<T> Parameters { get; }

    /// <summary>The learning rate of the next step (a schedule may change it between steps).</summary>
    public double LearningRate { get; set; }

    /// <summary>How many steps have been taken; the step in progress is number <c>StepCount</c> (1-based) in the papers.</summary>
    public long StepCount { get; private set; }

    /// <summary>The per-parameter state tensors, by name, for checkpoints.</summary>
    public IReadOnlyList<(string Name, DTensor<T> Tensor)> State => _state;

    /// <summary>A scratch buffer as long as the largest parameter.</summary>
    protected T[] Work { get; }

    /// <summary>Applies one update to every parameter from its gradient.</summary>
    public void Step()
    {
        StepCount++;
        for (var i = 0; i < Parameters.Count; i++)
        {
            Update(i, Parameters[i]);
        }
    }

    /// <summary>Starts a step whose parameters are updated one by one with <see cref="UpdateOne"/> (the fused step).</summary>
    internal void BeginStep() => StepCount++;

    /// <summary>Updates parameter <paramref name="index"/> within the step <see cref="BeginStep"/> began.</summary>
    internal void UpdateOne(int index) => Update(index, Parameters[index]);

    /// <summary>
    /// Applies one update to part of every parameter: elements [Start, Start + Count) of parameter i (distributed
    /// training: each rank updates its own part, then the ranks exchange them). Needs <see cref="UpdatesElementwise"/>.
    /// </summary>
    internal void Step(ReadOnlySpan<(int Start, int Count)> parts)
    {
        if (parts.Length != Parameters.Count)
        {
            throw new ArgumentException($"{GetType().Name}: {parts.Length} parts for {Parameters.Count} parameters.", nameof(parts));
        }

        StepCount++;
        for (var i = 0; i < Parameters.Count; i++)
        {
            var parameter = Parameters[i];
            var (start, count) = parts[i];
            if (start == 0 && count == parameter.Value.Length)
            {
                Update(i, parameter);
            }
            else
            {
                UpdateRange(i, parameter, start, count);
            }
        }
    }

    /// <summary>Restores the step count (from a checkpoint; the state tensors are restored through <see cref="State"/>).</summary>
    public void RestoreStepCount(long stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        StepCount = stepCount;
    }

    /// <summary>Updates one parameter; <see cref="StepCount"/> is already the current step (1 on the first).</summary>
    protected abstract void Update(int index, Parameter<T> parameter);

    /// <summary>
    /// Whether each element's update reads only that element's value, gradient and state (SGD, Adam, AdamW; not
    /// Adafactor, whose statistics span rows and columns): then <see cref="UpdateRange"/> can update part of a parameter,
    /// and distributed training splits the update between the ranks.
    /// </summary>
    public virtual bool UpdatesElementwise => false;

    /// <summary>Updates elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of one parameter (see <see cref="UpdatesElementwise"/>).</summary>
    protected virtual void UpdateRange(int index, Parameter<T> parameter, int start, int count) =>
        throw new NotSupportedException($"{GetType().Name} updates whole parameters only (its UpdatesElementwise is false).");

    /// <summary>The parameter each state tensor of <see cref="State"/> belongs to, in the same order.</summary>
    internal IReadOnlyList<Parameter<T>> StateParameters => _stateParameters;

    /// <summary>Registers a zero-filled state tensor for a parameter.</summary>
    protected DTensor<T> AddState(Parameter<T> parameter, string kind, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var tensor = new DTensor<T>(shape);
        _state.Add((parameter.Name + "/" + kind, tensor));
        _stateParameters.Add(parameter);
        return tensor;
    }

    /// <summary>The learning rate as T.</summary>
    protected T Rate => T.CreateChecked(LearningRate);
}
