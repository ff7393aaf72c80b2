using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace SymDiff.Generator.Lowering;

/// <summary>Hands out unique, valid C# identifiers: the wanted name if free, else <c>name_1</c>, <c>name_2</c>, ...</summary>
internal sealed class NameAllocator
{
    private readonly HashSet<string> _taken = new();

    // Where the search for a free wanted_k resumes: every smaller k was taken (names are never released), so
    // resuming gives the same names as searching from 1, in linear instead of quadratic time.
    private readonly Dictionary<string, int> _nextSuffix = new();

    public NameAllocator(IEnumerable<string> reserved)
    {
        foreach (var name in reserved)
        {
            _taken.Add(Unescape(name));
        }
    }

    public bool IsTaken(string name) => _taken.Contains(Unescape(name));

    public void Reserve(string name) => _taken.Add(Unescape(name));

    /// <summary>Allocates <paramref name="wanted"/>, or <c>wanted_k</c> for the smallest free k.</summary>
    public string Allocate(string wanted)
    {
        wanted = Unescape(wanted);
        var candidate = wanted;
        if (_taken.Contains(candidate))
        {
            _nextSuffix.TryGetValue(wanted, out var k);
            do
            {
                candidate = wanted + "_" + ++k;
            }
            while (_taken.Contains(candidate));

            _nextSuffix[wanted] = k;
        }

        _taken.Add(candidate);
        return Escape(candidate);
    }

    /// <summary>Allocates <c>prefix0</c>, <c>prefix1</c>, ...: the smallest free number from <paramref name="next"/>.</summary>
    public string AllocateNumbered(string prefix, ref int next)
    {
        string candidate;
        do
        {
            candidate = prefix + next++;
        }
        while (_taken.Contains(candidate));

        _taken.Add(candidate);
        return candidate;
    }

    /// <summary>The gradient name for <paramref name="name"/>: <c>dx</c> for <c>x</c>, <c>dO</c> when <c>do</c> is a keyword.</summary>
    public string AllocateGradient(string name) => AllocateDerivative("d", name);

    /// <summary><c>{prefix}x</c> for <c>x</c> (<c>vx</c>: a tangent along v), capitalized when that is a keyword or taken.</summary>
    public string AllocateDerivative(string prefix, string name)
    {
        name = Unescape(name);
        var wanted = prefix + name;
        if (IsKeyword(wanted) || _taken.Contains(wanted))
        {
            var capitalized = prefix + char.ToUpperInvariant(name[0]) + name.Substring(1);
            if (!IsKeyword(capitalized) && !_taken.Contains(capitalized))
            {
                wanted = capitalized;
            }
        }

        return Allocate(wanted);
    }

    public static string Escape(string name) => IsKeyword(name) ? "@" + name : name;

    public static string Unescape(string name) => name.StartsWith("@", System.StringComparison.Ordinal) ? name.Substring(1) : name;

    private static bool IsKeyword(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.VarKeyword;
}
