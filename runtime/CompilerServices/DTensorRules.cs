using System.ComponentModel;

namespace SymDiff.CompilerServices;

/// <summary>
/// The pullback rules of the <see cref="DTensor"/> ops, one beside each op in <c>runtime/Ops</c>. Generated reverse
/// sweeps call them; users do not (a <see cref="PullbackOfAttribute"/> names the op each one differentiates, and
/// <see cref="DTensor"/>'s <see cref="DerivativeRulesAttribute"/> tells the generator to look here).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class DTensorRules
{
}
