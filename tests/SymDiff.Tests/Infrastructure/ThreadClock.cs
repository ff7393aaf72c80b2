using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SymDiff.Tests.Infrastructure;

/// <summary>
/// The CPU time of the calling thread (Linux: CLOCK_THREAD_CPUTIME_ID), elsewhere wall time: a bound meant to catch a
/// pathological algorithm should not fail because other processes share the cores (a loaded 2-core machine stretches
/// wall time four- to sixfold; CPU time barely moves).
/// </summary>
internal sealed class ThreadClock
{
    private readonly Stopwatch? _wall;
    private TimeSpan _start;
    private TimeSpan? _elapsed;

    private ThreadClock()
    {
        if (OperatingSystem.IsLinux())
        {
            _start = Now();
        }
        else
        {
            _wall = Stopwatch.StartNew();
        }
    }

    public static ThreadClock StartNew() => new();

    public string Kind => _wall is null ? "this thread's CPU time" : "wall time";

    public TimeSpan Elapsed => _elapsed ?? (_wall?.Elapsed ?? Now() - _start);

    public void Stop() => _elapsed = Elapsed;

    private static TimeSpan Now()
    {
        const int ThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID
        if (ClockGetTime(ThreadCpuTime, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
