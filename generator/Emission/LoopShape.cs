using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Ir;
using SymDiff.Generator.Planning;

namespace SymDiff.Generator.Emission;

/// <summary>
/// How a loop prints in the user's own shape (<see cref="LoopLocals"/>), shared by every writer of a forward program
/// (the forward sweep of gradients and pullbacks, <c>Buffered</c>, pushforwards): its header (<c>for</c>, <c>do</c> or
/// <c>while</c>), its incrementors and compound assignments, which carried variables it starts and moves on.
/// </summary>
internal static class LoopShape
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

    /// <summary>
    /// The loop's opening line (<c>for (int i = 0; i &lt; n; i++)</c>, <c>do</c> or <c>while (test)</c>), whether its
    /// test is the whole header (<see cref="Of"/>), and for a <c>do</c> loop the test its closing <c>while</c> prints.
    /// <paramref name="locals"/> null: the lowered form.
    /// </summary>
    public static (string Header, bool Simple, string? DoTest) Header(IrLoop loop, LoopLocals? locals, CExprPrinter printer, Func<int, string> name, Func<int, string> typeOf)
    {
        var (test, simple) = Of(loop, printer, name(loop.Condition));
        if (locals?.BreakTest(loop) is { } withoutFlag)
        {
            test = printer.Print(C.FromIr(withoutFlag));
        }

        var doTest = locals?.DoWhile(loop) is { } doWhile ? printer.Print(C.FromIr(doWhile)) : null;
        if (locals?.For(loop) is { } header)
        {
            var init = header.Init is { } assign ? typeOf(assign.Target) + " " + name(assign.Target) + " = " + printer.Print(C.FromIr(assign.Value)) : string.Empty;
            var steps = header.Steps.Select(step => Assignment(step, locals, printer, name));
            return ("for (" + init + "; " + printer.Print(C.FromIr(header.Condition)) + "; " + string.Join(", ", steps) + ")", simple, doTest);
        }

        return (doTest is not null ? "do" : "while (" + test + ")", simple, doTest);
    }

    /// <summary><c>i++</c>, <c>s += t</c> or <c>s = e</c>: an assignment to a local that may read its own previous version.</summary>
    public static string Assignment(IrAssign step, LoopLocals locals, CExprPrinter printer, Func<int, string> name) => locals.Compound(step.Target, step.Value) switch
    {
        ("+=", IrConstant { Text: "1" }) => name(step.Target) + "++",
        ("-=", IrConstant { Text: "1" }) => name(step.Target) + "--",
        { } compound => name(step.Target) + " " + compound.Operator + " " + printer.Print(C.FromIr(compound.Right)),
        null => name(step.Target) + " = " + printer.Print(C.FromIr(step.Value)),
    };

    /// <summary>Whether an assignment prints nothing where it stands: it is in a <c>for</c> header, or copies a local onto itself.</summary>
    public static bool PrintsNothing(IrAssign assign, LoopLocals? locals) =>
        locals is not null && (locals.IsAbsorbed(assign.Target) || locals.IsSelfCopy(assign.Target, assign.Value));

    /// <summary>The carried variables set before the loop (not break flags, copies of a local onto itself, a counter its header declares).</summary>
    public static IEnumerable<IrCarried> Initials(IrLoop loop, LoopLocals? locals) =>
        locals is null ? loop.Carried : loop.Carried.Where(c => !locals.IsBreakFlag(c.Phi) && !locals.IsSelfCopy(c.Phi, c.Initial) && !locals.IsAbsorbed(c.Phi));

    /// <summary>The carried variables an iteration's end moves on (not those that stay, break flags, copies of a local onto itself).</summary>
    public static IEnumerable<IrCarried> Updates(IrLoop loop, LoopLocals? locals) =>
        loop.Carried.Where(c => !(c.Next is IrRef { Value: var n } && n == c.Phi) && !(locals is not null && (locals.IsBreakFlag(c.Phi) || locals.IsSelfCopy(c.Phi, c.Next))));

    /// <summary>The exit values copied from their phis after the loop (not copies of a local onto itself).</summary>
    public static IEnumerable<IrCarried> Exits(IrLoop loop, LoopLocals? locals) =>
        loop.Carried.Where(c => c.Exit >= 0 && !(locals is not null && locals.IsSelfCopy(c.Exit, new IrRef(c.Phi))));

    /// <summary>
    /// Writes the updates one statement each, or as one tuple assignment when <paramref name="hazard"/> (an update
    /// reads a variable an earlier one already changed: <c>(a, b) = (b, a)</c>) and no target is a span (which tuples cannot hold).
    /// </summary>
    public static void WriteUpdates(IndentedTextWriter writer, IReadOnlyList<(string Target, string Value)> updates, bool hazard, bool refLike)
    {
        if (hazard && !refLike)
        {
            writer.WriteLine("(" + string.Join(", ", updates.Select(u => u.Target)) + ") = (" + string.Join(", ", updates.Select(u => u.Value)) + ");");
            return;
        }

        foreach (var (target, value) in updates)
        {
            writer.WriteLine(target + " = " + value + ";");
        }
    }
}
