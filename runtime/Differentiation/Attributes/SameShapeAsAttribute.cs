namespace SymDiff;

/// <summary>
/// Marks a gradient parameter of a <see cref="PullbackOfAttribute"/> rule whose tensor always has the shape of another
/// of the rule's parameters (<c>dResult</c> for an elementwise op, <c>saved</c> for cross-entropy). Generated code then
/// shapes that gradient's buffer from the named parameter instead of from the input itself, so an input the rule does
/// not read is not kept just for its shape (in a loop, that would be one copy per iteration).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class SameShapeAsAttribute : Attribute
{
    /// <summary>Declares that this gradient has the shape of the rule's parameter <paramref name="parameter"/>.</summary>
    /// <param name="parameter">The other parameter's name; use <see langword="nameof"/>.</param>
    public SameShapeAsAttribute(string parameter)
    {
        Parameter = parameter;
    }

    /// <summary>The name of the rule parameter whose shape the gradient has.</summary>
    public string Parameter { get; }
}
