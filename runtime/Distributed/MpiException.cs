namespace SymDiff.Distributed;

/// <summary>An MPI library is missing, or an MPI call failed (the message names the call and MPI's own description).</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MpiException(string message)
        : base(message)
    {
    }
}
