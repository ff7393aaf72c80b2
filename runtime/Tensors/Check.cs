using System.Runtime.CompilerServices;

namespace SymDiff;

/// <summary>
/// Argument validation shared by the ops. Every op validates before it writes anything, and a shape error names
/// the op and both shapes.
/// </summary>
internal static class Check
{
    /// <summary>Both tensors must be there (a null is named as the caller wrote it, not a NullReferenceException) and of one shape.</summary>
    public static void SameShape<T>(
        string op, DTensor<T> a, DTensor<T> b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a, aName);
        ArgumentNullException.ThrowIfNull(b, bName);
        if (!a.HasSameShape(b))
        {
            throw new ArgumentException($"{op}: shapes {a.ShapeText} and {b.ShapeText} differ.");
        }
    }

    /// <summary>A gradient buffer handed to a rule must have its value's shape (a null one is skipped).</summary>
    public static void Gradient<T>(string op, DTensor<T>? gradient, DTensor<T> like, [CallerArgumentExpression(nameof(like))] string? likeName = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(like, likeName);
        if (gradient is not null && !gradient.HasSameShape(like))
        {
            throw new ArgumentException($"{op}: the gradient {gradient.ShapeText} does not have the shape {like.ShapeText}.");
        }
    }

    /// <summary>
    /// A tangent handed to a pushforward rule must have its input's shape (a null one, a zero tangent, is skipped);
    /// the message names the rule and both shapes.
    /// </summary>
    public static void Tangent<T>(string rule, DTensor<T>? tangent, ReadOnlySpan<int> shape)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (tangent is not null && !tangent.HasShape(shape))
        {
            throw new ArgumentException($"{rule}: the tangent {tangent.ShapeText} does not have the input's shape {ShapeText(shape)}.");
        }
    }

    /// <summary>A tangent handed to a pushforward rule must have the shape of <paramref name="like"/>, its input.</summary>
    public static void Tangent<T>(string rule, DTensor<T>? tangent, DTensor<T> like, [CallerArgumentExpression(nameof(like))] string? likeName = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(like, likeName);
        Tangent(rule, tangent, like.Shape);
    }

    /// <summary>The dResult a pushforward rule overwrites must be there and have the result's shape.</summary>
    public static void ResultTangent<T>(string rule, DTensor<T> dResult, ReadOnlySpan<int> shape)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dResult);
        if (!dResult.HasShape(shape))
        {
            throw new ArgumentException($"{rule}: dResult {dResult.ShapeText} does not have the result's shape {ShapeText(shape)}.");
        }
    }

    private static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static void Rank<T>(string op, DTensor<T> a, int rank, string what)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (a.Rank != rank)
        {
            throw new ArgumentException($"{op}: {what} must have rank {rank}, but has shape {a.ShapeText}.");
        }
    }

    public static void AtLeastRank<T>(string op, DTensor<T> a, int rank, string what)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (a.Rank < rank)
        {
            throw new ArgumentException($"{op}: {what} must have rank {rank} or more, but has shape {a.ShapeText}.");
        }
    }

    /// <summary>The target shape of a reshape, with one -1 inferred; throws if the element counts differ.</summary>
    public static int[] ReshapeTarget<T>(string op, DTensor<T> source, ReadOnlySpan<int> shape)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var result = new int[shape.Length];
        ReshapeTarget(op, source, shape, result);
        return result;
    }

    /// <summary>Writes the resolved target shape (−1 inferred) into <paramref name="result"/>; allocates nothing.</summary>
    public static void ReshapeTarget<T>(string op, DTensor<T> source, ReadOnlySpan<int> shape, Span<int> result)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        shape.CopyTo(result);
        var inferred = -1;
        var known = 1;
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == -1 && inferred < 0)
            {
                inferred = i;
            }
            else if (result[i] < 0)
            {
                throw new ArgumentException($"{op}: cannot reshape {source.ShapeText} to [{string.Join(", ", shape.ToArray())}].");
            }
            else
            {
                known *= result[i];
            }
        }

        if (inferred >= 0)
        {
            result[inferred] = known == 0 ? 0 : source.Length / known;
        }

        if (DTensor<T>.ElementCount(result) != source.Length)
        {
            throw new ArgumentException($"{op}: cannot reshape {source.ShapeText} to [{string.Join(", ", shape.ToArray())}]: the element counts differ.");
        }
    }
}
