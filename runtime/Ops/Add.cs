using System.Numerics;

namespace SymDiff;

public static partial class Tensor
{
    /// <summary>y = a + b, elementwise; the shapes must match.</summary>
    public static Tensor<T> Add<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Add(a, b, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Add{T}(Tensor{T}, Tensor{T})"/>.</summary>
    public static Tensor<T> Add<T>(Tensor<T> a, Tensor<T> b, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Check.SameShape(nameof(Add), a, b);
        var y = Ensure(ref destination, a.Shape);
        TensorPrimitives.Add<T>(a.Span, b.Span, y.Span);
        return y;
    }

    /// <summary>y = a + b: ∂y/∂a = 1, ∂y/∂b = 1.</summary>
    [DerivativeOf(nameof(Add))]
    public static void AddBackward<T>(Tensor<T> a, Tensor<T> b, Tensor<T> result, Tensor<T> dResult, [PassThrough] Tensor<T>? da, [PassThrough] Tensor<T>? db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Accumulate(nameof(AddBackward), da, dResult);
        Accumulate(nameof(AddBackward), db, dResult);
    }

    /// <summary>y = a + s, with the scalar s added to every element.</summary>
    public static Tensor<T> Add<T>(Tensor<T> a, T s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? y = null;
        return Add(a, s, ref y);
    }

    /// <summary>Destination-passing form of <see cref="Add{T}(Tensor{T}, T)"/>.</summary>
    public static Tensor<T> Add<T>(Tensor<T> a, T s, ref Tensor<T>? destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = Ensure(ref destination, a.Shape);
        TensorPrimitives.Add<T>(a.Span, s, y.Span);
        return y;
    }

    /// <summary>y = a + s: ∂y/∂a = 1, ∂y/∂s = Σ dy.</summary>
    [DerivativeOf(nameof(Add))]
    public static void AddBackward<T>(Tensor<T> a, T s, Tensor<T> result, Tensor<T> dResult, [PassThrough] Tensor<T>? da, ref T ds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Accumulate(nameof(AddBackward), da, dResult);
        ds += TensorPrimitives.Sum<T>(dResult.Span);
    }

    /// <summary>
    /// target += source, elementwise; a null target is skipped. Generated reverse sweeps use it where a tensor's
    /// adjoint flows unchanged into another's (branches that merge tensors).
    /// </summary>
    public static void AccumulateInto<T>(Tensor<T>? target, Tensor<T> source)
        where T : unmanaged, IFloatingPointIeee754<T> => Accumulate(nameof(AccumulateInto), target, source);

    /// <summary>target += source (shapes must match); a null target is skipped. Shared by the rules.</summary>
    internal static void Accumulate<T>(string op, Tensor<T>? target, Tensor<T> source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        if (target is null)
        {
            return;
        }

        Check.SameShape(op, target, source);
        TensorPrimitives.Add<T>(target.Span, source.Span, target.Span);
    }
}
