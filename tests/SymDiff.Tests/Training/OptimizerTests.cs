namespace SymDiff.Tests.Training;

/// <summary>
/// Each optimizer against a reference written here, independently, from the published update equations (plain
/// loops in double), over several steps on a matrix and a vector parameter.
/// </summary>
public sealed class OptimizerTests
{
    private const int Steps = 6;

    [Theory]
    [InlineData(0.0, false, 0.0)]
    [InlineData(0.9, false, 0.0)]
    [InlineData(0.9, true, 0.01)]
    public void SgdMatchesItsEquations(double momentum, bool nesterov, double weightDecay)
    {
        const double lr = 0.1;
        Run(
            p => new Sgd<double>(p, lr, momentum, nesterov, weightDecay),
            () =>
            {
                double[]? b = null;
                return (theta, g, t) =>
                {
                    b ??= new double[theta.Length];
                    for (var i = 0; i < theta.Length; i++)
                    {
                        var gi = g[i] + (weightDecay * theta[i]);
                        if (momentum > 0)
                        {
                            b[i] = (momentum * b[i]) + gi;
                            gi = nesterov ? gi + (momentum * b[i]) : b[i];
                        }

                        theta[i] -= lr * gi;
                    }
                };
            });
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.05, false)]
    [InlineData(0.05, true)]
    public void AdamAndAdamWMatchTheirEquations(double weightDecay, bool decoupled)
    {
        const double lr = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        Run(
            p => decoupled ? new AdamW<double>(p, lr, beta1, beta2, epsilon, weightDecay) : new Adam<double>(p, lr, beta1, beta2, epsilon, weightDecay),
            () =>
            {
                double[]? m = null, v = null;
                return (theta, g, t) =>
                {
                    m ??= new double[theta.Length];
                    v ??= new double[theta.Length];
                    for (var i = 0; i < theta.Length; i++)
                    {
                        var gi = g[i];
                        if (decoupled)
                        {
                            theta[i] -= lr * weightDecay * theta[i];
                        }
                        else
                        {
                            gi += weightDecay * theta[i];
                        }

                        m[i] = (beta1 * m[i]) + ((1 - beta1) * gi);
                        v[i] = (beta2 * v[i]) + ((1 - beta2) * gi * gi);
                        var mHat = m[i] / (1 - Math.Pow(beta1, t));
                        var vHat = v[i] / (1 - Math.Pow(beta2, t));
                        theta[i] -= lr * mHat / (Math.Sqrt(vHat) + epsilon);
                    }
                };
            });
    }

    [Theory]
    [InlineData(null, 0.0)]
    [InlineData(0.9, 0.0)]
    [InlineData(null, 0.1)]
    public void AdafactorMatchesThePaper(double? beta1, double weightDecay)
    {
        const double lr = 1e-2, eps1 = 1e-30, eps2 = 1e-3, d = 1.0;
        Run(
            p => new Adafactor<double>(p, lr, 0.8, eps1, eps2, d, beta1, weightDecay),
            () =>
            {
                double[]? r = null, c = null, vector = null, m = null;
                return (theta, g, t, shape) =>
                {
                    var beta2 = 1 - Math.Pow(t, -0.8);
                    var rho = Math.Min(lr, 1 / Math.Sqrt(t));
                    var alpha = Math.Max(eps2, Rms(theta)) * rho;
                    for (var i = 0; i < theta.Length; i++)
                    {
                        theta[i] *= 1 - (lr * weightDecay);
                    }

                    var u = new double[theta.Length];
                    if (shape.Length == 2)
                    {
                        var (rows, cols) = (shape[0], shape[1]);
                        r ??= new double[rows];
                        c ??= new double[cols];
                        for (var i = 0; i < rows; i++)
                        {
                            var sum = 0.0;
                            for (var j = 0; j < cols; j++)
                            {
                                sum += (g[(i * cols) + j] * g[(i * cols) + j]) + eps1;
                            }

                            r[i] = (beta2 * r[i]) + ((1 - beta2) * sum);
                        }

                        for (var j = 0; j < cols; j++)
                        {
                            var sum = 0.0;
                            for (var i = 0; i < rows; i++)
                            {
                                sum += (g[(i * cols) + j] * g[(i * cols) + j]) + eps1;
                            }

                            c[j] = (beta2 * c[j]) + ((1 - beta2) * sum);
                        }

                        var total = r.Sum();
                        for (var i = 0; i < rows; i++)
                        {
                            for (var j = 0; j < cols; j++)
                            {
                                u[(i * cols) + j] = g[(i * cols) + j] / Math.Sqrt(r[i] * c[j] / total);
                            }
                        }
                    }
                    else
                    {
                        vector ??= new double[theta.Length];
                        for (var i = 0; i < theta.Length; i++)
                        {
                            vector[i] = (beta2 * vector[i]) + ((1 - beta2) * ((g[i] * g[i]) + eps1));
                            u[i] = g[i] / Math.Sqrt(vector[i]);
                        }
                    }

                    var clip = Math.Max(1, Rms(u) / d);
                    m ??= new double[theta.Length];
                    for (var i = 0; i < theta.Length; i++)
                    {
                        var step = alpha * u[i] / clip;
                        if (beta1 is { } b1)
                        {
                            m[i] = (b1 * m[i]) + ((1 - b1) * step);
                            step = m[i];
                        }

                        theta[i] -= step;
                    }
                };
            });
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("adafactor")]
    public void EachOptimizerReducesTheLossOfASmallModel(string name)
    {
        var random = new Random(11);
        var parameters = new ParameterSet<double>();
        var w1 = parameters.Add("w1", DTensor.RandomUniform(random, -0.5, 0.5, 4, 8));
        var b1 = parameters.Add("b1", DTensor.Zeros<double>(8));
        var w2 = parameters.Add("w2", DTensor.RandomUniform(random, -0.5, 0.5, 8, 3));
        var b2 = parameters.Add("b2", DTensor.Zeros<double>(3));
        var x = DTensor.RandomUniform(random, -1.0, 1.0, 16, 4);
        var y = Enumerable.Range(0, 16).Select(i => (x[i, 0] > 0 ? 1 : 0) + (x[i, 1] > 0 ? 1 : 0)).ToArray();
        Optimizer<double> optimizer = name switch
        {
            "sgd" => new Sgd<double>(parameters, 0.5),
            "momentum" => new Sgd<double>(parameters, 0.1, momentum: 0.9),
            "adam" => new Adam<double>(parameters, 0.05),
            "adamw" => new AdamW<double>(parameters, 0.05),
            _ => new Adafactor<double>(parameters, learningRate: 0.1, beta1: 0.9),
        };

        double Step()
        {
            parameters.ZeroGradients();
            var loss = TensorGradients.TensorModels.MlpGradient(w1.Value, b1.Value, w2.Value, b2.Value, x, y, w1.Gradient, b1.Gradient, w2.Gradient, b2.Gradient);
            optimizer.Step();
            return loss;
        }

        var first = Step();
        var last = first;
        for (var i = 0; i < 200; i++)
        {
            last = Step();
        }

        Assert.True(last < 0.5 * first, $"{name}: loss {first:F4} -> {last:F4}");
    }

    [Fact]
    public void StepsAllocateNothing()
    {
        var parameters = new ParameterSet<float>();
        parameters.Add("w", DTensor.Full(1f, 64, 32));
        parameters.Add("b", DTensor.Full(1f, 32));
        foreach (var p in parameters)
        {
            p.Gradient.Fill(0.1f);
        }

        foreach (var optimizer in new Optimizer<float>[]
        {
            new Sgd<float>(parameters, 0.1, 0.9, true, 0.01), new Adam<float>(parameters, weightDecay: 0.01), new AdamW<float>(parameters), new Adafactor<float>(parameters, beta1: 0.9, weightDecay: 0.01),
        })
        {
            optimizer.Step();
            var before = GC.GetAllocatedBytesForCurrentThread();
            optimizer.Step();
            optimizer.Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void LookingUpAParameterByNameAllocatesNothing()
    {
        // Training steps fetch parameters by name (parameters["U"]); a LINQ lookup cost 24 B a call.
        var parameters = new ParameterSet<float>();
        parameters.Add("w", DTensor.Full(1f, 4));
        var b = parameters.Add("b", DTensor.Full(1f, 2));
        Assert.Same(b, parameters["b"]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = parameters["b"];
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Same(b, found);
        Assert.Throws<KeyNotFoundException>(() => parameters["missing"]);
    }

    private delegate void Reference(double[] theta, double[] gradient, long step);

    private delegate void ShapedReference(double[] theta, double[] gradient, long step, int[] shape);

    private static void Run(Func<ParameterSet<double>, Optimizer<double>> create, Func<Reference> reference) =>
        Run(create, () =>
        {
            var r = reference();
            return (theta, g, t, _) => r(theta, g, t);
        });

    /// <summary>Runs the optimizer and the reference side by side on a matrix and a vector with changing gradients.</summary>
    private static void Run(Func<ParameterSet<double>, Optimizer<double>> create, Func<ShapedReference> reference)
    {
        var random = new Random(5);
        var parameters = new ParameterSet<double>();
        parameters.Add("matrix", DTensor.RandomUniform(random, -1.0, 1.0, 3, 4));
        parameters.Add("vector", DTensor.RandomUniform(random, -1.0, 1.0, 4));
        var optimizer = create(parameters);
        var expected = parameters.Select(p => p.Value.ToArray()).ToArray();
        var references = parameters.Select(_ => reference()).ToArray();
        for (long t = 1; t <= Steps; t++)
        {
            for (var k = 0; k < parameters.Count; k++)
            {
                // A gradient that depends on the parameter and the step, like a real one.
                var gradient = parameters[k].Gradient;
                for (var i = 0; i < gradient.Length; i++)
                {
                    gradient[i] = parameters[k].Value[i] - Math.Sin(i + t);
                }

                references[k](expected[k], gradient.ToArray(), t, parameters[k].Value.Shape.ToArray());
            }

            optimizer.Step();
            for (var k = 0; k < parameters.Count; k++)
            {
                for (var i = 0; i < expected[k].Length; i++)
                {
                    Assert.True(
                        Math.Abs(parameters[k].Value[i] - expected[k][i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[k][i])),
                        $"step {t}, {parameters[k].Name}[{i}]: {parameters[k].Value[i]:R} vs reference {expected[k][i]:R}");
                }
            }
        }
    }

    private static double Rms(double[] x) => Math.Sqrt(x.Sum(v => v * v) / x.Length);
}
