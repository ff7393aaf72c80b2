using BenchmarkDotNet.Attributes;

namespace SymDiff.Benchmarks;

/// <summary>
/// The textbook tanh network differentiated three ways: SymDiff's generated gradient of the sample's
/// <see cref="TanhNetwork.TanhNet.Loss"/>, the gradient derived by hand (below), and a runtime tape.
/// </summary>
public static class TanhByHand
{
    /// <summary>The same gradient derived by hand, as a careful programmer would write it.</summary>
    public static double HandGradient(double w1, double w2, double x, double y, out double dw1, out double dw2)
    {
        var h = Math.Tanh(w1 * x);
        var o = Math.Tanh(w2 * h);
        var error = y - o;
        var delta = -error * (1 - (o * o));
        dw2 = delta * h;
        dw1 = delta * w2 * (1 - (h * h)) * x;
        return 0.5 * error * error;
    }
}

/// <summary>
/// A minimal reverse-mode tape (micrograd-style): every operation allocates a node that records its inputs and
/// local derivatives; backward walks the tape in reverse. The usual runtime alternative to SymDiff.
/// </summary>
public sealed class Tape
{
    private readonly List<Node> _nodes = new();

    public Node Value(double value) => Add(new Node(value));

    public Node Multiply(Node a, Node b) => Add(new Node(a.Data * b.Data, (a, b.Data), (b, a.Data)));

    public Node Subtract(Node a, Node b) => Add(new Node(a.Data - b.Data, (a, 1.0), (b, -1.0)));

    public Node Scale(Node a, double s) => Add(new Node(a.Data * s, (a, s)));

    public Node Tanh(Node a)
    {
        var t = Math.Tanh(a.Data);
        return Add(new Node(t, (a, 1 - (t * t))));
    }

    public void Backward(Node output)
    {
        output.Gradient = 1;
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            var node = _nodes[i];
            foreach (var (input, local) in node.Inputs)
            {
                input.Gradient += local * node.Gradient;
            }
        }
    }

    private Node Add(Node node)
    {
        _nodes.Add(node);
        return node;
    }

    public sealed class Node(double data, params (Node Input, double Local)[] inputs)
    {
        public double Data { get; } = data;

        public double Gradient { get; set; }

        public (Node Input, double Local)[] Inputs { get; } = inputs;
    }
}

/// <summary>One gradient of the tanh network's loss, three ways (BenchmarkDotNet).</summary>
[MemoryDiagnoser]
public class TanhNetworkBenchmarks
{
    private double _w1 = 0.5, _w2 = -0.3, _x = 1.0, _y = 0.2;

    [Benchmark(Baseline = true)]
    public double HandWritten()
    {
        var loss = TanhByHand.HandGradient(_w1, _w2, _x, _y, out var dw1, out var dw2);
        return loss + dw1 + dw2;
    }

    [Benchmark]
    public double Generated()
    {
        var loss = TanhNetwork.TanhNet.LossGradient(_w1, _w2, _x, _y, out var dw1, out var dw2);
        return loss + dw1 + dw2;
    }

    /// <summary>The forward pass alone (the [Differentiable] method itself): the denominator of backward/forward.</summary>
    [Benchmark]
    public double ForwardOnly() => TanhNetwork.TanhNet.Loss(_w1, _w2, _x, _y);

    [Benchmark]
    public double RuntimeTape()
    {
        var tape = new Tape();
        var w1 = tape.Value(_w1);
        var w2 = tape.Value(_w2);
        var h = tape.Tanh(tape.Multiply(w1, tape.Value(_x)));
        var o = tape.Tanh(tape.Multiply(w2, h));
        var error = tape.Subtract(tape.Value(_y), o);
        var loss = tape.Scale(tape.Multiply(error, error), 0.5);
        tape.Backward(loss);
        return loss.Data + w1.Gradient + w2.Gradient;
    }
}
