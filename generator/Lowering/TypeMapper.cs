using Microsoft.CodeAnalysis;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>Maps Roslyn types to <see cref="IrType"/> and spells them for generated code.</summary>
internal sealed class TypeMapper
{
    /// <summary>Spells SymDiff types fully qualified (for checks that only need the kind).</summary>
    public static readonly TypeMapper Qualified = new(SymDiffNamespace, CompilerServicesNamespace);

    public const string SymDiffNamespace = "global::SymDiff.";

    public const string CompilerServicesNamespace = "global::SymDiff.CompilerServices.";

    private readonly string _symDiffPrefix;

    /// <param name="symDiffPrefix"><c>""</c> when the generated file says <c>using SymDiff;</c>, else <c>global::SymDiff.</c>.</param>
    /// <param name="compilerServicesPrefix">
    /// <c>""</c> when the generated file says <c>using SymDiff.CompilerServices;</c> (the helpers only generated code
    /// calls), else <c>global::SymDiff.CompilerServices.</c>.
    /// </param>
    public TypeMapper(string symDiffPrefix, string compilerServicesPrefix)
    {
        _symDiffPrefix = symDiffPrefix;
        CompilerServicesPrefix = compilerServicesPrefix;
    }

    public string SymDiffPrefix => _symDiffPrefix;

    public string CompilerServicesPrefix { get; }

    /// <summary>A type's name for generated code, short for SymDiff's own types when the file imports their namespace.</summary>
    public string Spell(ITypeSymbol type)
    {
        var text = type.ToDisplayString(Format);
        if (text.StartsWith(CompilerServicesNamespace, System.StringComparison.Ordinal) && text.IndexOf('.', CompilerServicesNamespace.Length) < 0)
        {
            return CompilerServicesPrefix + text.Substring(CompilerServicesNamespace.Length);
        }

        return text == SymDiffNamespace + "DTensor" ? _symDiffPrefix + "DTensor" : text;
    }

    /// <summary>Fully qualified, with keywords for special types and nullable annotations kept.</summary>
    public static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private string TensorName(IrTypeKind element) =>
        _symDiffPrefix + "DTensor<" + (element == IrTypeKind.Float ? "float" : "double") + ">";

    public IrType Map(ITypeSymbol? type)
    {
        if (type is null)
        {
            return new IrType(IrTypeKind.Other, "object", false);
        }

        if (type is INamedTypeSymbol { Name: "DTensor", Arity: 1, ContainingNamespace: { Name: "SymDiff", ContainingNamespace.IsGlobalNamespace: true } } tensor
            && tensor.TypeArguments[0].SpecialType is SpecialType.System_Single or SpecialType.System_Double)
        {
            var element = tensor.TypeArguments[0].SpecialType == SpecialType.System_Single ? IrTypeKind.Float : IrTypeKind.Double;
            return new IrType(IrTypeKind.Tensor, TensorName(element), false, element);
        }

        return type.SpecialType switch
        {
            SpecialType.System_Double => IrType.Double,
            SpecialType.System_Single => IrType.Float,
            SpecialType.System_Boolean => IrType.Bool,
            SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64
                or SpecialType.System_UInt64 or SpecialType.System_Char
                => new IrType(IrTypeKind.Integer, type.ToDisplayString(Format), true),
            _ => new IrType(IrTypeKind.Other, type.ToDisplayString(Format), type.IsValueType) { IsRefLike = type.IsRefLikeType },
        };
    }
}
