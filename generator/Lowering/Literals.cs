using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Lowering;

/// <summary>C# literal text for constants, exact (round-trip) for floating-point values.</summary>
internal static class Literals
{
    /// <summary>
    /// Source constants keep their type in the text (<c>3.0</c>, <c>3f</c>), so that overload resolution in the
    /// generated code matches the original; numbers that rules introduce print bare (<c>1 - y * y</c>).
    /// </summary>
    private static string Typed(string text, string suffix)
    {
        var integral = text.Length > 0 && text.TrimStart('-').All(char.IsDigit);
        return integral ? text + (suffix == "f" ? "f" : ".0") : text;
    }

    /// <summary>An <see cref="IrConstant"/> for a Roslyn constant value of type <paramref name="type"/>.</summary>
    /// <summary><c>true</c> or <c>false</c>.</summary>
    public static IrConstant Bool(bool value) => new(IrType.Bool, value ? "true" : "false", null);

    public static IrConstant? FromConstant(object? value, ITypeSymbol? type, IrType irType)
    {
        switch (value)
        {
            case null:
                return new IrConstant(irType, type is { IsReferenceType: true } ? "null" : "default", null);
            case double d:
                return new IrConstant(irType, Typed(NumberText.Double(d), "d"), d);
            case float f:
                return new IrConstant(irType, Typed(NumberText.Float(f), "f"), f);
            case bool b:
                return new IrConstant(irType, b ? "true" : "false", null);
            case string s:
                return new IrConstant(irType, SymbolDisplay.FormatLiteral(s, quote: true), null);
            case char c:
                return new IrConstant(irType, SymbolDisplay.FormatLiteral(c, quote: true), null);
            case decimal m:
                return new IrConstant(irType, m.ToString(CultureInfo.InvariantCulture) + "m", null);
        }

        var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        var digits = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        var text = value switch
        {
            int => digits,
            long => digits + "L",
            uint => digits + "U",
            ulong => digits + "UL",
            _ => "(" + irType.Name + ")" + digits,
        };

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum })
        {
            text = "(" + irType.Name + ")(" + digits + ")";
        }

        return new IrConstant(irType, text, number);
    }
}
