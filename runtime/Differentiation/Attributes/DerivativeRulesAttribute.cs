namespace SymDiff;

/// <summary>
/// Names a type that holds derivative rules (<see cref="PullbackOfAttribute"/> methods) for the functions of the type
/// it marks, so that a library can keep its rules out of its public surface: SymDiff's <see cref="DTensor"/> ops keep
/// theirs in <c>SymDiff.CompilerServices.DTensorRules</c>. Without it, rules are looked up in the function's own type
/// and in the type of the <see cref="DifferentiableAttribute"/> method that calls it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DerivativeRulesAttribute : Attribute
{
    /// <summary>Declares that <paramref name="rulesType"/> holds rules for this type's functions.</summary>
    /// <param name="rulesType">The type that declares the rules.</param>
    public DerivativeRulesAttribute(Type rulesType)
    {
        RulesType = rulesType;
    }

    /// <summary>The type that declares the rules.</summary>
    public Type RulesType { get; }
}
