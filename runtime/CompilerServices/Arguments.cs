using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SymDiff.CompilerServices;

/// <summary>
/// Checks generated methods run on their arguments before they write anything, so that a wrong argument is reported
/// under the user's own parameter names (<c>dw1 has shape [8, 2], but w1 has [2, 8]</c>) rather than from inside an
/// op's rule after other gradients were already added to. Users do not call these.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Arguments
{
    /// <summary>
    /// Checks a differentiable tensor parameter and the buffer that receives its gradient: the parameter is not null;
    /// the gradient is not null when <paramref name="required"/> (gradient methods; pullbacks take null for "not
    /// wanted"), has the parameter's shape and is not the parameter itself.
    /// </summary>
    public static void CheckGradient<T>(
        string method,
        DTensor<T> parameter,
        DTensor<T>? gradient,
        bool required,
        [CallerArgumentExpression(nameof(parameter))] string parameterName = "",
        [CallerArgumentExpression(nameof(gradient))] string gradientName = "")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameter is null)
        {
            throw new ArgumentNullException(parameterName, $"{method}: {parameterName} is null.");
        }

        if (gradient is null)
        {
            if (required)
            {
                throw new ArgumentNullException(gradientName, $"{method}: {gradientName} is null; pass a tensor of {parameterName}'s shape {parameter.ShapeText} to receive its gradient (the pullback is the method that takes null for a gradient that is not wanted).");
            }

            return;
        }

        if (ReferenceEquals(gradient, parameter))
        {
            throw new ArgumentException($"{method}: {gradientName} is {parameterName} itself; pass a separate tensor to receive the gradient.", gradientName);
        }

        if (!gradient.HasSameShape(parameter))
        {
            throw new ArgumentException($"{method}: {gradientName} has shape {gradient.ShapeText}, but {parameterName} has {parameter.ShapeText}.", gradientName);
        }
    }
}
