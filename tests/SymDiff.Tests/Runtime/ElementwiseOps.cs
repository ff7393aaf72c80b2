using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// The elementwise ops that the rule tests share (<see cref="OpRuleTests"/>, <see cref="PushforwardRuleTests"/>): their
/// inputs, forward functions and pullbacks, each pullback called with what it declares it reads (x or y).
/// </summary>
internal static class ElementwiseOps
{
    public static readonly string[] Unary = ["Tanh", "Sigmoid", "Relu", "Exp", "Log", "Square", "Sqrt", "Negate", "Abs", "Gelu"];

    public static readonly string[] Binary = ["Add", "Subtract", "Multiply", "Divide"];

    /// <summary>A pullback of a one-input op: (x, y, dy, dx).</summary>
    public delegate void UnaryRule(DTensor<double> x, DTensor<double> y, DTensor<double> dResult, DTensor<double>? dx);

    /// <summary>An input for a unary op: positive for Log and Sqrt, away from the kink of Relu and Abs for the others.</summary>
    public static DTensor<double> UnaryInput(Random random, string op, params int[] shape) => op is "Log" or "Sqrt"
        ? DTensor.RandomUniform(random, 0.2, 2.0, shape)
        : Away(DTensor.RandomUniform(random, -2.0, 2.0, shape), 0.05);

    public static Func<DTensor<double>, DTensor<double>> UnaryForward(string op) => op switch
    {
        "Tanh" => DTensor.Tanh,
        "Sigmoid" => DTensor.Sigmoid,
        "Relu" => DTensor.Relu,
        "Exp" => DTensor.Exp,
        "Log" => DTensor.Log,
        "Square" => DTensor.Square,
        "Sqrt" => DTensor.Sqrt,
        "Abs" => DTensor.Abs,
        "Gelu" => DTensor.Gelu,
        _ => DTensor.Negate,
    };

    public static UnaryRule UnaryPullback(string op) => op switch
    {
        "Tanh" => (x, y, dy, dx) => DTensorRules.TanhPullback(y, dy, dx),
        "Sigmoid" => (x, y, dy, dx) => DTensorRules.SigmoidPullback(y, dy, dx),
        "Relu" => (x, y, dy, dx) => DTensorRules.ReluPullback(y, dy, dx),
        "Exp" => (x, y, dy, dx) => DTensorRules.ExpPullback(y, dy, dx),
        "Log" => (x, y, dy, dx) => DTensorRules.LogPullback(x, dy, dx),
        "Square" => (x, y, dy, dx) => DTensorRules.SquarePullback(x, dy, dx),
        "Sqrt" => (x, y, dy, dx) => DTensorRules.SqrtPullback(y, dy, dx),
        "Abs" => (x, y, dy, dx) => DTensorRules.AbsPullback(x, dy, dx),
        "Gelu" => (x, y, dy, dx) => DTensorRules.GeluPullback(x, dy, dx),
        _ => (x, y, dy, dx) => DTensorRules.NegatePullback(dy, dx),
    };

    /// <summary>The two operands of a binary op (b away from zero for Divide).</summary>
    public static (DTensor<double> A, DTensor<double> B) BinaryInputs(Random random, string op, params int[] shape) =>
        (DTensor.RandomUniform(random, -2.0, 2.0, shape),
         op == "Divide" ? DTensor.RandomUniform(random, 0.5, 2.0, shape) : DTensor.RandomUniform(random, -2.0, 2.0, shape));

    public static Func<DTensor<double>> BinaryForward(string op, DTensor<double> a, DTensor<double> b) => op switch
    {
        "Add" => () => DTensor.Add(a, b),
        "Subtract" => () => DTensor.Subtract(a, b),
        "Multiply" => () => DTensor.Multiply(a, b),
        _ => () => DTensor.Divide(a, b),
    };

    public static RuleChecker.TensorRule BinaryPullback(string op, DTensor<double> a, DTensor<double> b) => op switch
    {
        "Add" => (y, dy, d) => DTensorRules.AddPullback(dy, d[0], d[1]),
        "Subtract" => (y, dy, d) => DTensorRules.SubtractPullback(dy, d[0], d[1]),
        "Multiply" => (y, dy, d) => DTensorRules.MultiplyPullback(a, b, dy, d[0], d[1]),
        _ => (y, dy, d) => DTensorRules.DividePullback(b, y, dy, d[0], d[1]),
    };

    /// <summary>op(a, s) for the scalar s held as the 1-element tensor <paramref name="s"/>, so that it can be perturbed.</summary>
    public static Func<DTensor<double>> WithScalarForward(string op, DTensor<double> a, DTensor<double> s) => op switch
    {
        "Add" => () => DTensor.Add(a, s[0]),
        "Subtract" => () => DTensor.Subtract(a, s[0]),
        "Multiply" => () => DTensor.Multiply(a, s[0]),
        _ => () => DTensor.Divide(a, s[0]),
    };

    /// <summary>The pullback of op(a, s), the scalar's adjoint kept in element 0 of the second adjoint.</summary>
    public static RuleChecker.TensorRule WithScalarPullback(string op, DTensor<double> a, DTensor<double> s) => (y, dy, d) =>
    {
        var ds = d[1]![0];
        switch (op)
        {
            case "Add":
                DTensorRules.AddPullback(dy, d[0], ref ds);
                break;
            case "Subtract":
                DTensorRules.SubtractPullback(dy, d[0], ref ds);
                break;
            case "Multiply":
                DTensorRules.MultiplyPullback(a, s[0], dy, d[0], ref ds);
                break;
            default:
                DTensorRules.DividePullback(s[0], y, dy, d[0], ref ds);
                break;
        }

        d[1]![0] = ds;
    };

    /// <summary>Moves values within <paramref name="margin"/> of zero away from it (the kink of Relu).</summary>
    public static DTensor<double> Away(DTensor<double> x, double margin)
    {
        for (var i = 0; i < x.Length; i++)
        {
            if (Math.Abs(x[i]) < margin)
            {
                x[i] = x[i] < 0 ? -margin : margin;
            }
        }

        return x;
    }
}
