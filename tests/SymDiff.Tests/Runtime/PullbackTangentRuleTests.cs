using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// Every <c>[PullbackTangentOf]</c> rule, called directly in double, against central finite differences of its op's
/// pullback along a direction of the inputs and dResult (<see cref="PullbackTangentChecker"/>), over several shapes,
/// among them one row and one column. A rule reading the result's tangent gets it from the op's pushforward rule.
/// </summary>
public sealed partial class PullbackTangentRuleTests
{
    private static readonly int[][] Shapes = [[3, 4], [1, 5], [4, 1], [7]];

    public static TheoryData<string> UnaryOps => new("Tanh", "Sigmoid", "Relu", "Exp", "Log", "Square", "Softmax", "LogSoftmax", "Sqrt", "Abs", "Gelu");

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary(string op)
    {
        var random = new Random(op.GetHashCode(StringComparison.Ordinal));
        foreach (var shape in Shapes)
        {
            var x = ElementwiseOps.UnaryInput(random, op is "Softmax" or "LogSoftmax" ? "Tanh" : op, shape);
            var inputs = new[] { x };
            PullbackTangentChecker.Check(
                random,
                op + "PullbackTangent",
                inputs,
                shape,
                (dy, d) => UnaryPullback(op, x, dy, d[0]),
                (dy, t, vdy, v) => UnaryTangent(op, x, dy, t[0], vdy, v[0]),
                $"{op} {string.Join("x", shape)}",
                validated: op is "Relu" or "Abs" ? [] : null); // their rules read no tangent: masks and signs do not move
        }
    }

    private static void UnaryPullback(string op, DTensor<double> x, DTensor<double> dy, DTensor<double>? dx)
    {
        switch (op)
        {
            case "Softmax":
                DTensorRules.SoftmaxPullback(DTensor.Softmax(x), dy, dx);
                break;
            case "LogSoftmax":
                DTensorRules.LogSoftmaxPullback(DTensor.LogSoftmax(x), dy, dx);
                break;
            default:
                ElementwiseOps.UnaryPullback(op)(x, ElementwiseOps.UnaryForward(op)(x), dy, dx);
                break;
        }
    }

    private static void UnaryTangent(string op, DTensor<double> x, DTensor<double> dy, DTensor<double>? vx, DTensor<double> vdy, DTensor<double>? vdx)
    {
        DTensor<double>? Moved(Func<DTensor<double>, DTensor<double>> forward, Action<DTensor<double>, DTensor<double>?, DTensor<double>> pushforward, out DTensor<double> y)
        {
            y = forward(x);
            if (vx is null || !vx.HasSameShape(x))
            {
                return vx; // a wrong-shaped tangent goes to the rule as the result's, which must refuse it
            }

            var vy = DTensor.Zeros<double>(y.Shape.ToArray());
            pushforward(y, vx, vy);
            return vy;
        }

        DTensor<double> y;
        switch (op)
        {
            case "Tanh":
                var vt = Moved(DTensor.Tanh, DTensorRules.TanhPushforward, out y);
                DTensorRules.TanhPullbackTangent(y, dy, vt, vdy, vdx);
                break;
            case "Sigmoid":
                var vs = Moved(DTensor.Sigmoid, DTensorRules.SigmoidPushforward, out y);
                DTensorRules.SigmoidPullbackTangent(y, dy, vs, vdy, vdx);
                break;
            case "Exp":
                var ve = Moved(DTensor.Exp, DTensorRules.ExpPushforward, out y);
                DTensorRules.ExpPullbackTangent(y, dy, ve, vdy, vdx);
                break;
            case "Softmax":
                var vp = Moved(DTensor.Softmax, DTensorRules.SoftmaxPushforward, out y);
                DTensorRules.SoftmaxPullbackTangent(y, dy, vp, vdy, vdx);
                break;
            case "LogSoftmax":
                var vl = Moved(DTensor.LogSoftmax, DTensorRules.LogSoftmaxPushforward, out y);
                DTensorRules.LogSoftmaxPullbackTangent(y, dy, vl, vdy, vdx);
                break;
            case "Relu":
                DTensorRules.ReluPullbackTangent(DTensor.Relu(x), vdy, vdx);
                break;
            case "Sqrt":
                var vr = Moved(DTensor.Sqrt, DTensorRules.SqrtPushforward, out y);
                DTensorRules.SqrtPullbackTangent(y, dy, vr, vdy, vdx);
                break;
            case "Abs":
                DTensorRules.AbsPullbackTangent(x, vdy, vdx);
                break;
            case "Log":
                DTensorRules.LogPullbackTangent(x, dy, vx, vdy, vdx);
                break;
            case "Gelu":
                DTensorRules.GeluPullbackTangent(x, dy, vx, vdy, vdx);
                break;
            default:
                DTensorRules.SquarePullbackTangent(x, dy, vx, vdy, vdx);
                break;
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul(bool transposeA, bool transposeB)
    {
        var random = new Random(9);
        foreach (var (m, k, n) in new[] { (1, 1, 1), (3, 5, 2), (1, 4, 3), (3, 4, 1), (7, 13, 5) })
        {
            var a = transposeA ? DTensor.RandomUniform(random, -1.0, 1.0, k, m) : DTensor.RandomUniform(random, -1.0, 1.0, m, k);
            var b = transposeB ? DTensor.RandomUniform(random, -1.0, 1.0, n, k) : DTensor.RandomUniform(random, -1.0, 1.0, k, n);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.MatMulPullbackTangent),
                [a, b],
                [m, n],
                (dy, d) => DTensorRules.MatMulPullback(a, b, transposeA, transposeB, dy, d[0], d[1]),
                (dy, t, vdy, v) => DTensorRules.MatMulPullbackTangent(a, b, transposeA, transposeB, dy, t[0], t[1], vdy, v[0], v[1]),
                $"{m}x{k}x{n}");
        }
    }

    [Fact]
    public void Multiply()
    {
        var random = new Random(3);
        foreach (var shape in Shapes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            foreach (var bShape in new[] { shape, [shape[^1]] })
            {
                var b = DTensor.RandomUniform(random, -2.0, 2.0, bShape);
                PullbackTangentChecker.Check(
                    random,
                    nameof(DTensorRules.MultiplyPullbackTangent),
                    [a, b],
                    shape,
                    (dy, d) => DTensorRules.MultiplyPullback(a, b, dy, d[0], d[1]),
                    (dy, t, vdy, v) => DTensorRules.MultiplyPullbackTangent(a, b, dy, t[0], t[1], vdy, v[0], v[1]),
                    $"{string.Join("x", shape)} ⊙ {string.Join("x", bShape)}");
            }
        }
    }

    [Fact]
    public void MultiplyByScalar()
    {
        var random = new Random(4);
        foreach (var shape in Shapes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var s = DTensor.Full(random.NextDouble() + 0.5, 1);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.MultiplyPullbackTangent),
                [a, s],
                shape,
                (dy, d) =>
                {
                    var ds = 0.0;
                    DTensorRules.MultiplyPullback(a, s[0], dy, d[0], ref ds);
                    d[1]![0] += ds;
                },
                (dy, t, vdy, v) =>
                {
                    var vds = v[1]?[0] ?? 0.0;
                    DTensorRules.MultiplyPullbackTangent(a, s[0], dy, t[0], t[1]?[0] ?? 0.0, vdy, v[0], ref vds);
                    if (v[1] is not null)
                    {
                        v[1]![0] = vds;
                    }
                },
                $"{string.Join("x", shape)} · s",
                validated: [0]);
        }
    }

    [Fact]
    public void CrossEntropyWithItsSavedSoftmax()
    {
        var random = new Random(5);
        foreach (var (rows, classes) in new[] { (3, 4), (1, 5), (4, 1), (6, 2) })
        {
            var logits = DTensor.RandomUniform(random, -2.0, 2.0, rows, classes);
            var targets = Enumerable.Range(0, rows).Select(i => random.Next(classes)).ToArray();
            DTensor<double> Saved()
            {
                DTensor<double>? saved = null;
                DTensor.CrossEntropy(logits, targets, ref saved);
                return saved!;
            }

            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.CrossEntropyPullbackTangent),
                [logits],
                [1],
                (dy, d) => DTensorRules.CrossEntropyPullback(targets, Saved(), dy[0], d[0]),
                (dy, t, vdy, v) => DTensorRules.CrossEntropyPullbackTangent(targets, Saved(), dy[0], t[0], vdy[0], v[0]),
                $"{rows}x{classes}");
        }
    }

    [Fact]
    public void SquareLoss()
    {
        var random = new Random(6);
        foreach (var shape in Shapes)
        {
            var prediction = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var target = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.SquareLossPullbackTangent),
                [prediction, target],
                [1],
                (dy, d) => DTensorRules.SquareLossPullback(prediction, target, dy[0], d[0], d[1]),
                (dy, t, vdy, v) => DTensorRules.SquareLossPullbackTangent(prediction, target, dy[0], t[0], t[1], vdy[0], v[0], v[1]),
                string.Join("x", shape));
        }
    }
}
