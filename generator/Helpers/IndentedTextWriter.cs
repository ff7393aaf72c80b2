using System;
using System.Text;

namespace SymDiff.Generator.Helpers;

/// <summary>A minimal writer for C# source: lines, indentation, and brace blocks.</summary>
internal sealed class IndentedTextWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private int _depth;

    public void WriteLine(string line)
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < _depth; i++)
            {
                _builder.Append(IndentUnit);
            }

            _builder.Append(line);
        }

        _builder.Append('\n');
    }

    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes <c>{</c>, indents until the returned scope is disposed, then writes <c>}</c>.</summary>
    public Block WriteBlock(string? header = null)
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        _depth++;
        return new Block(this);
    }

    /// <summary>Writes what <paramref name="other"/> holds, each line indented to this writer's depth.</summary>
    public void WriteLines(IndentedTextWriter other)
    {
        var text = other.ToString();
        foreach (var line in text.Substring(0, text.Length - (text.EndsWith("\n", StringComparison.Ordinal) ? 1 : 0)).Split('\n'))
        {
            WriteLine(line);
        }
    }

    public override string ToString() => _builder.ToString();

    public readonly struct Block : IDisposable
    {
        private readonly IndentedTextWriter _writer;

        public Block(IndentedTextWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._depth--;
            _writer.WriteLine("}");
        }
    }
}
