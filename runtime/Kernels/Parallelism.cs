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
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            job.Run(0, job.M, 0, job.N);
            return;
        }

        try
        {
            EnsureWorkers(parts - 1);
            var work = GemmWork<T>.Instance;
            work.Job = job;
            work.Parts = parts;
            work.ByColumns = byColumns;
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

            work.Job = default;
        }
        finally
        {
            Monitor.Exit(Gate);
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
                var (start, end) = Range(Job.N, part, Parts, 16);
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

    private sealed class Worker
    {
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
