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
    private readonly int[] _counts;
    private readonly int[] _displacements;
    private int _bucketElements = 1 << 20;
    private long _communicationTicks;
    private bool _disposed;

    private Communicator(MpiLibrary mpi)
    {
        _mpi = mpi;
        Rank = mpi.Rank();
        Size = mpi.Size();
        _counts = new int[Size];
        _displacements = new int[Size];
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

    /// <summary>
    /// Sums <paramref name="data"/> over the ranks, leaving on each rank only its own part of the sum: afterwards the
    /// elements of <see cref="Shard"/>(<c>data.Length</c>) hold the sums there, and the others are undefined. With
    /// <see cref="Allgather"/> after it, this is an allreduce whose middle (an optimizer step, say) each rank does
    /// for its part only (<c>MPI_Reduce_scatter</c>, in place, in calls of at most <see cref="BucketElements"/>).
    /// </summary>
    public void ReduceScatterSum<T>(Span<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var type = TypeOf<T>(nameof(ReduceScatterSum));
        var start = Stopwatch.GetTimestamp();
        fixed (T* pointer = data)
        fixed (int* counts = _counts)
        {
            for (var offset = 0; offset < data.Length; offset += _bucketElements)
            {
                var length = Math.Min(_bucketElements, data.Length - offset);
                var at = PartsOfBucket(data.Length, offset, length);
                _mpi.ReduceScatterInPlace(pointer + offset, counts, type, _mpi.Sum);

                // MPI leaves this rank's sums at the start of the bucket: move them to where this rank's part lies.
                var mine = _counts[Rank];
                if (at != 0 && mine > 0)
                {
                    new Span<T>(pointer + offset, mine).CopyTo(new Span<T>(pointer + offset + at, mine));
                }
            }
        }

        Count(start);
    }

    /// <summary>
    /// Gives every rank every rank's part of <paramref name="data"/>: each rank's elements of
    /// <see cref="Shard"/>(<c>data.Length</c>) are copied into the others' (<c>MPI_Allgatherv</c>, in place, in calls of
    /// at most <see cref="BucketElements"/>).
    /// </summary>
    public void Allgather<T>(Span<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var type = TypeOf<T>(nameof(Allgather));
        var start = Stopwatch.GetTimestamp();
        fixed (T* pointer = data)
        fixed (int* counts = _counts)
        fixed (int* displacements = _displacements)
        {
            for (var offset = 0; offset < data.Length; offset += _bucketElements)
            {
                PartsOfBucket(data.Length, offset, Math.Min(_bucketElements, data.Length - offset));
                _mpi.AllgatherInPlace(pointer + offset, counts, displacements, type);
            }
        }

        Count(start);
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

    /// <summary>
    /// Fills the counts and displacements of every rank's part (<see cref="Part"/> of <paramref name="total"/>) within the
    /// bucket [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>); returns this rank's displacement.
    /// </summary>
    private int PartsOfBucket(int total, int offset, int length)
    {
        for (var rank = 0; rank < Size; rank++)
        {
            var (partStart, partCount) = Part(total, rank, Size);
            var from = Math.Clamp(partStart, offset, offset + length);
            var to = Math.Clamp(partStart + partCount, offset, offset + length);
            _counts[rank] = to - from;
            _displacements[rank] = from - offset;
        }

        return _displacements[Rank];
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
