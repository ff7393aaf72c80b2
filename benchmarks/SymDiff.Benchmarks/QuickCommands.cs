using System.Diagnostics;
using System.Globalization;

namespace SymDiff.Benchmarks;

/// <summary>
/// Quick comparisons outside BenchmarkDotNet: warm up (TensorPrimitives and tiered JIT are slow at first), time at
/// least 20 repetitions, print the median, and end with a <c>RESULT</c> line.
/// </summary>
internal static class QuickCommands
{
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = 0;
        switch (args[0])
        {
            case "gemm":
                Gemm(Options.Parse(args.Skip(1)));
                return true;
            case "clock":
                Clock();
                return true;
            case "peak":
                Peak.Run(Options.Parse(args.Skip(1)));
                return true;
            case "bandwidth":
                Bandwidth.Run(Options.Parse(args.Skip(1)));
                return true;
            case "nlm-step":
                NlmStep(Options.Parse(args.Skip(1)));
                return true;
            case "bptt":
                Bptt(Options.Parse(args.Skip(1)));
                return true;
            case "generator":
                GeneratorCost.Run(Options.Parse(args.Skip(1)));
                return true;
            case "allreduce":
                Allreduce.Run(Options.Parse(args.Skip(1)));
                return true;
            default:
                return false;
        }
    }

    /// <summary><c>gemm --m 512 --k 512 --n 512 --threads 1 [--ta] [--tb] [--double] [--width 256|512]</c></summary>
    private static void Gemm(Options options)
    {
        var m = options.Int("m", 512);
        var k = options.Int("k", 512);
        var n = options.Int("n", 512);
        var ta = options.Flag("ta");
        var tb = options.Flag("tb");
        Compute.Threads = options.Int("threads", 1);
        if (options.Int("width", 0) is var bits && bits != 0)
        {
            Kernels.Gemm.Width = (Kernels.SimdWidth)bits; // 256 or 512: compare the kernels on one machine
        }

        var flops = 2.0 * m * n * k;
        var random = new Random(1);
        double[] seconds;
        if (options.Flag("double"))
        {
            var a = DTensor.RandomUniform(random, -1.0, 1.0, ta ? k : m, ta ? m : k);
            var b = DTensor.RandomUniform(random, -1.0, 1.0, tb ? n : k, tb ? k : n);
            DTensor<double>? c = null;
            seconds = Measure(() => DTensor.MatMul(a, b, ta, tb, ref c), flops);
        }
        else
        {
            var a = DTensor.RandomUniform(random, -1f, 1f, ta ? k : m, ta ? m : k);
            var b = DTensor.RandomUniform(random, -1f, 1f, tb ? n : k, tb ? k : n);
            DTensor<float>? c = null;
            seconds = Measure(() => DTensor.MatMul(a, b, ta, tb, ref c), flops);
        }

        var median = Median(seconds);
        var width = (int)Kernels.Gemm.Width;
        Console.WriteLine($"gemm {m}x{k}x{n} ta={ta} tb={tb} threads={Compute.Threads} width={width} {(options.Flag("double") ? "double" : "float")}: " +
            $"median {median * 1e3:F3} ms (fastest {seconds.Min() * 1e3:F3}, slowest {seconds.Max() * 1e3:F3}) over {seconds.Length} runs");

        // The ceiling, measured now on this machine: in-register FMAs at the kernel's width and thread count
        // (FP32; a double product is compared with half of it).
        var peak = Peak.Measure(Math.Max(width, 256), Compute.Threads).Median / (options.Flag("double") ? 2 : 1);
        var gflops = flops / median / 1e9;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{gflops:F1} GFLOP/s median ({flops / seconds.Min() / 1e9:F1} fastest) = {100 * gflops / peak:F0}% of the {peak:F1} GFLOP/s peak of Vector{Math.Max(width, 256)} × {Compute.Threads} thread(s) measured just now"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT gflops={gflops:F2} peak_gflops={peak:F1} percent_of_peak={100 * gflops / peak:F1}"));
    }

    /// <summary>
    /// <c>nlm-step --vocab 10000 --context 3 --embed 64 --hidden 256 --batch 128 --optimizer adam --threads 1 [--direct]</c>:
    /// one training step of the concatenation language model (generated gradient + optimizer) on synthetic ids.
    /// <c>--phase forward</c> times only the forward pass (the [Differentiable] method itself), <c>--phase gradient</c>
    /// only the generated gradient (forward and backward, no optimizer): their difference over the first is the
    /// backward-to-forward ratio. <c>--fused [--level 1|2|3]</c> runs the hand-written step with issue 19's fusions
    /// (<see cref="HandWrittenNlm.FusedStep"/>); with <c>--verify</c>, five fused steps against five plain ones from the
    /// same start, printing the largest difference of every parameter.
    /// </summary>
    private static void NlmStep(Options options)
    {
        var vocabulary = options.Int("vocab", 10000);
        var context = options.Int("context", 3);
        var batchSize = options.Int("batch", 128);
        var direct = options.Flag("direct");
        Compute.Threads = options.Int("threads", 1);
        var shape = new NeuralLM.ModelShape(context + 1, options.Int("embed", 64), options.Int("hidden", 256), direct, vocabulary);
        var rng = new Rng(1);
        var parameters = NeuralLM.LanguageModel.CreateParameters(shape, rng);
        Optimizer<float> optimizer = options.String("optimizer", "adam") switch
        {
            "sgd" => new Sgd<float>(parameters, 0.1),
            "adafactor" => new Adafactor<float>(parameters, beta1: 0.9),
            _ => new Adam<float>(parameters, 1e-3),
        };

        var tokens = Enumerable.Range(0, 200_000).Select(_ => rng.NextInt(vocabulary)).ToArray();
        var batches = new NeuralLM.Batches(tokens, context, batchSize);
        var examples = new int[batchSize];
        var (c, h, d, u, b, w) = (parameters["C"], parameters["H"], parameters["d"], parameters["U"], parameters["b"], parameters["W"]);
        var next = 0;
        var fused = options.Flag("fused");
        var handWritten = options.Flag("hand-written") || options.Flag("profile") || fused ? new HandWrittenNlm(shape, parameters) { Profile = options.Flag("profile"), Level = options.Int("level", 3) } : null;
        var phase = options.String("phase", "step");
        var phases = new Dictionary<string, Stopwatch> { ["zero gradients"] = new(), ["optimizer"] = new() };
        void Step()
        {
            for (var i = 0; i < batchSize; i++)
            {
                examples[i] = (next++ * 7919) % batches.Count;
            }

            var (contextIds, nextIds) = batches.Gather(examples);
            if (phase == "forward")
            {
                NeuralLM.LanguageModel.Loss(c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, contextIds.Span, nextIds.Span, direct, 0f, 0UL);
                return;
            }

            if (fused)
            {
                handWritten!.FusedStep(contextIds.Span, nextIds.Span, optimizer);
                return;
            }

            phases["zero gradients"].Start();
            parameters.ZeroGradients();
            phases["zero gradients"].Stop();
            if (handWritten is not null)
            {
                handWritten.Step(contextIds.Span, nextIds.Span);
            }
            else
            {
                NeuralLM.LanguageModel.LossGradient(
                    c.Value, h.Value, d.Value, u.Value, b.Value, w.Value, contextIds.Span, nextIds.Span, direct, 0f, 0UL,
                    c.Gradient, h.Gradient, d.Gradient, u.Gradient, b.Gradient, w.Gradient);
            }

            if (phase == "gradient")
            {
                return;
            }

            phases["optimizer"].Start();
            optimizer.Step();
            phases["optimizer"].Stop();
        }

        if (options.Flag("verify"))
        {
            // The fused step against the plain one, from the same start: the parameters after 5 steps.
            var plainParameters = NeuralLM.LanguageModel.CreateParameters(shape, new Rng(1));
            var plainOptimizer = new Adam<float>(plainParameters, 1e-3);
            var plain = new HandWrittenNlm(shape, plainParameters);
            for (var s = 0; s < 5; s++)
            {
                for (var i = 0; i < batchSize; i++)
                {
                    examples[i] = (s * 7919 + i * 31) % batches.Count;
                }

                var (ids, nextWords) = batches.Gather(examples);
                plainParameters.ZeroGradients();
                var l1 = plain.Step(ids.Span, nextWords.Span);
                plainOptimizer.Step();
                var l2 = handWritten!.FusedStep(ids.Span, nextWords.Span, optimizer);
                Console.WriteLine($"verify step {s}: loss {l1} vs fused {l2}");
            }

            for (var p = 0; p < parameters.Count; p++)
            {
                var diff = 0f;
                for (var e = 0; e < parameters[p].Value.Length; e++)
                {
                    diff = MathF.Max(diff, MathF.Abs(parameters[p].Value.Span[e] - plainParameters[p].Value.Span[e]));
                }

                Console.WriteLine($"verify {parameters[p].Name}: max |fused - plain| = {diff}");
            }

            return;
        }

        var seconds = Measure(Step, 0);

        // Allocation in steady state: after tiered compilation has settled (its call-counting can allocate).
        for (var i = 0; i < 50; i++)
        {
            Step();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            Step();
        }

        var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / 50;
        var median = Median(seconds);
        if (options.Flag("profile"))
        {
            var all = handWritten!.Phases.Concat(phases).ToList();
            var total = all.Sum(p => p.Value.Elapsed.TotalMilliseconds);
            foreach (var (name, watch) in all.OrderByDescending(p => p.Value.Elapsed))
            {
                Console.WriteLine($"  {name,-26} {100 * watch.Elapsed.TotalMilliseconds / total,5:F1}%");
            }
        }

        Console.WriteLine($"nlm-step{(handWritten is null ? string.Empty : fused ? " (hand-written, fused)" : " (hand-written)")}{(phase == "step" ? string.Empty : $" --phase {phase}")} {shape} batch={batchSize} optimizer={options.String("optimizer", "adam")} threads={Compute.Threads}: " +
            $"median {median * 1e3:F3} ms per step (fastest {seconds.Min() * 1e3:F3}) over {seconds.Length} steps");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT tokens_per_s={batchSize / median:F0} steps_per_s={1 / median:F2} alloc_bytes_per_step={allocated}"));
    }

    /// <summary>
    /// <c>bptt --vocab 10000 --embed 64 --hidden 256 --batch 32 --steps 35 --threads 1 [--recompute]</c>: one gradient of
    /// the Elman network over a chunk (backpropagation through time from the loop), keeping every step's values on
    /// tapes or, with <c>--recompute</c>, recomputing them (RecomputeLoops). Prints the median time and the memory
    /// the generated method keeps in its workspace (what its first call allocates).
    /// </summary>
    private static void Bptt(Options options)
    {
        var vocabulary = options.Int("vocab", 10000);
        var batch = options.Int("batch", 32);
        var steps = options.Int("steps", 35);
        var hidden = options.Int("hidden", 256);
        var recompute = options.Flag("recompute");
        Compute.Threads = options.Int("threads", 1);
        var shape = new RecurrentLM.NetworkShape(vocabulary, options.Int("embed", 64), hidden);
        var rng = new Rng(1);
        var parameters = RecurrentLM.ElmanNetwork.CreateParameters(shape, rng);
        var inputs = Enumerable.Range(0, steps * batch).Select(_ => rng.NextInt(vocabulary)).ToArray();
        var targets = Enumerable.Range(0, steps * batch).Select(_ => rng.NextInt(vocabulary)).ToArray();
        var h0 = DTensor.Zeros<float>(batch, hidden);
        var (e, w, u, b, v, c) = (parameters["embed"], parameters["W"], parameters["U"], parameters["b"], parameters["V"], parameters["c"]);
        var hLast = DTensor.Zeros<float>(batch, hidden);
        void Gradient() => RecurrentLM.ElmanNetwork.LossGradient(
            e.Value, w.Value, u.Value, b.Value, v.Value, c.Value, h0, hLast, inputs, targets, batch, e.Gradient, w.Gradient, u.Gradient, b.Gradient, v.Gradient, c.Gradient, recompute);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Gradient();
        var workspace = GC.GetAllocatedBytesForCurrentThread() - before;
        var seconds = Measure(Gradient, 0);
        before = GC.GetAllocatedBytesForCurrentThread();
        Gradient();
        var steady = GC.GetAllocatedBytesForCurrentThread() - before;
        var median = Median(seconds);
        Console.WriteLine($"bptt {shape} batch={batch} steps={steps} {(recompute ? "recompute" : "keep")} threads={Compute.Threads}: " +
            $"median {median * 1e3:F2} ms per gradient (fastest {seconds.Min() * 1e3:F2}) over {seconds.Length} runs; workspace {workspace / 1048576.0:F1} MiB");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT ms={median * 1e3:F2} tokens_per_s={steps * batch / median:F0} workspace_mib={workspace / 1048576.0:F1} alloc_bytes_per_step={steady}"));
    }

    /// <summary>
    /// Estimates the core clock under load from a chain of dependent 64-bit multiplies (3 cycles each on Zen 2/3/4),
    /// so GFLOP/s can be compared with this machine's peak: 2 FMA pipes × 8 float lanes × 2 flops = 32 per cycle.
    /// </summary>
    private static void Clock()
    {
        const long iterations = 100_000_000;
        var seconds = Measure(() => MultiplyChain(iterations), 0);
        var gigahertz = iterations * 8 * 3 / Median(seconds) / 1e9;
        Console.WriteLine($"clock ≈ {gigahertz:F2} GHz; FP32 FMA peak per core ≈ {32 * gigahertz:F1} GFLOP/s");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT ghz={gigahertz:F2} peak_gflops={32 * gigahertz:F1}"));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static ulong MultiplyChain(long iterations)
    {
        ulong x = 3, m = (ulong)iterations | 1;
        for (long i = 0; i < iterations; i++)
        {
            x *= m;
            x *= m;
            x *= m;
            x *= m;
            x *= m;
            x *= m;
            x *= m;
            x *= m;
        }

        return x;
    }

    /// <summary>Warms up for about a second, then times runs until 20 runs and two seconds have passed.</summary>
    internal static double[] Measure(Action action, double flops)
    {
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed.TotalSeconds < 1.0)
        {
            action();
        }

        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 20 || total.Elapsed.TotalSeconds < 2.0)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return times.ToArray();
    }

    internal static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary><c>--name value</c> and <c>--flag</c> options.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var options = new Options();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{list[i]}'.");
            }

            var name = list[i][2..];
            var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
            options._values[name] = hasValue ? list[++i] : null;
        }

        return options;
    }

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var value) && value is not null ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public string String(string name, string fallback) =>
        _values.TryGetValue(name, out var value) && value is not null ? value : fallback;

    public bool Flag(string name) => _values.ContainsKey(name);
}
