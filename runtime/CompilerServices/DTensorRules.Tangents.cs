using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SymDiff.CompilerServices;

/// <summary>What the pushforward rules beside the ops share: validation and the zero-tangent cases.</summary>
public static partial class DTensorRules
{
    /// <summary>
    /// Validates an elementwise pushforward of one input (dx and dResult must have the value's shape) and, for a null
    /// (zero) dx, clears dResult and returns <see langword="false"/>: the caller then has nothing left to do.
    /// </summary>
    private static bool ElementwiseTangent<T>(
        string rule, DTensor<T> value, [NotNullWhen(true)] DTensor<T>? dx, DTensor<T> dResult, [CallerArgumentExpression(nameof(value))] string? valueName = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(value, valueName);
        Check.ResultTangent(rule, dResult, value.Shape);
        Check.Tangent(rule, dx, value.Shape);
        if (dx is null)
        {
            dResult.Clear();
            return false;
        }

        return true;
    }

    /// <summary>
    /// Validates an elementwise pushforward of two inputs of one shape (each tangent of its input's, dResult of that
    /// shape) and, when both tangents are null (zero), clears dResult and returns <see langword="false"/>.
    /// </summary>
    private static bool ElementwiseTangents<T>(
        string rule,
        DTensor<T> first,
        DTensor<T> second,
        DTensor<T>? dfirst,
        DTensor<T>? dsecond,
        DTensor<T> dResult,
        [CallerArgumentExpression(nameof(first))] string? firstName = null,
        [CallerArgumentExpression(nameof(second))] string? secondName = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(rule, first, second, firstName, secondName);
        Check.ResultTangent(rule, dResult, first.Shape);
        Check.Tangent(rule, dfirst, first);
        Check.Tangent(rule, dsecond, second);
        return !BothZero(dfirst, dsecond, dResult);
    }

    /// <summary>Clears dResult and returns <see langword="true"/> when both tangents are null: the result's tangent is zero.</summary>
    private static bool BothZero<T>(DTensor<T>? first, DTensor<T>? second, DTensor<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (first is not null || second is not null)
        {
            return false;
        }

        dResult.Clear();
        return true;
    }

    /// <summary>Overwrites dResult with slope(value) ⊙ dx, the slope computed into a scratch, for a one-input elementwise op.</summary>
    private static void SlopeTimesTangent<T>(string rule, DTensor<T> value, DTensor<T>? dx, DTensor<T> dResult, Slope<T> slope)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ElementwiseTangent(rule, value, dx, dResult))
        {
            var slopes = Scratch<T>.Get(value.Length);
            slope(value.Span, slopes);
            TensorPrimitives.Multiply<T>(slopes, dx.Span, dResult.Span);
        }
    }

    /// <summary>dResult = first + sign · second, a null tangent being zero, both checked against dResult's shape.</summary>
    private static void CombineTangents<T>(string rule, DTensor<T>? first, DTensor<T>? second, T sign, DTensor<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dResult);
        Check.Tangent(rule, first, dResult);
        Check.Tangent(rule, second, dResult);
        if (BothZero(first, second, dResult))
        {
            return;
        }

        if (second is null)
        {
            first!.Span.CopyTo(dResult.Span);
        }
        else if (first is null)
        {
            TensorPrimitives.Multiply<T>(second.Span, sign, dResult.Span);
        }
        else
        {
            TensorPrimitives.FusedMultiplyAdd<T>(second.Span, sign, first.Span, dResult.Span);
        }
    }

    /// <summary>dResult = tangent + offset in every element, a null tangent being zero, checked against dResult's shape.</summary>
    private static void OffsetTangent<T>(string rule, DTensor<T>? tangent, T offset, DTensor<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dResult);
        Check.Tangent(rule, tangent, dResult);
        if (tangent is null)
        {
            dResult.Fill(offset);
        }
        else
        {
            TensorPrimitives.Add<T>(tangent.Span, offset, dResult.Span);
        }
    }

    /// <summary>
    /// dResult = α·tangent + β·value for a tangent of value's shape (null: zero), the pushforward of a tensor op with a
    /// scalar operand.
    /// </summary>
    private static void ScaledSumTangent<T>(string rule, DTensor<T>? tangent, T alpha, DTensor<T> value, T beta, DTensor<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        Check.ResultTangent(rule, dResult, value.Shape);
        Check.Tangent(rule, tangent, value.Shape);
        var scaled = Scratch<T>.Get(value.Length);
        TensorPrimitives.Multiply<T>(value.Span, beta, scaled);
        if (tangent is null)
        {
            scaled.CopyTo(dResult.Span);
        }
        else
        {
            TensorPrimitives.FusedMultiplyAdd<T>(tangent.Span, alpha, scaled, dResult.Span);
        }
    }

    /// <summary>Writes the local slope of an elementwise op, from its input or result, into <paramref name="slope"/>.</summary>
    private delegate void Slope<T>(ReadOnlySpan<T> value, Span<T> slope);
}
