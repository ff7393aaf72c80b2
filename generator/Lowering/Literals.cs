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
    public static string Double(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "double.PositiveInfinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "double.NegativeInfinity";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0)
        {
            // Integral values print as integer literals; C# converts them implicitly in double contexts.
            return text;
        }

        return text.Replace("E+", "E");
    }

    public static string Float(float value)
    {
        if (float.IsNaN(value))
        {
            return "float.NaN";
        }

        if (float.IsPositiveInfinity(value))
        {
            return "float.PositiveInfinity";
        }

        if (float.IsNegativeInfinity(value))
        {
            return "float.NegativeInfinity";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOf('.') < 0 && text.IndexOf('E') < 0 ? text : text.Replace("E+", "E") + "f";
    }

    /// <summary>
    /// Source constants keep their type in the text (<c>3.0</c>, <c>3f</c>), so that overload resolution in the
    /// generated code matches the original; numbers that rules introduce print bare (<c>1 - y * y</c>).
    /// </summary>
    private static string Typed(string text, string suffix)
    {
        var integral = text.Length > 0 && text.TrimStart('-').All(char.IsDigit);
        return integral ? text + (suffix == "f" ? "f" : ".0") : text;
    }

    /// <summary>Formats a number of the given differentiable type.</summary>
    public static string Number(double value, IrTypeKind kind) =>
        kind == IrTypeKind.Float ? Float((float)value) : Double(value);

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
                return new IrConstant(irType, Typed(Double(d), "d"), d);
            case float f:
                return new IrConstant(irType, Typed(Float(f), "f"), f);
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
