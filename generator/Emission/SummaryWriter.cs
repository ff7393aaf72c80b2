using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Emission;

internal static class SummaryWriter
{
    /// <summary>Writes an XML doc summary, wrapped at word boundaries.</summary>
    public static void Write(IndentedTextWriter writer, string text)
    {
        writer.WriteLine("/// <summary>");
        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + word.Length > 100)
            {
                writer.WriteLine("/// " + line);
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        writer.WriteLine("/// " + line);
        writer.WriteLine("/// </summary>");
    }
}
