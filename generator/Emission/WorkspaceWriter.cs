using System.Collections.Generic;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Emission;

/// <summary>
/// Prints a generated method's workspace: a <c>[ThreadStatic]</c> instance per thread holding the buffers (and tapes)
/// the method reuses from call to call, one field per line of <paramref name="fields"/>.
/// </summary>
internal static class WorkspaceWriter
{
    public static void Write(IndentedTextWriter writer, string className, string summary, string toolVersion, IEnumerable<string> fields)
    {
        writer.WriteLine();
        SummaryWriter.Write(writer, summary);
        writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"SymDiff\", \"" + toolVersion + "\")]");
        using (writer.WriteBlock("private sealed class " + className))
        {
            writer.WriteLine("[global::System.ThreadStatic]");
            writer.WriteLine("private static " + className + "? s_current;");
            writer.WriteLine();
            writer.WriteLine("public static " + className + " Current => s_current ??= new " + className + "();");
            writer.WriteLine();
            foreach (var field in fields)
            {
                writer.WriteLine(field);
            }
        }
    }
}
