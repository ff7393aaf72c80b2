using System.Numerics;
using SymDiff.Distributed;

namespace SymDiff.DistributedWorker;

/// <summary>
/// Broadcast and allreduce on every length from 0 to 70 (odd ones included), in float and double, with buckets of 7
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
        return checks + 1 + CheckGradientReducer(world);
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

        return 3;
    }

    private static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }
}
