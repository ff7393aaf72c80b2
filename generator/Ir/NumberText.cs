using System.Globalization;

namespace SymDiff.Generator.Ir;

/// <summary>C# literal text of floating-point numbers, exact (round-trip).</summary>
internal static class NumberText
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

    /// <summary>Formats a number of the given differentiable type.</summary>
    public static string Number(double value, IrTypeKind kind) =>
        kind == IrTypeKind.Float ? Float((float)value) : Double(value);
}
