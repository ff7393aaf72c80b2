using System.Numerics;
using System.Numerics.Tensors;

namespace SymDiff.Distributed;

/// <summary>
/// Averages a parameter set's gradients over the ranks of a job, weighted by each rank's share of the global batch,
/// in a few large in-place MPI calls: a gradient of at least <see cref="InPlaceFrom"/> elements is reduced where it
/// lies; the smaller ones are packed, one after another, into a single buffer together with a few scalars the trainer
/// needs on every rank (the loss, stop flags), which then travel in the same call. Buffers are made once, so a step
/// allocates nothing.
/// </summary>
/// <remarks>
/// Sharded (ZeRO stage 1, Rajbhandari et al. 2020): a gradient of at least <c>shardFrom</c> elements is reduce-scattered
/// instead of allreduced, so each rank holds the sum only of its own part (<see cref="Communicator.Shard"/> of its
/// length); the optimizer updates that part alone (<see cref="Parts"/>) and <see cref="GatherParameters"/> gives every
/// rank the others' parts. The two collectives move what one allreduce does, and the optimizer's work (and the state it
/// reads) per rank falls to 1/N.
/// </remarks>
internal sealed class GradientReducer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Gradients this long are reduced in place; the copy into a buffer would cost more than the call it saves.</summary>
    internal const int InPlaceFrom = 1 << 16;

    private readonly ParameterSet<T> _parameters;
    private readonly T[] _pack;
    private readonly int _extras;
    private readonly bool[] _sharded;
    private readonly (int Start, int Count)[] _parts;
    private readonly T[] _scalar = new T[1];

    /// <param name="world">The job's ranks.</param>
    /// <param name="parameters">Whose gradients to reduce.</param>
    /// <param name="extras">How many scalars travel with the packed gradients.</param>
    /// <param name="shardFrom">Gradients at least this long are sharded (reduce-scattered); <see cref="int.MaxValue"/>: none.</param>
    public GradientReducer(Communicator world, ParameterSet<T> parameters, int extras, int shardFrom = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(extras);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardFrom);
        World = world;
        _parameters = parameters;
        _extras = extras;
        _sharded = parameters.Select(p => world.Size > 1 && p.Gradient.Length >= shardFrom).ToArray();
        _parts = parameters.Select((p, i) => _sharded[i] ? world.Shard(p.Gradient.Length) : (0, p.Gradient.Length)).ToArray();
        _pack = new T[parameters.Where((p, i) => !_sharded[i] && p.Gradient.Length < InPlaceFrom).Sum(p => p.Gradient.Length) + extras];
    }

    public Communicator World { get; }

    /// <summary>Whether any gradient is sharded: then the optimizer must step on <see cref="Parts"/> and <see cref="GatherParameters"/> follow.</summary>
    public bool Sharded => Array.IndexOf(_sharded, true) >= 0;

    /// <summary>Per parameter, the elements whose reduced gradient this rank holds (all of them unless sharded).</summary>
    public ReadOnlySpan<(int Start, int Count)> Parts => _parts;

    /// <summary>The scalars that travel with the packed gradients, summed over the ranks by <see cref="Reduce"/>.</summary>
    public Span<T> Extras => _pack.AsSpan(_pack.Length - _extras);

    /// <summary>
    /// Scales this rank's gradients by <paramref name="weight"/> and replaces them, and <see cref="Extras"/>, by their sums
    /// over the ranks (a sharded gradient: only its part in <see cref="Parts"/>; the rest is then undefined). When every
    /// rank has the same weight (<paramref name="uniform"/>: the batch splits evenly), a large gradient is scaled after
    /// the sum instead, and a sharded one only in this rank's part: one pass over 1/N of it instead of all of it.
    /// </summary>
    public void Reduce(T weight, bool uniform = false)
    {
        var offset = 0;
        for (var i = 0; i < _parameters.Count; i++) // indexed: the set's enumerator is boxed
        {
            var gradient = _parameters[i].Gradient.Span;
            if (!_sharded[i] && gradient.Length < InPlaceFrom)
            {
                TensorPrimitives.Multiply(gradient, weight, _pack.AsSpan(offset, gradient.Length)); // copy and scale in one pass
                offset += gradient.Length;
            }
        }

        World.AllreduceSum(_pack.AsSpan());
        offset = 0;
        for (var i = 0; i < _parameters.Count; i++) // indexed: the set's enumerator is boxed
        {
            var gradient = _parameters[i].Gradient.Span;
            if (!_sharded[i] && gradient.Length < InPlaceFrom)
            {
                _pack.AsSpan(offset, gradient.Length).CopyTo(gradient);
                offset += gradient.Length;
                continue;
            }

            if (weight != T.One && !uniform)
            {
                TensorPrimitives.Multiply(gradient, weight, gradient);
            }

            if (_sharded[i])
            {
                World.ReduceScatterSum(gradient);
            }
            else
            {
                World.AllreduceSum(gradient);
            }

            if (weight != T.One && uniform)
            {
                var (start, count) = _parts[i];
                var kept = gradient.Slice(start, count);
                TensorPrimitives.Multiply(kept, weight, kept);
            }
        }
    }

    /// <summary>After the optimizer stepped on <see cref="Parts"/>: gives every rank the others' parts of the sharded parameters.</summary>
    public void GatherParameters()
    {
        for (var i = 0; i < _parameters.Count; i++)
        {
            if (_sharded[i])
            {
                World.Allgather(_parameters[i].Value.Span);
            }
        }
    }

    /// <summary>
    /// Makes the optimizer's state whole on every rank (each rank updated only its part of a sharded parameter's): before
    /// a checkpoint, and when training ends. A collective: every rank calls it.
    /// </summary>
    public void GatherState(Optimizer<T> optimizer)
    {
        var owners = optimizer.StateParameters;
        for (var s = 0; s < owners.Count; s++)
        {
            var i = IndexOf(owners[s]);
            var tensor = optimizer.State[s].Tensor;
            if (i >= 0 && _sharded[i] && tensor.Length == _parameters[i].Value.Length)
            {
                World.Allgather(tensor.Span);
            }
        }
    }

    /// <summary>The reduced gradients' global L2 norm, on every rank: each rank adds the squares of what it holds alone.</summary>
    public T GradientNorm()
    {
        var sum = T.Zero;
        for (var i = 0; i < _parameters.Count; i++)
        {
            // An unsharded gradient is whole on every rank: rank 0 counts it.
            if (_sharded[i] || World.Rank == 0)
            {
                var (start, count) = _parts[i];
                var part = _parameters[i].Gradient.Span.Slice(start, count);
                sum += TensorPrimitives.Dot<T>(part, part);
            }
        }

        _scalar[0] = sum;
        World.AllreduceSum(_scalar.AsSpan());
        return T.Sqrt(_scalar[0]);
    }

    /// <summary>The first parameter whose reduced gradient has a NaN or infinite element on any rank; null if none.</summary>
    public string? NonFiniteGradient()
    {
        var first = _parameters.Count;
        for (var i = 0; i < _parameters.Count && first == _parameters.Count; i++)
        {
            var (start, count) = _parts[i];
            if (count > 0 && !TensorPrimitives.IsFiniteAll<T>(_parameters[i].Gradient.Span.Slice(start, count)))
            {
                first = i;
            }
        }

        _scalar[0] = T.CreateChecked(-first); // the largest of the negated indices is the smallest index
        World.AllreduceMax(_scalar.AsSpan());
        first = -int.CreateChecked(_scalar[0]);
        return first < _parameters.Count ? _parameters[first].Name : null;
    }

    private int IndexOf(Parameter<T> parameter)
    {
        for (var i = 0; i < _parameters.Count; i++)
        {
            if (ReferenceEquals(_parameters[i], parameter))
            {
                return i;
            }
        }

        return -1;
    }
}
