using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Emission;

/// <summary>How a loop's condition prints: inline in <c>while (...)</c> when its header is just the test.</summary>
internal static class LoopTest
{
    /// <summary>
    /// The <c>while</c> condition, and whether it is the whole header (else the header's statements run first inside
    /// the loop, followed by <c>if (!cond) break;</c>, and the condition prints as <c>true</c>).
    /// </summary>
    public static (string Test, bool Simple) Of(IrLoop loop, CExprPrinter printer, string conditionName)
    {
        var header = loop.Header.Statements;
        if (header.Count == 0)
        {
            return (conditionName, true);
        }

        return header.Count == 1 && header[0] is IrAssign { Target: var target } assign && target == loop.Condition
            ? (printer.Print(C.FromIr(assign.Value)), true)
            : ("true", false);
    }
}
