using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace SymDiff.CompilerServices;

/// <summary>What the pullback-tangent rules beside the ops share: validation before anything is written.</summary>
public static partial class DTensorRules
{
    /// <summary>
    /// Validates the pullback tangent of a one-input elementwise op: <paramref name="value"/> (the input or result it
    /// reads), dResult, vdResult and vdx of one shape, the value's tangent of it too (null: zero). Returns whether there
    /// is anything to add (vdx is not null).
    /// </summary>
    private static bool ElementwisePullbackTangent<T>(string rule, DTensor<T> value, DTensor<T> dResult, DTensor<T>? tangent, DTensor<T> vdResult, [NotNullWhen(true)] DTensor<T>? vdx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(rule, value, dResult);
        Check.SameShape(rule, value, vdResult);
        Check.Tangent(rule, tangent, value);
        Check.Gradient(rule, vdx, value);
        return vdx is not null;
    }
}
