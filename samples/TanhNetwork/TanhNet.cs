using SymDiff;

namespace TanhNetwork;

/// <summary>The textbook network: h = tanh(w1·x), o = tanh(w2·h), L = ½(y − o)².</summary>
public static partial class TanhNet
{
    [Differentiable]
    public static double Loss(double w1, double w2, [NoDiff] double x, [NoDiff] double y)
    {
        var h = Math.Tanh(w1 * x);
        var o = Math.Tanh(w2 * h);
        return 0.5 * (y - o) * (y - o);
    }
}
