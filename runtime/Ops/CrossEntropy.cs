using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>
    /// The mean cross-entropy of integer targets under softmax(logits): y = (1/n) Σᵢ (log Σⱼ e^(x[i, j]) − x[i, tᵢ]) for
    /// n rows of logits x, computed with a fused, max-shifted log-sum-exp.
    /// </summary>
    public static T CrossEntropy<T>(Tensor<T> logits, ReadOnlySpan<int> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var classes = CrossEntropyClasses(nameof(CrossEntropy), logits, targets);
        if (targets.Length == 0)
        {
            return T.Zero;
        }

        var scratch = Scratch<T>.Get(classes);
        var total = T.Zero;
        for (var i = 0; i < targets.Length; i++)
        {
            var row = logits.Span.Slice(i * classes, classes);
            total += LogSumExp<T>(row, scratch) - row[targets[i]];
        }

        return total / T.CreateChecked(targets.Length);
    }

    /// <summary>
    /// The mean cross-entropy that also saves softmax(logits) into <paramref name="saved"/> (reused when it has the
    /// right shape), for <see cref="CrossEntropyBackward{T}(Tensor{T}, ReadOnlySpan{int}, Tensor{T}, T, T, Tensor{T}?)"/>:
    /// the backward pass then needs no exponentials.
    /// </summary>
    public static T CrossEntropy<T>(Tensor<T> logits, ReadOnlySpan<int> targets, ref Tensor<T>? saved)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var classes = CrossEntropyClasses(nameof(CrossEntropy), logits, targets);
        var probabilities = Ensure(ref saved, logits.Shape);
        if (targets.Length == 0)
        {
            return T.Zero;
        }

        var total = T.Zero;
        for (var i = 0; i < targets.Length; i++)
        {
            var row = logits.Span.Slice(i * classes, classes);
            var output = probabilities.Span.Slice(i * classes, classes);
            var max = TensorPrimitives.Max<T>(row);
            var sum = Kernels.ExpKernel.ShiftedExpSum(row, max, output);
            total += max + T.Log(sum) - row[targets[i]];
            TensorPrimitives.Divide<T>(output, sum, output);
        }

        return total / T.CreateChecked(targets.Length);
    }

    /// <summary>Mean cross-entropy with the saved softmax: ∂L/∂x[i, :] = dy · (p[i, :] − onehot(tᵢ)) / n.</summary>
    [DerivativeOf(nameof(CrossEntropy))]
    public static void CrossEntropyBackward<T>(Tensor<T> logits, ReadOnlySpan<int> targets, Tensor<T> saved, T result, T dResult, Tensor<T>? dlogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(saved);
        if (dlogits is null || targets.Length == 0)
        {
            return;
        }

        var classes = CrossEntropyClasses(nameof(CrossEntropyBackward), logits, targets);
        Check.SameShape(nameof(CrossEntropyBackward), dlogits, logits);
        Check.SameShape(nameof(CrossEntropyBackward), saved, logits);
        var scale = dResult / T.CreateChecked(targets.Length);
        TensorPrimitives.FusedMultiplyAdd<T>(saved.Span, scale, dlogits.Span, dlogits.Span);
        for (var i = 0; i < targets.Length; i++)
        {
            dlogits.Span[(i * classes) + targets[i]] -= scale;
        }
    }

    /// <summary>
    /// Mean cross-entropy: ∂L/∂x[i, :] = dy · (softmax(x[i, :]) − onehot(tᵢ)) / n. The softmax is recomputed from the
    /// logits, since the forward result is a single number.
    /// </summary>
    [DerivativeOf(nameof(CrossEntropy))]
    public static void CrossEntropyBackward<T>(Tensor<T> logits, ReadOnlySpan<int> targets, T result, T dResult, Tensor<T>? dlogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dlogits is null || targets.Length == 0)
        {
            return;
        }

        var classes = CrossEntropyClasses(nameof(CrossEntropyBackward), logits, targets);
        Check.SameShape(nameof(CrossEntropyBackward), dlogits, logits);
        var scale = dResult / T.CreateChecked(targets.Length);
        var probabilities = Scratch<T>.Get(classes);
        for (var i = 0; i < targets.Length; i++)
        {
            var output = dlogits.Span.Slice(i * classes, classes);
            SoftmaxRow<T>(logits.Span.Slice(i * classes, classes), probabilities);
            TensorPrimitives.FusedMultiplyAdd<T>(probabilities, scale, output, output);
            output[targets[i]] -= scale;
        }
    }

    private static int CrossEntropyClasses<T>(string op, Tensor<T> logits, ReadOnlySpan<int> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        Check.Rank(op, logits, 2, "the logits");
        if (logits.Dimension(0) != targets.Length)
        {
            throw new ArgumentException($"{op}: logits {logits.ShapeText} have {logits.Dimension(0)} rows but there are {targets.Length} targets.");
        }

        var classes = logits.Dimension(1);
        foreach (var target in targets)
        {
            if ((uint)target >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), $"{op}: target {target} is not a class of logits {logits.ShapeText}.");
            }
        }

        return classes;
    }
}
