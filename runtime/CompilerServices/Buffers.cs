using System.ComponentModel;
using System.Numerics;

namespace SymDiff.CompilerServices;

/// <summary>
/// Buffer management for generated code: destinations reused from call to call, zeroed gradient buffers, copies (and
/// shapes) kept by loops that recompute their iterations, and gradients that flow unchanged from one tensor into
/// another. Users do not call these; the ops' destination-passing forms (a trailing
/// <c>ref DTensor&lt;T&gt;? destination</c>) are the public way to reuse buffers.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Buffers
{
    /// <summary>
    /// Returns <paramref name="destination"/> shaped <paramref name="shape"/>, allocating it only when it is null or
    /// holds a different number of elements. Destination-passing ops start with this, so a reused buffer costs nothing.
    /// The contents are unspecified; ops overwrite them.
    /// </summary>
    public static DTensor<T> Ensure<T>(ref DTensor<T>? destination, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (destination is not null && destination.Length == DTensor<T>.ElementCount(shape))
        {
            destination.SetShape(shape);
            return destination;
        }

        return destination = new DTensor<T>(shape.ToArray());
    }

    /// <summary><see cref="Ensure{T}"/> with <paramref name="like"/>'s shape, then zero-filled: a gradient buffer.</summary>
    public static DTensor<T> EnsureZeroed<T>(ref DTensor<T>? destination, DTensor<T> like)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(like);
        var tensor = Ensure(ref destination, like.Shape);
        Kernels.Split.Clear(tensor); // a |V|-wide gradient is worth both threads
        return tensor;
    }

    /// <summary>
    /// <see cref="Ensure{T}"/> with a shape kept by <see cref="KeepShape{T}"/>, then zero-filled: the gradient of a
    /// loop-carried tensor that is not itself kept, in the shape it had in that iteration.
    /// </summary>
    public static DTensor<T> EnsureZeroed<T>(ref DTensor<T>? destination, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = Ensure(ref destination, shape);
        Kernels.Split.Clear(tensor);
        return tensor;
    }

    /// <summary>
    /// The gradient of an operand whose rule hands it dResult unchanged unless it was broadcast (a <see cref="PassThroughAttribute"/>
    /// gradient without <c>[SameShapeAs(nameof(dResult))]</c>, as Add's b): <paramref name="dResult"/> itself when the
    /// operand had its shape, so the same-shape case costs nothing; otherwise dResult summed over the axes the operand
    /// was repeated along, in <paramref name="destination"/> (reused while shapes repeat).
    /// </summary>
    public static DTensor<T> PassThrough<T>(DTensor<T> dResult, ReadOnlySpan<int> shape, ref DTensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dResult);
        if (dResult.HasShape(shape))
        {
            return dResult;
        }

        var gradient = EnsureZeroed(ref destination, shape);
        Broadcast.Check(nameof(PassThrough), dResult, gradient);
        Broadcast.Reduce(dResult, dResult.Span, gradient, T.One);
        return gradient;
    }

    /// <summary><see cref="PassThrough{T}(DTensor{T}, ReadOnlySpan{int}, ref DTensor{T})"/> for an operand shaped like <paramref name="like"/>.</summary>
    public static DTensor<T> PassThrough<T>(DTensor<T> dResult, DTensor<T> like, ref DTensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(like);
        return PassThrough(dResult, like.Shape, ref destination);
    }

    /// <summary>
    /// Writes <paramref name="value"/>'s shape into <paramref name="shape"/> (reused when it has as many dimensions):
    /// loops that recompute their iterations keep this much of a carried tensor whose gradient needs only its shape.
    /// </summary>
    public static void KeepShape<T>(DTensor<T> value, ref int[]? shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        if (shape is null || shape.Length != value.Rank)
        {
            shape = new int[value.Rank];
        }

        value.Shape.CopyTo(shape);
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (reused when it has room): loops that
    /// recompute their iterations keep each iteration's carried tensors this way.
    /// </summary>
    public static DTensor<T> Copy<T>(DTensor<T> source, ref DTensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        var tensor = Ensure(ref destination, source.Shape);
        tensor.CopyFrom(source);
        return tensor;
    }

    /// <summary>
    /// target += source, elementwise; a null target is skipped. Generated reverse sweeps use it where a tensor's
    /// gradient flows unchanged into another's (branches that merge tensors).
    /// </summary>
    public static void AccumulateInto<T>(DTensor<T>? target, DTensor<T> source)
        where T : unmanaged, IFloatingPointIeee754<T> => DTensor.Accumulate(nameof(AccumulateInto), target, source);

    /// <summary>
    /// target += scale·source, elementwise; a null target is skipped. A Hessian-vector product adds a call's partials
    /// (another file's method, scaled by the gradient it hands that method) to its arguments' gradients with it.
    /// </summary>
    public static void AccumulateScaled<T>(T scale, DTensor<T> source, DTensor<T>? target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        if (target is null)
        {
            return;
        }

        Check.SameShape(nameof(AccumulateScaled), target, source);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd<T>(source.Span, scale, target.Span, target.Span);
    }

    /// <summary>
    /// target += a·x + b·y, elementwise; a null target is skipped: the tangent of a call's step
    /// <see cref="AccumulateScaled{T}(T, DTensor{T}, DTensor{T})"/> (the gradient's tangent times the partials, plus the
    /// gradient times the callee's H·v).
    /// </summary>
    public static void AccumulateScaled<T>(T a, DTensor<T> x, T b, DTensor<T> y, DTensor<T>? target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (target is null)
        {
            return;
        }

        Check.SameShape(nameof(AccumulateScaled), target, x);
        Check.SameShape(nameof(AccumulateScaled), target, y);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd<T>(x.Span, a, target.Span, target.Span);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd<T>(y.Span, b, target.Span, target.Span);
    }

    /// <summary>
    /// Σ tangent·partial over the elements, zero for a null tangent (a zero direction): the tangent of a call's scalar
    /// value along its tensor argument's tangent, from the partials the callee's gradient wrote.
    /// </summary>
    public static T Dot<T>(DTensor<T>? tangent, DTensor<T> partial)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(partial);
        if (tangent is null)
        {
            return T.Zero;
        }

        Check.SameShape(nameof(Dot), partial, tangent);
        return System.Numerics.Tensors.TensorPrimitives.Dot<T>(tangent.Span, partial.Span);
    }

    /// <summary>
    /// Writes a tensor result's tangent into the caller's <paramref name="dResult"/> (zeros when the tangent is null: a
    /// result that does not depend on the direction). Generated pushforwards end with it.
    /// </summary>
    public static void WriteTangent<T>(string method, DTensor<T> result, DTensor<T>? tangent, DTensor<T> dResult)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(result);
        if (dResult is null)
        {
            throw new ArgumentNullException(nameof(dResult), $"{method}: dResult is null; pass a tensor of the result's shape {result.ShapeText} to receive its tangent.");
        }

        if (!dResult.HasSameShape(result))
        {
            throw new ArgumentException($"{method}: dResult has shape {dResult.ShapeText}, but the result has {result.ShapeText}.", nameof(dResult));
        }

        if (tangent is null)
        {
            dResult.Span.Clear();
            return;
        }

        dResult.CopyFrom(tangent);
    }
}
