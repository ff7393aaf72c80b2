using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator.Differentiation;

/// <summary>
/// The names derivatives go by: the generated methods (<c>{M}Gradient</c>, <c>{M}Pullback</c>, ...), the derivative
/// parameters of their signatures (<c>dw1</c> for <c>w1</c>, the seed <c>dResult</c>), and derivative locals (never a
/// name the method, its values, its parameters' derivatives or the seed use). Lowering knows none of them: the
/// pipeline hands it <see cref="Declared(IEnumerable{string}, IEnumerable{(string, bool)})"/> to keep free.
/// </summary>
internal static class DerivativeNames
{
    public const string GradientSuffix = "Gradient";
    public const string PullbackSuffix = "Pullback";
    public const string BufferedSuffix = "Buffered";
    public const string PushforwardSuffix = "Pushforward";
    public const string HessianVectorProductSuffix = "HessianVectorProduct";

    public static string Gradient(string method) => method + GradientSuffix;

    public static string Pullback(string method) => method + PullbackSuffix;

    public static string Buffered(string method) => method + BufferedSuffix;

    public static string Pushforward(string method) => method + PushforwardSuffix;

    public static string HessianVectorProduct(string method) => method + HessianVectorProductSuffix;

    /// <summary>
    /// How a call site names another <c>[Differentiable]</c> method's generated member: its target (<c>Other.@class</c>)
    /// with the suffix (<c>Other.classPullback</c>; the suffixed name is no keyword).
    /// </summary>
    public static string OfCallee(IrCallee callee, string suffix)
    {
        var dot = callee.Target.LastIndexOf('.');
        var name = callee.Target.Substring(dot + 1);
        return callee.Target.Substring(0, dot + 1) + NameAllocator.Unescape(name) + suffix;
    }

    /// <summary>
    /// The derivative parameters of the generated signatures, from the declaration alone (so they do not move with the
    /// body): per differentiable parameter its gradient or direction (<c>dw1</c>), then the seed (<c>dResult</c>).
    /// <paramref name="reserved"/> are the names generated code must not take (members, parameters).
    /// </summary>
    public static (IReadOnlyList<string?> Parameters, string Seed) Declared(IEnumerable<string> reserved, IEnumerable<(string Name, bool Differentiable)> parameters)
    {
        var allocator = new NameAllocator(reserved);
        var names = parameters.Select(p => p.Differentiable ? allocator.AllocateGradient(p.Name) : null).ToList();
        return (names, allocator.Allocate("dResult"));
    }

    /// <summary>The derivative parameters of one method's generated signatures.</summary>
    public static SignatureNames Of(IrMethod ir)
    {
        var (parameters, seed) = Declared(ir.ReservedNames, ir.Parameters.Select(p => (p.Name, p.Differentiable)));
        var byValue = new Dictionary<int, string>();
        for (var i = 0; i < ir.Parameters.Count; i++)
        {
            if (parameters[i] is { } name)
            {
                byValue[ir.Parameters[i].Value] = name;
            }
        }

        return new SignatureNames(byValue, seed);
    }

    public static NameAllocator Allocator(IrMethod ir)
    {
        var signature = Of(ir);
        return new NameAllocator(
            ir.ReservedNames
                .Concat(ir.Values.Select(v => v.Name))
                .Concat(signature.Parameters.Values)
                .Append(signature.Seed));
    }
}

/// <summary>
/// The derivative parameters of a method's generated signatures: per differentiable parameter (by its value) the name
/// of its gradient (reverse mode) or direction (forward mode), and the seed or result tangent (<c>dResult</c>).
/// </summary>
internal sealed class SignatureNames(IReadOnlyDictionary<int, string> parameters, string seed)
{
    public IReadOnlyDictionary<int, string> Parameters { get; } = parameters;

    public string Seed { get; } = seed;

    /// <summary>The derivative parameter of <paramref name="parameter"/> (<c>dw1</c>).</summary>
    public string Of(IrParameter parameter) => Parameters[parameter.Value];
}
