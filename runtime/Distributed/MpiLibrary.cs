using System.Runtime.InteropServices;
using System.Text;

namespace SymDiff.Distributed;

/// <summary>
/// The system's MPI library, loaded on first use with <see cref="NativeLibrary"/> and called through unmanaged
/// function pointers with blittable arguments (no marshalling, no reflection: NativeAOT-safe). Nothing else in
/// SymDiff touches it, so only distributed training needs MPI installed.
/// </summary>
/// <remarks>
/// Two ABIs: Open MPI's handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>) are the addresses of global
/// objects (<c>ompi_mpi_comm_world</c>, ...), found with <see cref="NativeLibrary.GetExport"/>; MPICH's (and those
/// of the libraries sharing its ABI: Intel MPI, MVAPICH) are 32-bit integer constants. Handles are passed as
/// <see cref="nint"/> in both cases: on the 64-bit System V (x86-64) and AArch64 ABIs an <c>int</c> argument
/// travels in the same 64-bit integer register, and the callee reads only its low 32 bits.
/// </remarks>
internal sealed unsafe class MpiLibrary
{
    /// <summary>
    /// The libraries tried, in order: Open MPI (Debian's libopenmpi3), the MPICH ABI (Debian names MPICH's library
    /// libmpich.so.12), then any libmpi; or only the one <see cref="LibraryVariable"/> names.
    /// </summary>
    private static readonly string[] Candidates =
        ["libmpi.so.40", "libmpi.so.12", "libmpich.so.12", "libmpi.so", "libmpi.dylib", "libmpi.40.dylib", "libmpi.12.dylib"];

    /// <summary>Names the MPI library to load (a file name or path) where several are installed: it must match the launcher.</summary>
    internal const string LibraryVariable = "SYMDIFF_MPI_LIBRARY";

    /// <summary>What to install, for the one error a machine without MPI gives.</summary>
    internal const string InstallHint =
        "install Open MPI (Debian/Ubuntu: `apt-get install openmpi-bin libopenmpi-dev`; Fedora: `dnf install openmpi`; " +
        "macOS: `brew install open-mpi`) or MPICH, then start the job with `mpirun -np <ranks> ...`";

    private const int ThreadFunneled = 1; // MPI_THREAD_FUNNELED: the same value in Open MPI and MPICH

    private static MpiLibrary? s_loaded;

    private readonly delegate* unmanaged<int*, nint, int, int*, int> _initThread;
    private readonly delegate* unmanaged<int*, int> _initialized;
    private readonly delegate* unmanaged<int*, int> _finalized;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly delegate* unmanaged<nint, int*, int> _commRank;
    private readonly delegate* unmanaged<nint, int*, int> _commSize;
    private readonly delegate* unmanaged<nint, nint, int> _commSetErrhandler;
    private readonly delegate* unmanaged<nint, int, nint, int, nint, int> _bcast;
    private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
    private readonly delegate* unmanaged<void*, void*, int*, nint, nint, nint, int> _reduceScatter;
    private readonly delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int> _allgatherv;
    private readonly delegate* unmanaged<nint, int> _barrier;
    private readonly delegate* unmanaged<nint, int, int> _abort;
    private readonly delegate* unmanaged<int, byte*, int*, int> _errorString;

    private MpiLibrary(nint handle, string name)
    {
        Name = name;
        _initThread = (delegate* unmanaged<int*, nint, int, int*, int>)Export(handle, "MPI_Init_thread");
        _initialized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Initialized");
        _finalized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Finalized");
        _finalize = (delegate* unmanaged<int>)Export(handle, "MPI_Finalize");
        _commRank = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_size");
        _commSetErrhandler = (delegate* unmanaged<nint, nint, int>)Export(handle, "MPI_Comm_set_errhandler");
        _bcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)Export(handle, "MPI_Bcast");
        _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export(handle, "MPI_Allreduce");
        _reduceScatter = (delegate* unmanaged<void*, void*, int*, nint, nint, nint, int>)Export(handle, "MPI_Reduce_scatter");
        _allgatherv = (delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int>)Export(handle, "MPI_Allgatherv");
        _barrier = (delegate* unmanaged<nint, int>)Export(handle, "MPI_Barrier");
        _abort = (delegate* unmanaged<nint, int, int>)Export(handle, "MPI_Abort");
        _errorString = (delegate* unmanaged<int, byte*, int*, int>)Export(handle, "MPI_Error_string");
        var getVersion = (delegate* unmanaged<byte*, int*, int>)Export(handle, "MPI_Get_library_version");

        if (NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out var world))
        {
            Flavor = "Open MPI";
            World = world;
            Float = Export(handle, "ompi_mpi_float");
            Double = Export(handle, "ompi_mpi_double");
            Sum = Export(handle, "ompi_mpi_op_sum");
            Max = Export(handle, "ompi_mpi_op_max");
            ErrorsReturn = Export(handle, "ompi_mpi_errors_return");
            InPlace = 1; // MPI_IN_PLACE is ((void *) 1)
        }
        else
        {
            // MPICH's mpi.h: the handles are integer constants, MPI_IN_PLACE is ((void *) -1).
            Flavor = "MPICH ABI";
            World = 0x44000000;
            Float = 0x4c00040a;
            Double = 0x4c00080b;
            Sum = 0x58000003;
            Max = 0x58000001;
            ErrorsReturn = 0x54000001;
            InPlace = -1;
        }

        // MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI and 8192 in MPICH: take the larger.
        var text = stackalloc byte[8192];
        var length = 0;
        Version = getVersion(text, &length) == 0 ? Encoding.UTF8.GetString(text, Math.Clamp(length, 0, 8192)).Trim('\0', ' ', '\n') : Flavor;
    }

    /// <summary>The file loaded ("libmpi.so.40").</summary>
    public string Name { get; }

    /// <summary>"Open MPI" or "MPICH ABI": how handles are spelled.</summary>
    public string Flavor { get; }

    /// <summary>What MPI_Get_library_version says (first line kept by callers that print it).</summary>
    public string Version { get; }

    public nint World { get; }

    public nint Float { get; }

    public nint Double { get; }

    public nint Sum { get; }

    public nint Max { get; }

    public nint ErrorsReturn { get; }

    public nint InPlace { get; }

    /// <summary>Loads the library (once per process), or throws the one error that says what to install.</summary>
    public static MpiLibrary Load() =>
        s_loaded ??= Load(Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } chosen ? [chosen] : Candidates);

    /// <summary>The first of <paramref name="candidates"/> that loads (tests pass names that do not exist).</summary>
    internal static MpiLibrary Load(IReadOnlyList<string> candidates)
    {
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return new MpiLibrary(handle, name);
            }
        }

        throw new MpiException($"Distributed training needs an MPI library ({string.Join(", ", candidates)}), and none was found: {InstallHint}" +
            $"{(Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } ? $" (or correct {LibraryVariable})" : string.Empty)}.");
    }

    public void InitThread()
    {
        int initialized, finalized, provided;
        Check(_initialized(&initialized), "MPI_Initialized");
        Check(_finalized(&finalized), "MPI_Finalized");
        if (finalized != 0)
        {
            throw new MpiException("MPI was already finalized in this process (a Communicator was disposed): MPI cannot be started twice.");
        }

        if (initialized == 0)
        {
            Check(_initThread(null, 0, ThreadFunneled, &provided), "MPI_Init_thread");
        }

        // Errors come back as codes (and become MpiExceptions) instead of killing the job without a word.
        Check(_commSetErrhandler(World, ErrorsReturn), "MPI_Comm_set_errhandler");
    }

    public void Shutdown()
    {
        int finalized;
        Check(_finalized(&finalized), "MPI_Finalized");
        if (finalized == 0)
        {
            Check(_finalize(), "MPI_Finalize");
        }
    }

    public int Rank()
    {
        int rank;
        Check(_commRank(World, &rank), "MPI_Comm_rank");
        return rank;
    }

    public int Size()
    {
        int size;
        Check(_commSize(World, &size), "MPI_Comm_size");
        return size;
    }

    public void Broadcast(void* data, int count, nint type, int root) => Check(_bcast((nint)data, count, type, root, World), "MPI_Bcast");

    public void AllreduceInPlace(void* data, int count, nint type, nint op) => Check(_allreduce((void*)InPlace, data, count, type, op, World), "MPI_Allreduce");

    /// <summary>
    /// <c>MPI_Reduce_scatter</c> in place: the input is all of <paramref name="data"/>; rank r's part of the sum
    /// (<paramref name="counts"/>[r] elements, the parts in rank order) lands at the start of its <paramref name="data"/>.
    /// </summary>
    public void ReduceScatterInPlace(void* data, int* counts, nint type, nint op) =>
        Check(_reduceScatter((void*)InPlace, data, counts, type, op, World), "MPI_Reduce_scatter");

    /// <summary><c>MPI_Allgatherv</c> in place: rank r's part is already at <paramref name="displacements"/>[r] of its own <paramref name="data"/>.</summary>
    public void AllgatherInPlace(void* data, int* counts, int* displacements, nint type) =>
        Check(_allgatherv((void*)InPlace, 0, type, data, counts, displacements, type, World), "MPI_Allgatherv");

    public void Barrier() => Check(_barrier(World), "MPI_Barrier");

    public void Abort(int code) => _abort(World, code);

    private void Check(int code, string function)
    {
        if (code == 0)
        {
            return;
        }

        var text = stackalloc byte[1024]; // MPI_MAX_ERROR_STRING: 256 in Open MPI, 1024 in MPICH
        var length = 0;
        var message = _errorString(code, text, &length) == 0 ? Encoding.UTF8.GetString(text, Math.Clamp(length, 0, 1024)) : "no description";
        throw new MpiException($"{function} failed with error {code}: {message}");
    }

    private static nint Export(nint handle, string symbol) =>
        NativeLibrary.TryGetExport(handle, symbol, out var address)
            ? address
            : throw new MpiException($"The MPI library loaded has no '{symbol}': it is not an MPI-3 library SymDiff knows ({InstallHint}).");
}
