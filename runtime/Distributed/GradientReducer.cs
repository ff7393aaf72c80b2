using System.Numerics;
using System.Numerics.Tensors;

namespace SymDiff.Distributed;

/// <summary>
/// Averages a parameter set's gradients over the ranks of a job, weighted by each rank's share of the global batch,
/// in a few large in-place <c>MPI_Allreduce</c> calls: a gradient of at least <see cref="InPlaceFrom"/> elements is
/// reduced where it lies; the smaller ones are packed, one after another, into a single buffer together with a few
/// scalars the trainer needs on every rank (the loss, stop flags), which then travel in the same call. Buffers are
/// made once, so a step allocates nothing.
/// </summary>
internal sealed class GradientReducer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Gradients this long are reduced in place; the copy into a buffer would cost more than the call it saves.</summary>
    internal const int InPlaceFrom = 1 << 16;

    private readonly ParameterSet<T> _parameters;
    private readonly T[] _pack;
    private readonly int _extras;

    public GradientReducer(Communicator world, ParameterSet<T> parameters, int extras)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(extras);
        World = world;
        _parameters = parameters;
        _extras = extras;
        _pack = new T[parameters.Where(p => p.Gradient.Length < InPlaceFrom).Sum(p => p.Gradient.Length) + extras];
    }

    public Communicator World { get; }

    /// <summary>The scalars that travel with the packed gradients, summed over the ranks by <see cref="Reduce"/>.</summary>
    public Span<T> Extras => _pack.AsSpan(_pack.Length - _extras);

    /// <summary>Scales this rank's gradients by <paramref name="weight"/> and replaces them, and <see cref="Extras"/>, by their sums over the ranks.</summary>
    public void Reduce(T weight)
    {
        var offset = 0;
        for (var i = 0; i < _parameters.Count; i++) // indexed: the set's enumerator is boxed
        {
            var gradient = _parameters[i].Gradient.Span;
            if (gradient.Length < InPlaceFrom)
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
            if (gradient.Length < InPlaceFrom)
            {
                _pack.AsSpan(offset, gradient.Length).CopyTo(gradient);
                offset += gradient.Length;
            }
            else
            {
                if (weight != T.One)
                {
                    TensorPrimitives.Multiply(gradient, weight, gradient);
                }

                World.AllreduceSum(gradient);
            }
        }
    }
}
