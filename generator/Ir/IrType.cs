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

    /// <summary><c>SymDiff.DTensor&lt;float&gt;</c> or <c>SymDiff.DTensor&lt;double&gt;</c>: differentiable, gradients are tensors.</summary>
    Tensor,
}

/// <summary>The type of an IR value and its C# spelling (a keyword, or a <c>global::</c> qualified name).</summary>
/// <param name="Kind">What the type is to differentiation.</param>
/// <param name="Name">Its C# spelling in generated code.</param>
/// <param name="IsValueType">Whether it is a value type (decides how hoisted locals are initialized).</param>
/// <param name="Element">For tensors, the element type (Float or Double); otherwise <see cref="Kind"/>.</param>
internal sealed record IrType(IrTypeKind Kind, string Name, bool IsValueType, IrTypeKind Element)
{
    public IrType(IrTypeKind kind, string name, bool isValueType)
        : this(kind, name, isValueType, kind)
    {
    }

    public static readonly IrType Double = new(IrTypeKind.Double, "double", true);
    public static readonly IrType Float = new(IrTypeKind.Float, "float", true);
    public static readonly IrType Bool = new(IrTypeKind.Boolean, "bool", true);
    public static readonly IrType Int = new(IrTypeKind.Integer, "int", true);

    /// <summary>A ref struct (a span): it cannot be kept on a tape, so loops recompute it in the reverse sweep.</summary>
    public bool IsRefLike { get; init; }

    /// <summary>Whether values of this type can carry a derivative.</summary>
    public bool IsDifferentiable => Kind is IrTypeKind.Double or IrTypeKind.Float or IrTypeKind.Tensor;

    /// <summary>Whether values are <see langword="double"/> or <see langword="float"/> scalars.</summary>
    public bool IsScalar => Kind is IrTypeKind.Double or IrTypeKind.Float;

    public bool IsTensor => Kind == IrTypeKind.Tensor;

    /// <summary>The element type's keyword (<c>float</c> for <c>DTensor&lt;float&gt;</c>).</summary>
    public string ElementName => Element == IrTypeKind.Float ? "float" : "double";

    /// <summary>A C# expression of this type's zero/default value, used for hoisted declarations.</summary>
    public string DefaultValueText => Kind switch
    {
        IrTypeKind.Double or IrTypeKind.Float or IrTypeKind.Integer => "0",
        IrTypeKind.Boolean => "false",
        _ => IsValueType ? "default" : "default!",
    };
}
