using SymDiff.CompilerServices;

namespace SymDiff.Tests.Runtime;

/// <summary>
/// The pullback-tangent rules of the elementwise ops with two inputs or scalar parameters: Divide (by a tensor, same
/// shape or broadcast, and by a scalar), Pow, Clamp, Maximum, Minimum, Dropout and Concat. Scalar inputs are 1-element tensors
/// so that the checker can perturb them; their wrong-shaped tangents cannot be handed over, so only the tensors' are
/// validated.
/// </summary>
public sealed partial class PullbackTangentRuleTests
{
    [Fact]
    public void Divide()
    {
        var random = new Random(31);
        foreach (var shape in Shapes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            foreach (var bShape in new[] { shape, [shape[^1]], shape.Length == 2 ? [shape[0], 1] : [1] })
            {
                var b = AwayFromZero(random, bShape);
                PullbackTangentChecker.Check(
                    random,
                    nameof(DTensorRules.DividePullbackTangent),
                    [a, b],
                    shape,
                    (dy, d) => DTensorRules.DividePullback(b, DTensor.Divide(a, b), dy, d[0], d[1]),
                    (dy, t, vdy, v) =>
                    {
                        var y = DTensor.Divide(a, b);
                        var vy = ResultTangent([a, b], t, shape, (given, vr) => DTensorRules.DividePushforward(b, y, given[0], given[1], vr));
                        DTensorRules.DividePullbackTangent(b, y, dy, t[1], vy, vdy, v[0], v[1]);
                    },
                    $"{string.Join("x", shape)} ⊘ {string.Join("x", bShape)}");
            }
        }
    }

    [Fact]
    public void DivideByScalar()
    {
        var random = new Random(32);
        foreach (var shape in Shapes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var s = DTensor.Full(random.NextDouble() + 0.5, 1);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.DividePullbackTangent),
                [a, s],
                shape,
                (dy, d) => AddScalar(d[1], (ref ds) => DTensorRules.DividePullback(s[0], DTensor.Divide(a, s[0]), dy, d[0], ref ds)),
                (dy, t, vdy, v) =>
                {
                    var y = DTensor.Divide(a, s[0]);
                    var vy = ResultTangent([a], [t[0]], shape, (given, vr) => DTensorRules.DividePushforward(s[0], y, given[0], Scalar(t[1]), vr));
                    AddScalar(v[1], (ref vds) => DTensorRules.DividePullbackTangent(s[0], y, dy, Scalar(t[1]), vy, vdy, v[0], ref vds));
                },
                $"{string.Join("x", shape)} / s",
                validated: [0]);
        }
    }

    [Fact]
    public void PowWithItsExponent()
    {
        var random = new Random(33);
        foreach (var shape in Shapes)
        {
            var x = DTensor.RandomUniform(random, 0.3, 2.0, shape); // positive: x^p moves with p there only
            var p = DTensor.Full(1.5 + random.NextDouble(), 1);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.PowPullbackTangent),
                [x, p],
                shape,
                (dy, d) => AddScalar(d[1], (ref dp) => DTensorRules.PowPullback(x, p[0], DTensor.Pow(x, p[0]), dy, d[0], ref dp)),
                (dy, t, vdy, v) =>
                {
                    var y = DTensor.Pow(x, p[0]);
                    var vy = ResultTangent([x], [t[0]], shape, (given, vr) => DTensorRules.PowPushforward(x, p[0], y, given[0], Scalar(t[1]), vr));
                    AddScalar(v[1], (ref vdp) => DTensorRules.PowPullbackTangent(x, p[0], y, dy, t[0], Scalar(t[1]), vy, vdy, v[0], ref vdp));
                },
                $"{string.Join("x", shape)} ^ p",
                validated: [0]);
        }
    }

    [Fact]
    public void PowOfNegativeBasesWithAFixedIntegerExponent()
    {
        var random = new Random(34);
        foreach (var shape in Shapes)
        {
            var x = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.PowPullbackTangent),
                [x],
                shape,
                (dy, d) =>
                {
                    var dp = 0.0;
                    DTensorRules.PowPullback(x, 3.0, DTensor.Pow(x, 3.0), dy, d[0], ref dp);
                },
                (dy, t, vdy, v) =>
                {
                    var (y, vdp) = (DTensor.Pow(x, 3.0), 0.0);
                    var vy = ResultTangent([x], t, shape, (given, vr) => DTensorRules.PowPushforward(x, 3.0, y, given[0], 0.0, vr));
                    DTensorRules.PowPullbackTangent(x, 3.0, y, dy, t[0], 0.0, vy, vdy, v[0], ref vdp);
                },
                $"{string.Join("x", shape)} ^ 3");
        }
    }

    [Fact]
    public void ClampWithItsBounds()
    {
        var random = new Random(35);
        foreach (var shape in Shapes)
        {
            var (lo, hi) = (DTensor.Full(-0.5, 1), DTensor.Full(0.7, 1));
            var x = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] += Math.Abs(x[i] - lo[0]) < 1e-3 || Math.Abs(x[i] - hi[0]) < 1e-3 ? 0.01 : 0.0; // away from the kinks
            }

            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.ClampPullbackTangent),
                [x, lo, hi],
                shape,
                (dy, d) =>
                {
                    var (dlo, dhi) = (0.0, 0.0);
                    DTensorRules.ClampPullback(x, lo[0], hi[0], dy, d[0], ref dlo, ref dhi);
                    d[1]![0] += dlo;
                    d[2]![0] += dhi;
                },
                (dy, t, vdy, v) =>
                {
                    var (vdlo, vdhi) = (Scalar(v[1]), Scalar(v[2]));
                    DTensorRules.ClampPullbackTangent(x, lo[0], hi[0], vdy, v[0], ref vdlo, ref vdhi);
                    if (v[1] is not null)
                    {
                        v[1]![0] = vdlo;
                    }

                    if (v[2] is not null)
                    {
                        v[2]![0] = vdhi;
                    }
                },
                $"clamp {string.Join("x", shape)}",
                validated: []); // it reads no tangent: the masks do not move
        }
    }

    [Theory]
    [InlineData("Maximum")]
    [InlineData("Minimum")]
    public void MaximumAndMinimum(string op)
    {
        var random = new Random(op == "Maximum" ? 37 : 38);
        foreach (var shape in Shapes)
        {
            var a = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            var b = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            PullbackTangentChecker.Check(
                random,
                op + "PullbackTangent",
                [a, b],
                shape,
                (dy, d) =>
                {
                    if (op == "Maximum")
                    {
                        DTensorRules.MaximumPullback(a, b, dy, d[0], d[1]);
                    }
                    else
                    {
                        DTensorRules.MinimumPullback(a, b, dy, d[0], d[1]);
                    }
                },
                (dy, t, vdy, v) =>
                {
                    if (op == "Maximum")
                    {
                        DTensorRules.MaximumPullbackTangent(a, b, vdy, v[0], v[1]);
                    }
                    else
                    {
                        DTensorRules.MinimumPullbackTangent(a, b, vdy, v[0], v[1]);
                    }
                },
                $"{op} {string.Join("x", shape)}",
                validated: []); // it reads no tangent: the mask does not move
        }
    }

    [Fact]
    public void DropoutIsItsOwnPullbackAlongDResultsTangent()
    {
        var random = new Random(36);
        foreach (var shape in Shapes)
        {
            var x = DTensor.RandomUniform(random, -2.0, 2.0, shape);
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.DropoutPullbackTangent),
                [x],
                shape,
                (dy, d) =>
                {
                    var drate = 0.0;
                    DTensorRules.DropoutPullback(0.4, 17UL, dy, d[0], ref drate);
                },
                (dy, t, vdy, v) =>
                {
                    var vdrate = 0.0;
                    DTensorRules.DropoutPullbackTangent(0.4, 17UL, vdy, v[0], ref vdrate);
                    Assert.Equal(0.0, vdrate); // the rate is a hyper-parameter, as in the pullback
                },
                $"dropout {string.Join("x", shape)}",
                validated: []); // it reads no tangent (the rate's is ignored, as in the pushforward)
        }
    }

    [Fact]
    public void ConcatIsItsOwnPullbackAlongDResultsTangent()
    {
        var random = new Random(39);
        foreach (var (rows, p, q) in new[] { (3, 2, 4), (1, 1, 3), (4, 1, 1) })
        {
            var (a, b) = (DTensor.RandomUniform(random, -1.0, 1.0, rows, p), DTensor.RandomUniform(random, -1.0, 1.0, rows, q));
            PullbackTangentChecker.Check(
                random,
                nameof(DTensorRules.ConcatPullbackTangent),
                [a, b],
                [rows, p + q],
                (dy, d) => DTensorRules.ConcatPullback(a, b, dy, d[0], d[1]),
                (dy, t, vdy, v) => DTensorRules.ConcatPullbackTangent(a, b, vdy, v[0], v[1]),
                $"concat {rows}x{p} {rows}x{q}",
                validated: []); // it reads no tangent: a and b give their widths only
        }
    }

    /// <summary>A scalar output or gradient held in a 1-element tensor (null: not wanted), added into through a ref.</summary>
    private delegate void ScalarOutput(ref double value);

    private static void AddScalar(DTensor<double>? holder, ScalarOutput write)
    {
        var value = holder?[0] ?? 0.0;
        write(ref value);
        if (holder is not null)
        {
            holder[0] = value;
        }
    }

    private static double Scalar(DTensor<double>? tangent) => tangent?[0] ?? 0.0;

    /// <summary>
    /// The result's tangent from the op's pushforward when the inputs' tangents fit them; else the first wrong-shaped
    /// one, which the rule must refuse (as its own input's tangent or as the result's).
    /// </summary>
    private static DTensor<double>? ResultTangent(
        DTensor<double>[] inputs, DTensor<double>?[] tangents, int[] resultShape, Action<DTensor<double>?[], DTensor<double>> pushforward)
    {
        var wrong = tangents.Where((t, i) => t is not null && !t.HasSameShape(inputs[i])).FirstOrDefault();
        if (wrong is not null)
        {
            return wrong;
        }

        var vy = DTensor.Zeros<double>(resultShape);
        pushforward(tangents, vy);
        return vy;
    }

    private static DTensor<double> AwayFromZero(Random random, int[] shape)
    {
        var b = DTensor.RandomUniform(random, 0.5, 2.0, shape);
        for (var i = 0; i < b.Length; i += 2)
        {
            b[i] = -b[i];
        }

        return b;
    }
}
