using System.Numerics;
using SymDiff.Distributed;

namespace SymDiff.DistributedWorker;

/// <summary>
/// Broadcast, allreduce, reduce-scatter and all-gather on every length from 0 to 70 (odd ones included), in float and double, with buckets of 7
/// elements (so most lengths take several calls) and the default ones: each rank fills values only it could know,
/// and checks the exact result (small integers, so float sums are exact in any order); and the trainer's gradient
/// reduction, which must not allocate.
/// </summary>
public static class CollectiveChecks
{
    public static int Run(Communicator world)
    {
        ArgumentNullException.ThrowIfNull(world);
        var checks = 0;
        var defaultBucket = world.BucketElements;
        foreach (var bucket in new[] { 7, defaultBucket })
        {
            world.BucketElements = bucket;
            for (var length = 0; length <= 70; length++)
            {
                checks += Check<float>(world, length, bucket) + Check<double>(world, length, bucket);
            }
        }

        world.BucketElements = defaultBucket;
        var sum = world.AllreduceSum(world.Rank + 0.5);
        Expect(sum == (world.Size * (world.Size - 1) / 2.0) + (0.5 * world.Size), $"AllreduceSum(double) gave {sum}");
        world.Barrier();
        return checks + 1 + CheckGradientReducer(world) + CheckShardedReducer(world);
    }

    /// <summary>
    /// The trainer's reduction: a gradient reduced in place, two packed with the extra scalars, each rank's scaled by its
    /// weight; then, warm, ten more reductions allocate nothing.
    /// </summary>
    private static int CheckGradientReducer(Communicator world)
    {
        var parameters = new ParameterSet<float>();
        parameters.Add("large", DTensor.Zeros<float>(GradientReducer<float>.InPlaceFrom + 3));
        parameters.Add("small", DTensor.Zeros<float>(17));
        parameters.Add("odd", DTensor.Zeros<float>(3, 7));
        var reducer = new GradientReducer<float>(world, parameters, extras: 2);
        foreach (var parameter in parameters)
        {
            parameter.Gradient.Span.Fill(world.Rank + 1);
        }

        reducer.Extras.Fill(world.Rank);
        var weight = 1f / world.Size;
        reducer.Reduce(weight);
        var expected = world.Size * (world.Size + 1) / 2f * weight; // Σ (rank + 1) · weight
        foreach (var parameter in parameters)
        {
            foreach (var value in parameter.Gradient.Span)
            {
                Expect(Math.Abs(value - expected) <= 1e-6f * expected, $"GradientReducer: '{parameter.Name}' has {value}, not {expected}");
            }
        }

        Expect(reducer.Extras[0] == world.Size * (world.Size - 1) / 2f, $"GradientReducer: the extras sum to {reducer.Extras[0]}");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            reducer.Reduce(weight);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Expect(allocated == 0, $"GradientReducer.Reduce allocated {allocated} B in ten calls");
        return 2;
    }

    /// <summary>
    /// The sharded reduction (ZeRO-1): two gradients sharded, one packed; each rank's part holds the weighted sum, the
    /// global norm and the non-finite check agree on every rank, the parameters' parts are exchanged, and, warm, ten
    /// more reductions and exchanges allocate nothing.
    /// </summary>
    private static int CheckShardedReducer(Communicator world)
    {
        var parameters = new ParameterSet<float>();
        parameters.Add("large", DTensor.Zeros<float>(GradientReducer<float>.InPlaceFrom + 3));
        parameters.Add("small", DTensor.Zeros<float>(17));
        parameters.Add("odd", DTensor.Zeros<float>(3, 7));
        var reducer = new GradientReducer<float>(world, parameters, extras: 1, shardFrom: 18);
        Expect(reducer.Sharded == world.Size > 1, $"sharded: {reducer.Sharded} on {world.Size} ranks");
        foreach (var parameter in parameters)
        {
            parameter.Gradient.Span.Fill(world.Rank + 1);
        }

        var weight = 1f / world.Size;
        reducer.Reduce(weight, uniform: true); // every rank's weight is 1/N: large gradients scaled after the sum, in this rank's part
        var expected = world.Size * (world.Size + 1) / 2f * weight;
        for (var i = 0; i < parameters.Count; i++)
        {
            var (start, count) = reducer.Parts[i];
            Expect(count == (parameters[i].Name == "small" || world.Size == 1 ? parameters[i].Value.Length : world.Shard(parameters[i].Value.Length).Count), $"sharded: '{parameters[i].Name}' has a part of {count}");
            foreach (var value in parameters[i].Gradient.Span.Slice(start, count))
            {
                Expect(Math.Abs(value - expected) <= 1e-6f * expected, $"sharded: '{parameters[i].Name}' has {value}, not {expected}");
            }
        }

        var norm = reducer.GradientNorm();
        var expectedNorm = expected * MathF.Sqrt(parameters.ElementCount);
        Expect(Math.Abs(norm - expectedNorm) <= 1e-5f * expectedNorm, $"sharded: the global norm is {norm}, not {expectedNorm}");
        Expect(reducer.NonFiniteGradient() is null, "sharded: a finite gradient reported as not finite");
        var last = world.Shard(21);
        if (world.Rank == world.Size - 1 && last.Count > 0)
        {
            parameters[2].Gradient.Span[last.Start] = float.NaN; // only the last rank's part of 'odd' sees it
        }

        Expect(reducer.NonFiniteGradient() == "odd", $"sharded: the NaN in 'odd' reported as '{reducer.NonFiniteGradient()}'");

        for (var i = 0; i < parameters.Count; i++)
        {
            var (start, count) = reducer.Parts[i];
            parameters[i].Value.Span.Fill(-1);
            parameters[i].Value.Span.Slice(start, count).Fill(world.Rank);
        }

        reducer.GatherParameters();
        for (var i = 0; i < parameters.Count; i++)
        {
            var values = parameters[i].Value.Span;
            for (var e = 0; e < values.Length; e++)
            {
                var owner = parameters[i].Name == "small" ? world.Rank : OwnerOf(e, values.Length, world.Size);
                Expect(values[e] == owner, $"sharded: element {e} of '{parameters[i].Name}' is {values[e]} after the exchange, not {owner}");
            }
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            reducer.Reduce(weight);
            reducer.GatherParameters();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Expect(allocated == 0, $"sharded: Reduce and GatherParameters allocated {allocated} B in ten calls");
        return 3;
    }

    private static int OwnerOf(int element, int length, int size)
    {
        for (var rank = 0; rank < size; rank++)
        {
            var (start, count) = Communicator.Part(length, rank, size);
            if (element >= start && element < start + count)
            {
                return rank;
            }
        }

        return -1;
    }

    private static int Check<T>(Communicator world, int length, int bucket)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rank, size) = (world.Rank, world.Size);
        var what = $"{typeof(T).Name}[{length}], buckets of {bucket}";

        // Broadcast from the last rank: element i is 1000·root + i there and −1 elsewhere.
        var root = size - 1;
        var data = new T[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = T.CreateChecked(rank == root ? (1000 * root) + i : -1);
        }

        world.Broadcast(data.AsSpan(), root);
        for (var i = 0; i < length; i++)
        {
            Expect(data[i] == T.CreateChecked((1000 * root) + i), $"Broadcast {what}: element {i} is {data[i]}");
        }

        // Sum: element i is rank + i on each rank, so the sum is size·(size − 1)/2 + size·i.
        for (var i = 0; i < length; i++)
        {
            data[i] = T.CreateChecked(rank + i);
        }

        world.AllreduceSum(data.AsSpan());
        for (var i = 0; i < length; i++)
        {
            Expect(data[i] == T.CreateChecked((size * (size - 1) / 2) + (size * i)), $"AllreduceSum {what}: element {i} is {data[i]}");
        }

        // Max: element i is i·(rank + 1), largest on the last rank.
        for (var i = 0; i < length; i++)
        {
            data[i] = T.CreateChecked(i * (rank + 1));
        }

        world.AllreduceMax(data.AsSpan());
        for (var i = 0; i < length; i++)
        {
            Expect(data[i] == T.CreateChecked(i * size), $"AllreduceMax {what}: element {i} is {data[i]}");
        }

        // Reduce-scatter: element i is rank + i on each rank; afterwards this rank's part holds the sums. Then
        // all-gather: each rank writes 1000·rank + i into its part (−1 elsewhere); afterwards every rank has every part.
        for (var i = 0; i < length; i++)
        {
            data[i] = T.CreateChecked(rank + i);
        }

        world.ReduceScatterSum(data.AsSpan());
        var (start, count) = world.Shard(length);
        for (var i = start; i < start + count; i++)
        {
            Expect(data[i] == T.CreateChecked((size * (size - 1) / 2) + (size * i)), $"ReduceScatterSum {what}: element {i} of this rank's part [{start}, {start + count}) is {data[i]}");
        }

        for (var i = 0; i < length; i++)
        {
            data[i] = T.CreateChecked(i >= start && i < start + count ? (1000 * rank) + i : -1);
        }

        world.Allgather(data.AsSpan());
        for (var owner = 0; owner < size; owner++)
        {
            var (from, n) = Communicator.Part(length, owner, size);
            for (var i = from; i < from + n; i++)
            {
                Expect(data[i] == T.CreateChecked((1000 * owner) + i), $"Allgather {what}: element {i} (rank {owner}'s) is {data[i]}");
            }
        }

        return 5;
    }

    private static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }
}
