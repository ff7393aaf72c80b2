namespace SymDiff;

/// <summary>
/// Checks analytic gradients against central finite differences in double precision, like PyTorch's
/// <c>torch.autograd.gradcheck</c>: every element of every input is nudged by ±h and the change in the loss is
/// compared with the gradient.
/// </summary>
public static class GradientCheck
{
    /// <summary>
    /// Compares <paramref name="gradients"/> (∂loss/∂input for each input, same shapes) with
    /// (loss(x + h eᵢ) − loss(x − h eᵢ)) / 2h, element by element. <paramref name="loss"/> must read the inputs' current
    /// values each time it runs; they are restored afterwards.
    /// </summary>
    /// <param name="loss">Computes the loss from the inputs' current contents.</param>
    /// <param name="inputs">The tensors to perturb.</param>
    /// <param name="gradients">The gradients to check, one per input.</param>
    /// <param name="step">The relative step h (scaled by max(1, |xᵢ|)).</param>
    /// <param name="tolerance">The allowed difference, relative to max(1, |numeric|).</param>
    public static GradientCheckResult Run(
        Func<double> loss,
        IReadOnlyList<DTensor<double>> inputs,
        IReadOnlyList<DTensor<double>> gradients,
        double step = 1e-6,
        double tolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(gradients);
        if (inputs.Count != gradients.Count)
        {
            throw new ArgumentException($"GradientCheck: {inputs.Count} inputs but {gradients.Count} gradients.");
        }

        var mismatches = new List<GradientMismatch>();
        var worst = 0.0;
        var checkedElements = 0;
        for (var t = 0; t < inputs.Count; t++)
        {
            if (!inputs[t].HasSameShape(gradients[t]))
            {
                throw new ArgumentException($"GradientCheck: input {t} is {inputs[t].ShapeText} but its gradient is {gradients[t].ShapeText}.");
            }

            var numeric = CentralDifferences(loss, inputs[t], step);
            var analytic = gradients[t].Span;
            for (var i = 0; i < numeric.Length; i++)
            {
                checkedElements++;
                var error = Math.Abs(analytic[i] - numeric[i]) / Math.Max(1, Math.Abs(numeric[i]));
                worst = Math.Max(worst, double.IsNaN(error) ? double.PositiveInfinity : error);
                if (!(error <= tolerance))
                {
                    mismatches.Add(new GradientMismatch(t, i, analytic[i], numeric[i]));
                }
            }
        }

        return new GradientCheckResult(checkedElements, worst, tolerance, mismatches);
    }

    /// <summary>∂loss/∂input by central differences, element by element (the input is restored).</summary>
    public static double[] CentralDifferences(Func<double> loss, DTensor<double> input, double step = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(input);
        var result = new double[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            var original = input[i];
            var h = step * Math.Max(1, Math.Abs(original));
            input[i] = original + h;
            var plus = loss();
            input[i] = original - h;
            var minus = loss();
            input[i] = original;
            result[i] = (plus - minus) / (2 * h);
        }

        return result;
    }
}

/// <summary>One element whose analytic and numeric derivatives disagree.</summary>
/// <param name="Input">The index of the input tensor.</param>
/// <param name="Index">The flat index of the element.</param>
/// <param name="Analytic">The gradient being checked.</param>
/// <param name="Numeric">The central finite difference.</param>
public sealed record GradientMismatch(int Input, int Index, double Analytic, double Numeric);

/// <summary>The outcome of <see cref="GradientCheck.Run"/>.</summary>
/// <param name="CheckedElements">How many derivatives were compared.</param>
/// <param name="WorstError">The largest relative error seen.</param>
/// <param name="Tolerance">The tolerance used.</param>
/// <param name="Mismatches">The elements over the tolerance.</param>
public sealed record GradientCheckResult(int CheckedElements, double WorstError, double Tolerance, IReadOnlyList<GradientMismatch> Mismatches)
{
    /// <summary>Whether every element was within the tolerance.</summary>
    public bool Passed => Mismatches.Count == 0;

    /// <inheritdoc/>
    public override string ToString() => Passed
        ? $"{CheckedElements} derivatives match finite differences (worst relative error {WorstError:E2})."
        : $"{Mismatches.Count} of {CheckedElements} derivatives differ from finite differences by more than {Tolerance:E1}: "
            + string.Join("; ", Mismatches.Take(5).Select(m => $"input {m.Input}[{m.Index}]: analytic {m.Analytic:R}, numeric {m.Numeric:R}"));
}
