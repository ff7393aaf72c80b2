using System.Linq;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Lowering;

namespace SymDiff.Generator.Differentiation;

/// <summary>Names of derivative locals: never a name the method, its parameters' derivatives or the seed use.</summary>
internal static class DerivativeNames
{
    public static NameAllocator Allocator(IrMethod ir) => new(
        ir.ReservedNames
            .Concat(ir.Values.Select(v => v.Name))
            .Concat(ir.Parameters.Select(p => p.GradientName))
            .Append(ir.SeedName));
}
