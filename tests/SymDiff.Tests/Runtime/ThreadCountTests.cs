using SymDiff.Tests.Infrastructure;
using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// The passes split between threads (cross-entropy's rows, its pullback, Adam, zeroing gradients) give the same bits
/// on one thread and on two: each part is independent and sums are taken in a fixed order.
/// </summary>
[Collection(GlobalState.Name)]
public sealed class ThreadCountTests
{
    [Fact]
    public void CrossEntropyAndItsPullbackAreTheSameOnOneAndTwoThreads()
    {
        var logits = DTensor.RandomUniform(new Random(4), -3f, 3f, 128, 2000);
        var targets = Enumerable.Range(0, 128).Select(i => (i * 37) % 2000).ToArray();
        var (loss1, dlogits1) = OnThreads(1, () => Run(logits, targets));
        var (loss2, dlogits2) = OnThreads(2, () => Run(logits, targets));
        Assert.Equal(loss1, loss2);
        Assert.Equal(dlogits1, dlogits2);
        Assert.Equal(DTensor.CrossEntropy(logits, targets), loss1, 5); // the plain form, one row at a time
    }

    [Fact]
    public void RowBiasAndItsPullbackAreTheSameOnOneAndTwoThreads()
    {
        var x = DTensor.RandomUniform(new Random(7), -1f, 1f, 128, 3000);
        var b = DTensor.RandomUniform(new Random(8), -1f, 1f, 3000);
        (float[] Y, float[] Db) Run() => (DTensor.AddRowBias(x, b).ToArray(), PullbackOf(x));
        float[] PullbackOf(DTensor<float> dy)
        {
            var db = DTensor.Zeros<float>(3000);
            DTensorRules.AddRowBiasPullback(dy, null, db);
            return db.ToArray();
        }

        var one = OnThreads(1, Run);
        var two = OnThreads(2, Run);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Db, two.Db);
        Assert.Equal(x[3001] + b[1], one.Y[3001]);
        Assert.Equal(Enumerable.Range(0, 128).Aggregate(0f, (sum, row) => sum + x[(row * 3000) + 5]), one.Db[5]); // rows summed in order
    }

    [Fact]
    public void AdamStepsAndZeroedGradientsAreTheSameOnOneAndTwoThreads()
    {
        float[] Train(int threads) => OnThreads(threads, () =>
        {
            var parameters = new ParameterSet<float>();
            var w = parameters.Add("w", DTensor.RandomUniform(new Random(5), -1f, 1f, 512, 300));
            var adam = new Adam<float>(parameters, 1e-2);
            var random = new Random(6);
            for (var step = 0; step < 5; step++)
            {
                parameters.ZeroGradients();
                Assert.All(w.Gradient.ToArray(), g => Assert.Equal(0f, g));
                for (var i = 0; i < w.Gradient.Length; i++)
                {
                    w.Gradient[i] = (float)((random.NextDouble() * 2) - 1);
                }

                adam.Step();
            }

            return w.Value.ToArray();
        });

        Assert.Equal(Train(1), Train(2));
    }

    [Fact]
    public void EmbeddingGatherAndScatterAreTheSameOnOneAndTwoThreads()
    {
        // 2,000 ids of rows 64 wide (past the split threshold), many repeated: the scatter sums each row's
        // contributions in id order on any thread count.
        var table = DTensor.RandomUniform(new Random(9), -1f, 1f, 500, 64);
        var ids = Enumerable.Range(0, 2000).Select(i => (int)((i * 2654435761L) % 500)).ToArray();
        var dy = DTensor.RandomUniform(new Random(10), -1f, 1f, 2000, 64);
        (float[] Y, float[] Dtable) Run()
        {
            var dtable = DTensor.Zeros<float>(500, 64);
            DTensorRules.EmbeddingPullback(ids, dy, dtable);
            return (DTensor.Embedding(table, ids).ToArray(), dtable.ToArray());
        }

        var one = OnThreads(1, Run);
        var two = OnThreads(2, Run);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dtable, two.Dtable);
        Assert.Equal(table[(ids[1999] * 64) + 63], one.Y[(1999 * 64) + 63]);
        var expected = 0f; // row ids[0], column 3: every i with that id, in order
        for (var i = 0; i < ids.Length; i++)
        {
            expected += ids[i] == ids[0] ? dy[(i * 64) + 3] : 0f;
        }

        Assert.Equal(expected, one.Dtable[(ids[0] * 64) + 3]);
    }

    private static (float Loss, float[] Gradient) Run(DTensor<float> logits, int[] targets)
    {
        DTensor<float>? saved = null;
        var loss = DTensor.CrossEntropy(logits, targets, ref saved);
        var dlogits = DTensor.Zeros<float>(logits.Shape.ToArray());
        DTensorRules.CrossEntropyPullback(targets, saved!, 1f, dlogits);
        return (loss, dlogits.ToArray());
    }

    private static TResult OnThreads<TResult>(int threads, Func<TResult> action)
    {
        var saved = Compute.Threads;
        try
        {
            Compute.Threads = threads;
            return action();
        }
        finally
        {
            Compute.Threads = saved;
        }
    }
}
