using System.Numerics;

namespace SymDiff.Kernels;

/// <summary>
/// Runs large kernels on several cores without allocating: a fixed set of background worker threads waits on a
/// semaphore; the caller publishes the job, computes its own share, and waits for the others. One caller at a
/// time uses the workers; a second concurrent caller simply runs on its own thread.
/// </summary>
internal static class Parallelism
{
    private static readonly object Gate = new();
    private static Worker[] s_workers = Array.Empty<Worker>();
    private static int s_threads = Environment.ProcessorCount;
    private static int s_pending;

    /// <summary>How many threads kernels may use (the caller included); at least 1.</summary>
    public static int Threads
    {
        get => s_threads;
        set => s_threads = Math.Max(1, value);
    }

    /// <summary>
    /// Splits C among the threads, by columns when it is wide enough and by rows otherwise (a product with few
    /// columns, such as the gradient of a narrow layer), and runs the GEMM. Each element is computed by the same
    /// sequence of operations whatever the split, so results do not depend on the number of threads.
    /// </summary>
    public static void Run<T>(GemmJob<T> job)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var byColumns = job.N >= 64 * Threads || job.N >= job.M;
        var parts = Math.Min(Threads, Math.Max(1, byColumns ? job.N / 64 : job.M / (4 * Gemm.MR)));
        if (parts <= 1 || Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate)) // busy, or called from inside a part: run here
        {
            job.Run(0, job.M, 0, job.N);
            return;
        }

        try
        {
            var work = GemmWork<T>.Instance;
            work.Job = job;
            work.Parts = parts;
            work.ByColumns = byColumns;
            Dispatch(work, parts);
            work.Job = default;
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> over [0, <paramref name="length"/>) split in contiguous parts, one per thread, when
    /// each part gets at least <paramref name="minimumPerThread"/> indices (memory-bound passes such as an optimizer
    /// update need large parts to gain); otherwise, or when the workers are busy, on the calling thread. The parts
    /// start at multiples of 64, so vector loops see the same alignment whatever the thread count.
    /// </summary>
    public static void For(int length, RangeWork work, int minimumPerThread = 1 << 16)
    {
        var parts = Math.Min(Threads, length / Math.Max(1, minimumPerThread));
        if (parts <= 1 || Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate)) // busy, or called from inside a part: run here
        {
            work.Execute(0, length);
            return;
        }

        try
        {
            var item = ForWork.Instance;
            item.Work = work;
            item.Length = length;
            item.Parts = parts;
            Dispatch(item, parts);
            item.Work = null;
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    /// <summary>Hands parts 1.. to the workers, runs part 0 here, and waits (spinning: parts are short) for the rest.</summary>
    private static void Dispatch(WorkItem work, int parts)
    {
        EnsureWorkers(parts - 1);
        Volatile.Write(ref s_pending, parts - 1);
        for (var i = 0; i < parts - 1; i++)
        {
            s_workers[i].Start(work, i + 1);
        }

        work.Execute(0);
        var spin = default(SpinWait);
        while (Volatile.Read(ref s_pending) > 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count)
        {
            return;
        }

        var workers = new Worker[count];
        Array.Copy(s_workers, workers, s_workers.Length);
        for (var i = s_workers.Length; i < count; i++)
        {
            workers[i] = new Worker(i);
        }

        s_workers = workers;
    }

    /// <summary>Range of part <paramref name="part"/> of <paramref name="parts"/> over n, in chunks aligned to <paramref name="alignment"/>.</summary>
    internal static (int Start, int End) Range(int n, int part, int parts, int alignment)
    {
        var chunk = ((n + parts - 1) / parts + alignment - 1) / alignment * alignment;
        var start = Math.Min(n, part * chunk);
        var end = part == parts - 1 ? n : Math.Min(n, start + chunk);
        return (start, end);
    }

    private abstract class WorkItem
    {
        public abstract void Execute(int part);
    }

    private sealed class GemmWork<T> : WorkItem
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static readonly GemmWork<T> Instance = new();

        public GemmJob<T> Job;
        public int Parts;
        public bool ByColumns;

        public override void Execute(int part)
        {
            if (ByColumns)
            {
                var (start, end) = Range(Job.N, part, Parts, 32); // whole 512-bit panels of 32 floats
                if (start < end)
                {
                    Job.Run(0, Job.M, start, end);
                }
            }
            else
            {
                var (start, end) = Range(Job.M, part, Parts, Gemm.MR);
                if (start < end)
                {
                    Job.Run(start, end, 0, Job.N);
                }
            }
        }
    }

    private sealed class ForWork : WorkItem
    {
        public static readonly ForWork Instance = new();

        public RangeWork? Work;
        public int Length;
        public int Parts;

        public override void Execute(int part)
        {
            var (start, end) = Range(Length, part, Parts, 64);
            if (start < end)
            {
                Work!.Execute(start, end);
            }
        }
    }

    private sealed class Worker
    {
        private const int SpinsBeforeBlocking = 40;

        private readonly object _signal = new();
        private bool _started;
        private WorkItem? _work;
        private int _part;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "SymDiff worker " + index };
            thread.Start();
        }

        public void Start(WorkItem work, int part)
        {
            // Monitor.Pulse, unlike SemaphoreSlim.Release, does not allocate.
            lock (_signal)
            {
                _work = work;
                _part = part;
                _started = true;
                Monitor.Pulse(_signal);
            }
        }

        private void Loop()
        {
            while (true)
            {
                // Spin briefly before blocking: in a training step the next product or pass follows within
                // microseconds, and waking from Monitor.Wait costs tens of them.
                var spin = default(SpinWait);
                for (var i = 0; i < SpinsBeforeBlocking && !Volatile.Read(ref _started); i++)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }

                lock (_signal)
                {
                    while (!_started)
                    {
                        Monitor.Wait(_signal);
                    }

                    _started = false;
                }

                try
                {
                    _work!.Execute(_part);
                }
                finally
                {
                    Interlocked.Decrement(ref s_pending);
                }
            }
        }
    }
}

/// <summary>Work over a range of indices for <see cref="Parallelism.For"/>; one instance is reused from call to call.</summary>
internal abstract class RangeWork
{
    public abstract void Execute(int start, int end);
}
