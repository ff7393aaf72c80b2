namespace SymDiff.Generator.Ir;

/// <summary>
/// The <c>System.Math</c>/<c>System.MathF</c> functions that are differentiated (each has its local derivative in
/// <c>Differentiation/ScalarRules</c>), and those whose derivative is zero almost everywhere.
/// </summary>
internal static class Intrinsics
{
    /// <summary>Whether <c>Math.{name}</c> with <paramref name="arity"/> arguments is differentiated.</summary>
    public static bool IsDifferentiable(string name, int arity) => arity switch
    {
        1 => name is "Tanh" or "Exp" or "Log" or "Log10" or "Log2" or "Sqrt" or "Cbrt" or "Sin" or "Cos" or "Tan"
            or "Asin" or "Acos" or "Atan" or "Sinh" or "Cosh" or "Asinh" or "Acosh" or "Atanh" or "Abs",
        2 => name is "Pow" or "Max" or "Min" or "Atan2" or "Log",
        3 => name is "FusedMultiplyAdd" or "Clamp",
        _ => false,
    };

    /// <summary>Functions whose derivative is zero almost everywhere (differentiating through them is suspicious).</summary>
    public static bool IsPiecewiseConstant(string name) =>
        name is "Round" or "Floor" or "Ceiling" or "Truncate" or "Sign";
}
