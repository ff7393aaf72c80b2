using Microsoft.CodeAnalysis;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>Maps Roslyn types to <see cref="IrType"/> and spells them for generated code.</summary>
internal static class TypeMapper
{
    /// <summary>Fully qualified, with keywords for special types and nullable annotations kept.</summary>
    public static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static IrType Map(ITypeSymbol? type)
    {
        if (type is null)
        {
            return new IrType(IrTypeKind.Other, "object", false);
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
            _ => new IrType(IrTypeKind.Other, type.ToDisplayString(Format), type.IsValueType),
        };
    }
}
