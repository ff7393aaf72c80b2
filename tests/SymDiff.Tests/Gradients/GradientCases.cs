namespace SymDiff.Tests.Gradients;

/// <summary>The gradient cases: every function of <see cref="Functions"/>, with points away from kinks.</summary>
public static partial class GradientCases
{
    public delegate double Gradient1(double a, out double da);

    public delegate void Pullback1(double a, double dResult, ref double da);

    public delegate double Gradient2(double a, double b, out double da, out double db);

    public delegate void Pullback2(double a, double b, double dResult, ref double da, ref double db);

    public delegate double Gradient3(double a, double b, double c, out double da, out double db, out double dc);

    public delegate void Pullback3(double a, double b, double c, double dResult, ref double da, ref double db, ref double dc);

    private static readonly double[][] General =
    {
        new[] { 0.7, 1.3 },
        new[] { -1.1, 0.4 },
        new[] { 2.5, -0.8 },
    };

    private static readonly double[][] Positive =
    {
        new[] { 0.7, 1.3 },
        new[] { 1.9, 0.4 },
        new[] { 0.2, 2.8 },
    };

    public static readonly IReadOnlyDictionary<string, GradientCase> All = Build().ToDictionary(c => c.Name);

    private static IEnumerable<GradientCase> Build() => Scalars().Concat(Loops());

    private static IEnumerable<GradientCase> Scalars()
    {
        yield return Two(nameof(Functions.Add), Functions.Add, Functions.AddGradient, Functions.AddPullback, General, _ => new[] { 1.0, 1.0 });
        yield return Two(nameof(Functions.Subtract), Functions.Subtract, Functions.SubtractGradient, Functions.SubtractPullback, General, _ => new[] { 1.0, -1.0 });
        yield return Two(nameof(Functions.Multiply), Functions.Multiply, Functions.MultiplyGradient, Functions.MultiplyPullback, General, x => new[] { x[1], x[0] });
        yield return Two(nameof(Functions.Divide), Functions.Divide, Functions.DivideGradient, Functions.DividePullback, General, x => new[] { 1 / x[1], -x[0] / (x[1] * x[1]) });
        yield return Two(nameof(Functions.Negate), Functions.Negate, Functions.NegateGradient, Functions.NegatePullback, General, x => new[] { -x[1], -x[0] - 1 });
        yield return Two(nameof(Functions.Polynomial), Functions.Polynomial, Functions.PolynomialGradient, Functions.PolynomialPullback, General, x => new[] { (9 * x[0] * x[0]) - (2 * x[1]), (-2 * x[0]) + (2 * x[1]) });
        yield return One(nameof(Functions.Constants), Functions.Constants, Functions.ConstantsGradient, Functions.ConstantsPullback, General, x => new[] { (2 * Math.PI * x[0]) + 2.5 });
        yield return Two(nameof(Functions.Tanh), Functions.Tanh, Functions.TanhGradient, Functions.TanhPullback, General, x =>
        {
            var t = Math.Tanh(x[0] * x[1]);
            return new[] { (1 - (t * t)) * x[1], (1 - (t * t)) * x[0] };
        });
        yield return Two(nameof(Functions.Exp), Functions.Exp, Functions.ExpGradient, Functions.ExpPullback, General, x =>
        {
            var e = Math.Exp(x[0] - (x[1] * x[1]));
            return new[] { e, -2 * x[1] * e };
        });
        yield return Two(nameof(Functions.Log), Functions.Log, Functions.LogGradient, Functions.LogPullback, Positive, x => new[] { 1 / x[0], 1 / x[1] });
        yield return Two(nameof(Functions.Sqrt), Functions.Sqrt, Functions.SqrtGradient, Functions.SqrtPullback, Positive, x =>
        {
            var s = Math.Sqrt((x[0] * x[0]) + x[1]);
            return new[] { x[0] / s, 0.5 / s };
        });
        yield return Two(nameof(Functions.Pow), Functions.Pow, Functions.PowGradient, Functions.PowPullback, Positive, x =>
            new[] { x[1] * Math.Pow(x[0], x[1] - 1), Math.Pow(x[0], x[1]) * Math.Log(x[0]) });
        yield return One(nameof(Functions.PowConstant), Functions.PowConstant, Functions.PowConstantGradient, Functions.PowConstantPullback, General, x => new[] { (3 * x[0] * x[0]) + (2 * x[0]) });
        yield return Two(nameof(Functions.SinCos), Functions.SinCos, Functions.SinCosGradient, Functions.SinCosPullback, General, x =>
            new[] { Math.Cos(x[0]) * Math.Cos(x[1]), -Math.Sin(x[0]) * Math.Sin(x[1]) });
        yield return Two(nameof(Functions.Abs), Functions.Abs, Functions.AbsGradient, Functions.AbsPullback, General, x =>
            new[] { Math.Sign(x[0] - x[1]) * x[1], (-Math.Sign(x[0] - x[1]) * x[1]) + Math.Abs(x[0] - x[1]) });
        yield return Two(nameof(Functions.MaxMin), Functions.MaxMin, Functions.MaxMinGradient, Functions.MaxMinPullback, General, null);
        yield return One(nameof(Functions.Trigonometry), Functions.Trigonometry, Functions.TrigonometryGradient, Functions.TrigonometryPullback, new[] { new[] { 0.3 }, new[] { -0.6 }, new[] { 1.1 } }, x =>
        {
            var a = x[0];
            return new[] { 1 + (Math.Tan(a) * Math.Tan(a)) + (1 / (1 + (a * a))) + (0.5 / Math.Sqrt(1 - (a * a / 4))) - (1 / 3.0 / Math.Sqrt(1 - (a * a / 9))) + Math.Cosh(a) + Math.Sinh(a) };
        });
        yield return One(nameof(Functions.Logarithms), Functions.Logarithms, Functions.LogarithmsGradient, Functions.LogarithmsPullback, new[] { new[] { 0.3 }, new[] { 2.7 } }, x =>
            new[] { (1 / (x[0] * Math.Log(10))) + (1 / (x[0] * Math.Log(2))) + (1 / (3 * Math.Cbrt(x[0]) * Math.Cbrt(x[0]))) });
        yield return One(nameof(Functions.InverseHyperbolic), Functions.InverseHyperbolic, Functions.InverseHyperbolicGradient, Functions.InverseHyperbolicPullback, new[] { new[] { 0.3 }, new[] { -0.6 }, new[] { 1.1 } }, x =>
            new[] { (1 / Math.Sqrt((x[0] * x[0]) + 1)) + (1 / Math.Sqrt(((x[0] + 2) * (x[0] + 2)) - 1)) + (0.5 / (1 - (x[0] * x[0] / 4))) });
        yield return Two(nameof(Functions.LogWithBase), Functions.LogWithBase, Functions.LogWithBaseGradient, Functions.LogWithBasePullback, new[] { new[] { 0.3, 2.0 }, new[] { 2.7, 0.5 }, new[] { 1.4, 10.0 } }, x =>
            new[] { (1 / (x[0] * Math.Log(x[1]))) + (2 / (x[0] * Math.Log(3))), -Math.Log(x[0]) / (x[1] * Math.Log(x[1]) * Math.Log(x[1])) });
        yield return Three(nameof(Functions.TwoArgumentFunctions), Functions.TwoArgumentFunctions, Functions.TwoArgumentFunctionsGradient, Functions.TwoArgumentFunctionsPullback, new[]
        {
            new[] { 0.3, 0.7, 0.9 },
            new[] { -0.9, 0.4, 1.5 },
            new[] { 1.7, -0.6, 1.2 },
        }, null);
        yield return Two(nameof(Functions.Reassigned), Functions.Reassigned, Functions.ReassignedGradient, Functions.ReassignedPullback, General, null);
        yield return Two(nameof(Functions.DeclaredWithoutInitializer), Functions.DeclaredWithoutInitializer, Functions.DeclaredWithoutInitializerGradient, Functions.DeclaredWithoutInitializerPullback, General, x => new[] { (2 * x[1]) + 1, 2 * x[0] });
        yield return Two(nameof(Functions.IfElse), Functions.IfElse, Functions.IfElseGradient, Functions.IfElsePullback, General, x =>
            x[0] > x[1] ? new[] { (2 * x[0]) + 1, 0 } : new[] { (x[1] * x[1]) + 1, 2 * x[1] * x[0] });
        yield return Two(nameof(Functions.Conditional), Functions.Conditional, Functions.ConditionalGradient, Functions.ConditionalPullback, General, x =>
            x[0] > 0 ? new[] { x[1], x[0] } : new[] { -x[1] / (x[0] * x[0]), 1 / x[0] });
        yield return Two(
            nameof(Functions.NestedArmUse),
            Functions.NestedArmUse,
            Functions.NestedArmUseGradient,
            Functions.NestedArmUsePullback,
            new[] { new[] { 0.3, -0.3 }, new[] { 0.3, 3.0 }, new[] { -0.4, 2.0 }, new[] { 0.3, -2.0 } },
            x =>
            {
                var t = x[1] / ((x[1] * x[1]) + 1);
                var dt = (1 - (x[1] * x[1])) / (((x[1] * x[1]) + 1) * ((x[1] * x[1]) + 1));
                var (inner, dInnerDx, dInnerDy) = t > 0.5 ? (Math.Min(-0.0, Math.Sin(x[0])), Math.Sin(x[0]) < -0.0 ? Math.Cos(x[0]) : 0, 0.0)
                    : t < -0.5 && t > -1.5 ? (Math.Sin(x[0]), Math.Cos(x[0]), 0.0)
                    : (t, 0.0, dt);
                var slope = 1 - (Math.Tanh(inner - x[1]) * Math.Tanh(inner - x[1]));
                return new[] { slope * dInnerDx, slope * (dInnerDy - 1) };
            });
        foreach (var mode in new[] { 0, 1, 2, 3 })
        {
            yield return Two(
                nameof(Functions.SwitchArms) + mode,
                (x, y) => Functions.SwitchArms(x, y, mode),
                (double x, double y, out double dx, out double dy) => Functions.SwitchArmsGradient(x, y, mode, out dx, out dy),
                (double x, double y, double g, ref double dx, ref double dy) => Functions.SwitchArmsPullback(x, y, mode, g, ref dx, ref dy),
                new[] { new[] { -1.5, 0.7 }, new[] { 2.0, 0.5 }, new[] { 2.0, -0.5 }, new[] { 0.3, 1.2 }, new[] { 4.0, 0.9 } },
                x => mode switch
                {
                    0 => new[] { x[1] * (1 - (Math.Tanh(x[0] * x[1]) * Math.Tanh(x[0] * x[1]))), x[0] * (1 - (Math.Tanh(x[0] * x[1]) * Math.Tanh(x[0] * x[1]))) },
                    1 or 2 => new[] { 2 * x[0], 1 },
                    _ => x[0] < -1 ? new[] { 0, -1.0 } : x[0] > 1 && x[0] < 3 && x[1] > 0 ? new[] { x[1], x[0] } : new[] { Math.Cos(x[0]) * x[1], Math.Sin(x[0]) },
                });
        }

        foreach (var mode in new[] { 0, 1, 2, 4, 6 })
        {
            yield return Two(
                nameof(Functions.SwitchStatement) + mode,
                (x, y) => Functions.SwitchStatement(x, y, mode),
                (double x, double y, out double dx, out double dy) => Functions.SwitchStatementGradient(x, y, mode, out dx, out dy),
                (double x, double y, double g, ref double dx, ref double dy) => Functions.SwitchStatementPullback(x, y, mode, g, ref dx, ref dy),
                new[] { new[] { 0.4, 0.7 }, new[] { -1.2, 0.5 }, new[] { 0.8, -0.6 } },
                x => mode switch
                {
                    0 => new[] { 2 * x[1] * (1 - (Math.Tanh(x[0] * x[1]) * Math.Tanh(x[0] * x[1]))), 2 * x[0] * (1 - (Math.Tanh(x[0] * x[1]) * Math.Tanh(x[0] * x[1]))) },
                    1 or 2 => new[] { 4 * x[0], 2 },
                    > 5 when x[1] > 0 => new[] { x[1], x[0] },
                    _ => new[] { 2 * Math.Cos(x[0]) * x[1], 2 * Math.Sin(x[0]) },
                });
        }

        yield return One(
            nameof(Functions.SwitchInLoop),
            x => Functions.SwitchInLoop(x, 7),
            (double x, out double dx) => Functions.SwitchInLoopGradient(x, 7, out dx),
            (double x, double g, ref double dx) => Functions.SwitchInLoopPullback(x, 7, g, ref dx),
            new[] { new[] { 0.4 }, new[] { -1.2 }, new[] { 0.9 } },
            null);

        foreach (var n in new[] { 0, 1, 4 })
        {
            yield return Two(
                nameof(Functions.LocalFunctions) + n,
                (x, y) => Functions.LocalFunctions(x, y, n),
                (double x, double y, out double dx, out double dy) => Functions.LocalFunctionsGradient(x, y, n, out dx, out dy),
                (double x, double y, double g, ref double dx, ref double dy) => Functions.LocalFunctionsPullback(x, y, n, g, ref dx, ref dy),
                new[] { new[] { 0.4, 0.7 }, new[] { 1.3, 0.2 }, new[] { -0.8, 1.1 }, new[] { 0.6, -0.3 } },
                null);
        }

        foreach (var n in new[] { 0, 3 })
        {
            yield return Two(
                nameof(Functions.PatternConditions) + n,
                (x, y) => Functions.PatternConditions(x, y, n),
                (double x, double y, out double dx, out double dy) => Functions.PatternConditionsGradient(x, y, n, out dx, out dy),
                (double x, double y, double g, ref double dx, ref double dy) => Functions.PatternConditionsPullback(x, y, n, g, ref dx, ref dy),
                new[] { new[] { 0.5, 0.7 }, new[] { 1.5, -0.4 }, new[] { 2.5, 1.1 }, new[] { -0.5, 2.0 } },
                x => new[]
                {
                    (x[0] >= 0 && x[0] <= 1 ? x[1] : 0) + (!(x[0] > 2) || n == 0 ? Math.Exp(x[0]) : 0),
                    x[0] >= 0 && x[0] <= 1 ? x[0] : 1,
                });
        }

        yield return Two(nameof(Functions.EarlyReturn), Functions.EarlyReturn, Functions.EarlyReturnGradient, Functions.EarlyReturnPullback, General, x =>
            x[0] < 0 ? new[] { -x[1], -x[0] } : new[] { 2 * x[0] * x[1] * x[1], 2 * x[0] * x[0] * x[1] });
        yield return Two(nameof(Functions.NestedBranches), Functions.NestedBranches, Functions.NestedBranchesGradient, Functions.NestedBranchesPullback, new[]
        {
            new[] { 0.7, 1.3 },
            new[] { 0.7, -1.3 },
            new[] { -0.7, 1.3 },
            new[] { -0.7, 0.3 },
        }, null);
        yield return One(nameof(Functions.Relu), Functions.Relu, Functions.ReluGradient, Functions.ReluPullback, new[] { new[] { 0.5 }, new[] { -0.5 } }, x => new[] { x[0] > 0 ? 1.0 : 0.0 });
        yield return One(nameof(Functions.Square), Functions.Square, Functions.SquareGradient, Functions.SquarePullback, General, x => new[] { 2 * x[0] });
        yield return Two(nameof(Functions.CallsOther), Functions.CallsOther, Functions.CallsOtherGradient, Functions.CallsOtherPullback, General, x =>
            new[] { 2 * x[0] * x[1] * x[1], (2 * x[0] * x[0] * x[1]) + (2 * x[1]) });
        yield return One(nameof(Functions.CallsWithConstant), Functions.CallsWithConstant, Functions.CallsWithConstantGradient, Functions.CallsWithConstantPullback, General, x => new[] { 9 + (2 * Math.Cos(x[0])) });
        yield return Two(nameof(Functions.Inner), Functions.Inner, Functions.InnerGradient, Functions.InnerPullback, General, x => new[] { Math.Cos(x[0]) * x[1], Math.Sin(x[0]) });
        yield return Two(nameof(Functions.Composite), Functions.Composite, Functions.CompositeGradient, Functions.CompositePullback, General, x =>
        {
            var (a, b) = (x[0], x[1]);
            var inner = Math.Sin(a) * b;
            return new[] { (Math.Cos(inner) * Math.Cos(a) * b * a) + Math.Sin(inner), Math.Cos(inner) * Math.Sin(a) * a };
        });
        yield return One(nameof(Functions.ExpressionBodied), Functions.ExpressionBodied, Functions.ExpressionBodiedGradient, Functions.ExpressionBodiedPullback, General, x => new[] { 3 * x[0] * x[0] });
        yield return One(nameof(Functions.Sigmoid), Functions.Sigmoid, Functions.SigmoidGradient, Functions.SigmoidPullback, General, x =>
        {
            var s = 1 / (1 + Math.Exp(-x[0]));
            return new[] { s * (1 - s) };
        });
        yield return One(nameof(Functions.Softplus), Functions.Softplus, Functions.SoftplusGradient, Functions.SoftplusPullback, General, x => new[] { 1 / (1 + Math.Exp(-x[0])) });
        yield return Two(nameof(Functions.Guarded), Functions.Guarded, Functions.GuardedGradient, Functions.GuardedPullback, General, x => new[] { 1 / x[1], -x[0] / (x[1] * x[1]) });
        yield return One(nameof(Functions.Increments), Functions.Increments, Functions.IncrementsGradient, Functions.IncrementsPullback, General, x =>
        {
            // x = a + 1; y = x·a; x = x + 1; result = x·y = (a + 2)(a + 1)a
            var a = x[0];
            return new[] { (3 * a * a) + (6 * a) + 2 };
        });
        yield return Two(nameof(Functions.UnusedParameter), Functions.UnusedParameter, Functions.UnusedParameterGradient, Functions.UnusedParameterPullback, General, x => new[] { 2 * x[0], 0 });
        yield return One(nameof(Functions.ReturnsParameter), Functions.ReturnsParameter, Functions.ReturnsParameterGradient, Functions.ReturnsParameterPullback, General, _ => new[] { 1.0 });
        yield return One(nameof(Functions.ReturnsConstant), Functions.ReturnsConstant, Functions.ReturnsConstantGradient, Functions.ReturnsConstantPullback, General, _ => new[] { 0.0 });
        yield return Three(nameof(Functions.KeywordNames), Functions.KeywordNames, Functions.KeywordNamesGradient, Functions.KeywordNamesPullback, new[] { new[] { 0.3, -1.2, 2.0 } }, x =>
            new[] { x[1] * x[2], x[0] * x[2], x[0] * x[1] });
        foreach (var c in new[] { 0.7, -0.7 })
        {
            var points = new[] { new[] { 0.3, -1.2, c }, new[] { 1.1, 0.4, c } };
            yield return Three(nameof(Functions.BranchesPassThrough) + (c > 0 ? "+" : "-"), Functions.BranchesPassThrough, Functions.BranchesPassThroughGradient, Functions.BranchesPassThroughPullback, points, x =>
            {
                var y = (x[0] * x[1]) + (x[2] > 0 ? x[2] : 0);
                return new[] { 2 * y * x[1], 2 * y * x[0], x[2] > 0 ? 2 * y : 0 };
            });
            yield return Three(nameof(Functions.BranchesScaleDifferently) + (c > 0 ? "+" : "-"), Functions.BranchesScaleDifferently, Functions.BranchesScaleDifferentlyGradient, Functions.BranchesScaleDifferentlyPullback, points, x =>
            {
                var s = x[2] > 0 ? x[2] : 1;
                var y = x[0] * x[1] * s;
                return new[] { 2 * y * x[1] * s, 2 * y * x[0] * s, x[2] > 0 ? 2 * y * x[0] * x[1] : 0 };
            });
            yield return Three(nameof(Functions.OneBranchDropsTheDerivative) + (c > 0 ? "+" : "-"), Functions.OneBranchDropsTheDerivative, Functions.OneBranchDropsTheDerivativeGradient, Functions.OneBranchDropsTheDerivativePullback, points, x =>
            {
                var v = x[0] * x[1];
                var y = x[2] > 0 ? v + x[2] : x[2];
                var dv = x[2] > 0 ? 2 * y : 0;
                return new[] { dv * x[1], dv * x[0], 2 * y };
            });
        }

        yield return Two(nameof(Functions.CommonSubexpressions), Functions.CommonSubexpressions, Functions.CommonSubexpressionsGradient, Functions.CommonSubexpressionsPullback, General, x =>
        {
            var d = x[0] - x[1];
            var t = Math.Tanh(d);
            var g = (2 * d) + 1 - (t * t);
            return new[] { g, -g };
        });
        yield return One(nameof(Functions.InternalAccessibility), Functions.InternalAccessibility, Functions.InternalAccessibilityGradient, Functions.InternalAccessibilityPullback, General, _ => new[] { 4.0 });

        // Functions with [NoDiff] or non-floating-point parameters: inputs beyond the differentiated ones are data.
        yield return new GradientCase
        {
            Name = nameof(Functions.TanhNetwork),
            Function = x => Functions.TanhNetwork(x[0], x[1], x[2], x[3]),
            Gradient = x => (Functions.TanhNetworkGradient(x[0], x[1], x[2], x[3], out var dw1, out var dw2), new[] { dw1, dw2 }),
            Pullback = (x, d, acc) => Functions.TanhNetworkPullback(x[0], x[1], x[2], x[3], d, ref acc[0], ref acc[1]),
            Differentiated = new[] { 0, 1 },
            Points = new[] { new[] { 0.5, -0.3, 1.0, 0.2 }, new[] { 1.5, 0.8, -0.7, -0.4 } },
            Analytic = x =>
            {
                // The textbook derivation: dL/dw2 = -(y - o)(1 - o²)h, dL/dw1 = -(y - o)(1 - o²)w2(1 - h²)x.
                var (w1, w2, input, y) = (x[0], x[1], x[2], x[3]);
                var h = Math.Tanh(w1 * input);
                var o = Math.Tanh(w2 * h);
                var delta = -(y - o) * (1 - (o * o));
                return new[] { delta * w2 * (1 - (h * h)) * input, delta * h };
            },
        };
        yield return new GradientCase
        {
            Name = nameof(Functions.PassiveCondition),
            Function = x => Functions.PassiveCondition(x[0], x[1], x[2] > 0, (int)x[3]),
            Gradient = x => (Functions.PassiveConditionGradient(x[0], x[1], x[2] > 0, (int)x[3], out var da, out var db), new[] { da, db }),
            Pullback = (x, d, acc) => Functions.PassiveConditionPullback(x[0], x[1], x[2] > 0, (int)x[3], d, ref acc[0], ref acc[1]),
            Differentiated = new[] { 0, 1 },
            Points = new[] { new[] { 0.7, 1.3, 1, 3 }, new[] { 0.7, 1.3, 0, 3 }, new[] { -0.4, 2.0, 0, 1 } },
            Analytic = null,
        };
        yield return new GradientCase
        {
            Name = nameof(Functions.NoDiffScale),
            Function = x => Functions.NoDiffScale(x[0], x[1]),
            Gradient = x => (Functions.NoDiffScaleGradient(x[0], x[1], out var da), new[] { da }),
            Pullback = (x, d, acc) => Functions.NoDiffScalePullback(x[0], x[1], d, ref acc[0]),
            Differentiated = new[] { 0 },
            Points = General,
            Analytic = x => new[] { 2 * x[1] * x[0] },
        };
        yield return new GradientCase
        {
            Name = nameof(Functions.IntegerExponent),
            Function = x => Functions.IntegerExponent(x[0], (int)x[1]),
            Gradient = x => (Functions.IntegerExponentGradient(x[0], (int)x[1], out var da), new[] { da }),
            Pullback = (x, d, acc) => Functions.IntegerExponentPullback(x[0], (int)x[1], d, ref acc[0]),
            Differentiated = new[] { 0 },
            Points = new[] { new[] { 1.3, 3 }, new[] { -0.6, 4 } },
            Analytic = x => new[] { x[1] * Math.Pow(x[0], x[1] - 1) },
        };
        yield return new GradientCase
        {
            // The derivative passes through a float gradient, so it is b rounded to float; finite differences need a
            // step well above float's resolution.
            Name = nameof(Functions.MixedPrecision),
            Function = x => Functions.MixedPrecision(x[0], x[1]),
            Gradient = x => (Functions.MixedPrecisionGradient(x[0], x[1], out var da, out var db), new[] { da, db }),
            Pullback = (x, d, acc) => Functions.MixedPrecisionPullback(x[0], x[1], d, ref acc[0], ref acc[1]),
            Points = General,
            Analytic = x => new[] { (double)(float)x[1], (double)(float)x[0] },
            FiniteDifferenceStep = 1e-3,
            FiniteDifferenceTolerance = 1e-4,
        };
    }

    private static GradientCase One(string name, Func<double, double> f, Gradient1 gradient, Pullback1 pullback, double[][] points, Func<double[], double[]>? analytic) => new()
    {
        Name = name,
        Function = x => f(x[0]),
        Gradient = x => (gradient(x[0], out var da), new[] { da }),
        Pullback = (x, d, acc) => pullback(x[0], d, ref acc[0]),
        Points = points.Select(p => p.Take(1).ToArray()).ToArray(),
        Analytic = analytic,
    };

    private static GradientCase Two(string name, Func<double, double, double> f, Gradient2 gradient, Pullback2 pullback, double[][] points, Func<double[], double[]>? analytic) => new()
    {
        Name = name,
        Function = x => f(x[0], x[1]),
        Gradient = x => (gradient(x[0], x[1], out var da, out var db), new[] { da, db }),
        Pullback = (x, d, acc) => pullback(x[0], x[1], d, ref acc[0], ref acc[1]),
        Points = points,
        Analytic = analytic,
    };

    private static GradientCase Three(string name, Func<double, double, double, double> f, Gradient3 gradient, Pullback3 pullback, double[][] points, Func<double[], double[]>? analytic) => new()
    {
        Name = name,
        Function = x => f(x[0], x[1], x[2]),
        Gradient = x => (gradient(x[0], x[1], x[2], out var da, out var db, out var dc), new[] { da, db, dc }),
        Pullback = (x, d, acc) => pullback(x[0], x[1], x[2], d, ref acc[0], ref acc[1], ref acc[2]),
        Points = points,
        Analytic = analytic,
    };
}
