using System.Globalization;
using SymDiff.CompilerServices;

namespace SymDiff.Benchmarks;

/// <summary>
/// <c>bandwidth [--elements 33554432] [--threads 1]</c>: memory-bound kernels in GB/s (bytes each must read and write,
/// over the median time), beside a plain copy of the same size measured in the same run, on arrays far larger than
/// the caches. A kernel at the copy's rate is bound by memory, not by its arithmetic.
/// </summary>
internal static class Bandwidth
{
    public static void Run(Options options)
    {
        var n = options.Int("elements", 1 << 25);
        Compute.Threads = options.Int("threads", 1);
        var random = new Random(1);
        var a = DTensor.RandomUniform(random, -1f, 1f, n);
        var b = DTensor.RandomUniform(random, -1f, 1f, n);
        DTensor<float>? c = DTensor.Zeros<float>(n);
        var parameters = new ParameterSet<float>();
        var theta = parameters.Add("theta", DTensor.RandomUniform(random, -1f, 1f, n));
        theta.Gradient.Fill(0.01f);
        var adam = new Adam<float>(parameters, 1e-3);
        var classes = 10000;
        var rows = n / classes;
        var logits = DTensor.RandomUniform(random, -3f, 3f, rows, classes);
        var targets = Enumerable.Range(0, rows).Select(i => (i * 7919) % classes).ToArray();
        DTensor<float>? saved = null;
        var dlogits = DTensor.Zeros<float>(rows, classes);
        var table = DTensor.RandomUniform(random, -1f, 1f, n / 64, 64);
        var ids = Enumerable.Range(0, n / 64).Select(i => (int)((i * 2654435761L) % (n / 64))).ToArray();
        DTensor<float>? gathered = null;
        var dtable = DTensor.Zeros<float>(n / 64, 64);

        const double f = sizeof(float);
        var cases = new (string Name, double Bytes, Action Action)[]
        {
            ("copy (read x, write y)", 2 * f * n, () => a.Span.CopyTo(c!.Span)),
            ("Add (read a, b, write y)", 3 * f * n, () => DTensor.Add(a, b, ref c)),
            ("Tanh (read x, write y)", 2 * f * n, () => DTensor.Tanh(a, ref c)),
            ("Adam step (read θ, g, m, v; write θ, m, v)", 7 * f * n, adam.Step),
            ("zero a gradient (write g)", f * n, parameters.ZeroGradients),
            ("cross-entropy, saving softmax (read logits, write softmax)", 2 * f * rows * classes, () => DTensor.CrossEntropy(logits, targets, ref saved)),
            ("its pullback (read softmax, dlogits, write dlogits)", 3 * f * rows * classes, () => DTensorRules.CrossEntropyPullback(targets, saved!, 1f, dlogits)),
            ("embedding gather, 64 floats a row (read rows, write y)", 2 * f * n, () => DTensor.Embedding(table, ids, ref gathered)),
            ("embedding scatter-add (read dy, rows; write rows)", 3 * f * n, () => DTensorRules.EmbeddingPullback(ids, gathered!, dtable)),
        };

        Console.WriteLine($"bandwidth: {n:N0} floats per array ({f * n / (1 << 20):F0} MiB), threads={Compute.Threads}");
        double? copy = null;
        foreach (var (name, bytes, action) in cases)
        {
            var seconds = QuickCommands.Measure(action, 0);
            var median = QuickCommands.Median(seconds);
            var rate = bytes / median / 1e9;
            copy ??= rate;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: median {median * 1e3:F2} ms, {rate:F1} GB/s ({bytes / seconds.Min() / 1e9:F1} fastest) = {100 * rate / copy.Value:F0}% of the copy"));
        }
    }
}
