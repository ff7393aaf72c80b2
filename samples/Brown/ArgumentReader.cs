using System.Globalization;

namespace Brown;

/// <summary>
/// Reads <c>--name [value]</c> command lines for the samples: each typed read checks its value and throws an
/// <see cref="OptionException"/> naming the option and the bad value.
/// </summary>
public sealed class ArgumentReader(string[] args)
{
    private int _next;

    /// <summary>The option being read.</summary>
    public string Name { get; private set; } = string.Empty;

    /// <summary>Moves to the next option; false at the end.</summary>
    public bool Next()
    {
        if (_next >= args.Length)
        {
            return false;
        }

        Name = args[_next++];
        return true;
    }

    /// <summary>The option's value: the next argument, unless it is another option.</summary>
    public string Value() => _next < args.Length && !args[_next].StartsWith("--", StringComparison.Ordinal)
        ? args[_next++]
        : throw new OptionException($"{Name} needs a value");

    public int Int(int min) =>
        int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw Bad($"a whole number of at least {min}");

    /// <summary>A finite number ≥ 0.</summary>
    public double NonNegative() => Number(out var value) && value >= 0 ? value : throw Bad("a non-negative number");

    /// <summary>A finite number > 0.</summary>
    public double Positive() => Number(out var value) && value > 0 ? value : throw Bad("a positive number");

    /// <summary>A rate in [0, 1).</summary>
    public double Rate() => Number(out var value) && value is >= 0 and < 1 ? value : throw Bad("a rate in [0, 1)");

    /// <summary>A factor in (0, 1].</summary>
    public double Factor() => Number(out var value) && value is > 0 and <= 1 ? value : throw Bad("a factor in (0, 1]");

    public string OneOf(params string[] choices) =>
        Value() is var value && choices.Contains(value)
            ? value
            : throw new OptionException($"{Name} must be one of {string.Join(", ", choices)}, not '{args[_next - 1]}'");

    /// <summary>The error for an option no sample knows.</summary>
    public OptionException Unknown() => new($"unknown option '{Name}' (--help lists them)");

    private bool Number(out double value) =>
        double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private OptionException Bad(string what) => new($"{Name} needs {what}, not '{args[_next - 1]}'");
}
