using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace SymDiff.Distributed;

/// <summary>
/// The processes of an MPI job (<c>MPI_COMM_WORLD</c>), for data-parallel training: give it to
/// <see cref="TrainingOptions.Communicator"/>. Start the program under <c>mpirun -np N</c> (or Slurm's <c>srun</c>); each
/// process creates one with <see cref="Initialize"/> and disposes it at the end (<c>MPI_Finalize</c>). Collectives
/// must be called by every rank in the same order, from the thread that initialized MPI.
/// </summary>
public sealed unsafe class Communicator : IDisposable
{
    private static Communicator? s_world;

    private readonly MpiLibrary _mpi;
    private int _bucketElements = 1 << 20;
    private long _communicationTicks;
    private bool _disposed;

    private Communicator(MpiLibrary mpi)
    {
        _mpi = mpi;
        Rank = mpi.Rank();
        Size = mpi.Size();
    }

    /// <summary>This process's rank, 0 ≤ Rank &lt; <see cref="Size"/>. Rank 0 prints and writes checkpoints.</summary>
    public int Rank { get; }

    /// <summary>How many processes the job has.</summary>
    public int Size { get; }

    /// <summary>The MPI library in use: its file and the first line of <c>MPI_Get_library_version</c>.</summary>
    public string Library => $"{_mpi.Version.Split('\n')[0].Trim()} ({_mpi.Name}, {_mpi.Flavor} handles)";

    /// <summary>
    /// The most elements one MPI call reduces or broadcasts (1,048,576 by default: 4 MiB of floats): longer spans go in
    /// several calls, each still large enough that latency (microseconds) is paid rarely. Open MPI 4.1 over shared
    /// memory reduced the 2.4 million floats of the MLP9 gradient in 2-3 ms in calls of 0.5-2 M floats, and in up to
    /// 11-14 ms in one call (docs/benchmarks.md).
    /// </summary>
    public int BucketElements
    {
        get => _bucketElements;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(BucketElements));
            _bucketElements = value;
        }
    }

    /// <summary>Time spent inside collectives so far (waiting for the slowest rank included).</summary>
    public TimeSpan CommunicationTime => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _communicationTicks));

    /// <summary>
    /// Starts MPI (<c>MPI_Init_thread</c>, funneled) and returns the job's processes; a second call returns the same
    /// communicator. Without an MPI library installed this throws the <see cref="MpiException"/> that says what to install.
    /// </summary>
    public static Communicator Initialize()
    {
        if (s_world is { _disposed: false } world)
        {
            return world;
        }

        var mpi = MpiLibrary.Load();
        mpi.InitThread();
        return s_world = new Communicator(mpi);
    }

    /// <summary>Which of <paramref name="count"/> items are this rank's: a contiguous range, sizes differing by at most one.</summary>
    public (int Start, int Count) Shard(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Part(count, Rank, Size);
    }

    /// <summary>Part <paramref name="rank"/> of <paramref name="count"/> items split into <paramref name="size"/> contiguous parts.</summary>
    internal static (int Start, int Count) Part(int count, int rank, int size)
    {
        var start = (int)((long)count * rank / size);
        var end = (int)((long)count * (rank + 1) / size);
        return (start, end - start);
    }

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="data"/> into every rank's (same length on every rank).</summary>
    public void Broadcast<T>(Span<T> data, int root = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var type = TypeOf<T>(nameof(Broadcast));
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        var start = Stopwatch.GetTimestamp();
        fixed (T* pointer = data)
        {
            for (var offset = 0; offset < data.Length; offset += _bucketElements)
            {
                _mpi.Broadcast(pointer + offset, Math.Min(_bucketElements, data.Length - offset), type, root);
            }
        }

        Count(start);
    }

    /// <summary>Replaces <paramref name="data"/> on every rank by its element-wise sum over the ranks (in place: <c>MPI_IN_PLACE</c>).</summary>
    public void AllreduceSum<T>(Span<T> data)
        where T : unmanaged, IFloatingPointIeee754<T> => Allreduce(data, _mpi.Sum, nameof(AllreduceSum));

    /// <summary>Replaces <paramref name="data"/> on every rank by its element-wise maximum over the ranks (in place).</summary>
    public void AllreduceMax<T>(Span<T> data)
        where T : unmanaged, IFloatingPointIeee754<T> => Allreduce(data, _mpi.Max, nameof(AllreduceMax));

    /// <summary>The sum of <paramref name="value"/> over the ranks, on every rank.</summary>
    public double AllreduceSum(double value)
    {
        AllreduceSum(new Span<double>(ref value));
        return value;
    }

    /// <summary>Returns once every rank has called it.</summary>
    public void Barrier()
    {
        ThrowIfDisposed();
        var start = Stopwatch.GetTimestamp();
        _mpi.Barrier();
        Count(start);
    }

    /// <summary>
    /// Ends the whole job (<c>MPI_Abort</c>) after writing "rank r of N: message" to standard error: the way out when one
    /// rank fails, since the others would otherwise wait for it in their next collective forever.
    /// </summary>
    [DoesNotReturn]
    public void Abort(string message, int errorCode = 1)
    {
        ArgumentNullException.ThrowIfNull(message);
        Console.Out.Flush();
        Console.Error.WriteLine($"rank {Rank} of {Size}: {message}; aborting the job (MPI_Abort)");
        Console.Error.Flush();
        _mpi.Abort(errorCode);
        Environment.Exit(errorCode); // MPI_Abort does not return; should a library return anyway, the process still ends
        throw new UnreachableException();
    }

    /// <summary>Ends the whole job, naming <paramref name="error"/>'s type and message (see <see cref="Abort(string, int)"/>).</summary>
    [DoesNotReturn]
    public void Abort(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Abort($"{error.GetType().Name}: {error.Message}");
    }

    /// <summary>Shuts MPI down (<c>MPI_Finalize</c>); after this no communicator can be created in this process.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _mpi.Shutdown();
        }
    }

    private void Allreduce<T>(Span<T> data, nint op, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var type = TypeOf<T>(name);
        var start = Stopwatch.GetTimestamp();
        fixed (T* pointer = data)
        {
            for (var offset = 0; offset < data.Length; offset += _bucketElements)
            {
                _mpi.AllreduceInPlace(pointer + offset, Math.Min(_bucketElements, data.Length - offset), type, op);
            }
        }

        Count(start);
    }

    private nint TypeOf<T>(string operation)
    {
        ThrowIfDisposed();
        return typeof(T) == typeof(float) ? _mpi.Float
            : typeof(T) == typeof(double) ? _mpi.Double
            : throw new NotSupportedException($"{operation}: MPI collectives take float or double elements, not {typeof(T).Name}.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void Count(long start) => _communicationTicks += Stopwatch.GetTimestamp() - start;
}
