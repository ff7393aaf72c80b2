using System.Text;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generator.Lowering;

/// <summary>One-line quotations of source code for the comments of the generated reverse sweep.</summary>
internal static class SourceText
{
    private const int MaxLength = 140;

    /// <summary>The node's tokens on one line, comments dropped, each run of whitespace turned into one space.</summary>
    public static string Of(SyntaxNode node)
    {
        var builder = new StringBuilder();
        var pendingSpace = false;
        foreach (var token in node.DescendantTokens())
        {
            if (builder.Length > 0 && (pendingSpace || token.HasLeadingTrivia))
            {
                builder.Append(' ');
            }

            builder.Append(token.Text);
            pendingSpace = token.HasTrailingTrivia;
            if (builder.Length > MaxLength)
            {
                break;
            }
        }

        var text = builder.ToString();
        return text.Length > MaxLength ? text.Substring(0, MaxLength - 3) + "..." : text;
    }
}
