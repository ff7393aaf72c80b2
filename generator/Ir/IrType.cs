namespace SymDiff.Generator.Ir;

/// <summary>What a value is, as far as differentiation cares.</summary>
internal enum IrTypeKind
{
    /// <summary><see langword="double"/>: differentiable.</summary>
    Double,

    /// <summary><see langword="float"/>: differentiable.</summary>
    Float,

    /// <summary>An integral type: never differentiated.</summary>
    Integer,

    /// <summary><see langword="bool"/>: conditions.</summary>
    Boolean,

    /// <summary>Any other type (arrays, strings, user types): carried along, never differentiated.</summary>
    Other,
}

/// <summary>The type of an IR value and its C# spelling (a keyword, or a <c>global::</c> qualified name).</summary>
internal sealed record IrType(IrTypeKind Kind, string Name, bool IsValueType)
{
    public static readonly IrType Double = new(IrTypeKind.Double, "double", true);
    public static readonly IrType Float = new(IrTypeKind.Float, "float", true);
    public static readonly IrType Bool = new(IrTypeKind.Boolean, "bool", true);

    /// <summary>Whether values of this type can carry a derivative.</summary>
    public bool IsDifferentiable => Kind is IrTypeKind.Double or IrTypeKind.Float;

    /// <summary>A C# expression of this type's zero/default value, used for hoisted declarations.</summary>
    public string DefaultValueText => Kind switch
    {
        IrTypeKind.Double or IrTypeKind.Float or IrTypeKind.Integer => "0",
        IrTypeKind.Boolean => "false",
        _ => IsValueType ? "default" : "default!",
    };
}
