using System.ComponentModel;

namespace SymDiff.CompilerServices;

/// <summary>
/// The pullback rules of the <see cref="DTensor"/> ops, one beside each op in <c>runtime/Ops</c>, each followed by the
/// op's pushforward rule (forward mode). Generated code calls them; users do not (a <see cref="PullbackOfAttribute"/>
/// or <see cref="PushforwardOfAttribute"/> names the op each one differentiates, and <see cref="DTensor"/>'s
/// <see cref="DerivativeRulesAttribute"/> tells the generator to look here).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class DTensorRules
{
}
