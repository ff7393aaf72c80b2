using SymDiff.CompilerServices;
using System.Diagnostics;
using System.Numerics.Tensors;

namespace SymDiff.Benchmarks;

/// <summary>
/// The concatenation language model's training step written by hand with the same kernels the generated code
/// calls (what a careful person would write without SymDiff), to measure what the generator costs. With
/// <c>profile</c> it also reports where the time goes.
/// </summary>
internal sealed class HandWrittenNlm
{
    private readonly NeuralLM.ModelShape _shape;
    private readonly ParameterSet<float> _parameters;
    private readonly Dictionary<string, Stopwatch> _phases = new();
    private DTensor<float>? _rows, _x, _pre, _preBias, _hidden, _logits, _logitsBias, _direct, _sum, _probabilities;
    private DTensor<float>? _dLogits, _dHidden, _dPre, _dX, _dRows;

    public HandWrittenNlm(NeuralLM.ModelShape shape, ParameterSet<float> parameters)
    {
        _shape = shape;
        _parameters = parameters;
    }

    public bool Profile { get; set; }

    public IReadOnlyDictionary<string, Stopwatch> Phases => _phases;

    public float Step(ReadOnlySpan<int> context, ReadOnlySpan<int> next)
    {
        var (c, h, d, u, b, w) = (_parameters["C"], _parameters["H"], _parameters["d"], _parameters["U"], _parameters["b"], _parameters["W"]);
        var batch = next.Length;

        Begin("forward: embedding");
        var rows = DTensor.Embedding(c.Value, context, ref _rows);
        var x = DTensor.Reshape(rows, batch, -1, ref _x);
        Begin("forward: hidden layer");
        var pre = DTensor.MatMul(x, h.Value, false, false, ref _pre);
        var preBias = DTensor.AddRowBias(pre, d.Value, ref _preBias);
        var hidden = DTensor.Tanh(preBias, ref _hidden);
        Begin("forward: output GEMM");
        var logits = DTensor.MatMul(hidden, u.Value, false, false, ref _logits);
        var logitsBias = DTensor.AddRowBias(logits, b.Value, ref _logitsBias);
        var output = logitsBias;
        if (_shape.Direct)
        {
            output = DTensor.Add(logitsBias, DTensor.MatMul(x, w.Value, false, false, ref _direct), ref _sum);
        }

        Begin("forward: cross-entropy");
        var loss = DTensor.CrossEntropy(output, next, ref _probabilities);

        // Backward. A hand-written step knows that bias adds and sums pass their gradient through unchanged, so it
        // reuses dLogits for them instead of copying.
        Begin("backward: cross-entropy");
        var dLogits = Buffers.EnsureZeroed(ref _dLogits, output);
        DTensorRules.CrossEntropyPullback(next, _probabilities!, 1f, dLogits);
        var dX = Buffers.EnsureZeroed(ref _dX, x);
        Begin("backward: output GEMMs");
        if (_shape.Direct)
        {
            DTensorRules.MatMulPullback(x, w.Value, false, false, dLogits, dX, w.Gradient);
        }

        DTensorRules.AddRowBiasPullback(dLogits, null, b.Gradient);
        var dHidden = Buffers.EnsureZeroed(ref _dHidden, hidden);
        DTensorRules.MatMulPullback(hidden, u.Value, false, false, dLogits, dHidden, u.Gradient);
        Begin("backward: hidden layer");
        var dPre = Buffers.EnsureZeroed(ref _dPre, preBias);
        DTensorRules.TanhPullback(hidden, dHidden, dPre);
        DTensorRules.AddRowBiasPullback(dPre, null, d.Gradient);
        DTensorRules.MatMulPullback(x, h.Value, false, false, dPre, dX, h.Gradient);
        Begin("backward: embedding");
        var dRows = Buffers.EnsureZeroed(ref _dRows, rows);
        DTensorRules.ReshapePullback(dX, dRows);
        DTensorRules.EmbeddingPullback(context, dRows, c.Gradient);
        End();
        return loss;
    }

    /// <summary>
    /// The whole training step (gradients and optimizer) with the fusions issue 19 names, to measure what each pays
    /// before the generator makes them (docs/benchmarks.md): <see cref="Level"/> 1 writes the bias add and the softmax
    /// over the logits in place and the cross-entropy's pullback over that softmax, summing the bias gradient in the
    /// same pass; 2 also writes the backward sweep's products into the gradients instead of adding them to zeroed ones;
    /// 3 also updates each parameter as soon as its gradient is final. Every level gives the plain step's bits.
    /// </summary>
    public float FusedStep(ReadOnlySpan<int> context, ReadOnlySpan<int> next, Optimizer<float> optimizer)
    {
        if (Level < 2)
        {
            _parameters.ZeroGradients();
        }

        var (c, h, d, u, b) = (_parameters["C"], _parameters["H"], _parameters["d"], _parameters["U"], _parameters["b"]);
        var batch = next.Length;

        Begin("forward: embedding");
        var rows = DTensor.Embedding(c.Value, context, ref _rows);
        var x = DTensor.Reshape(rows, batch, -1, ref _x);
        Begin("forward: hidden layer");
        var pre = DTensor.MatMul(x, h.Value, false, false, ref _pre);
        DTensor.AddRowBias(pre, d.Value, ref _pre);
        var hidden = DTensor.Tanh(pre, ref _hidden);
        Begin("forward: output GEMM");
        var logits = DTensor.MatMul(hidden, u.Value, false, false, ref _logits);
        Begin("forward: cross-entropy");
        var loss = _crossEntropy.Forward(logits, b.Value, next);

        if (Level >= 3)
        {
            optimizer.BeginStep();
        }

        Begin("backward: cross-entropy");
        _crossEntropy.Backward(logits, next, 1f / batch, b.Gradient); // logits now hold dlogits; db written
        Update(optimizer, "b");
        Begin("backward: output GEMMs");
        var dHidden = Buffers.Ensure(ref _dHidden, hidden.Shape);
        DTensor.Product(logits, u.Value, false, true, dHidden, accumulate: false); // reads U before its update
        DTensor.Product(hidden, logits, true, false, u.Gradient, accumulate: Level < 2);
        Update(optimizer, "U");
        Begin("backward: hidden layer");
        var dPre = Buffers.EnsureZeroed(ref _dPre, pre);
        DTensorRules.TanhPullback(hidden, dHidden, dPre);
        if (Level >= 2)
        {
            d.Gradient.Span.Clear();
        }

        DTensorRules.AddRowBiasPullback(dPre, null, d.Gradient);
        Update(optimizer, "d");
        var dX = Buffers.Ensure(ref _dX, x.Shape);
        DTensor.Product(dPre, h.Value, false, true, dX, accumulate: false);
        DTensor.Product(x, dPre, true, false, h.Gradient, accumulate: Level < 2);
        Update(optimizer, "H");
        Begin("backward: embedding");
        if (Level >= 2)
        {
            Kernels.Split.Clear(c.Gradient);
        }

        DTensorRules.EmbeddingPullback(context, DTensor.Reshape(dX, context.Length, -1, ref _dRows), c.Gradient);
        Update(optimizer, "C");
        Update(optimizer, "W");
        if (Level < 3)
        {
            optimizer.Step();
        }

        End();
        return loss;
    }

    private readonly FusedCrossEntropy _crossEntropy = new();

    /// <summary>1: the cross-entropy fusions only; 2: also gradients written, not zeroed and added; 3: also the optimizer per parameter.</summary>
    public int Level { get; set; } = 3;

    private void Update(Optimizer<float> optimizer, string name)
    {
        if (Level < 3)
        {
            return;
        }

        for (var i = 0; i < _parameters.Count; i++)
        {
            if (_parameters[i].Name == name)
            {
                optimizer.UpdateOne(i);
                return;
            }
        }
    }

    /// <summary>Softmax cross-entropy over the logits in place: forward by rows, backward by columns (db sums in order).</summary>
    private sealed class FusedCrossEntropy : Kernels.RangeWork
    {
        private DTensor<float>? _logits, _bias, _db;
        private int[] _targets = [];
        private float[] _losses = [];
        private float _scale;
        private bool _backward;
        private int _rows, _classes;

        public float Forward(DTensor<float> logits, DTensor<float> bias, ReadOnlySpan<int> targets)
        {
            Prepare(logits, targets);
            (_bias, _backward) = (bias, false);
            Kernels.Parallelism.For(_rows, this, Math.Max(1, (1 << 16) / _classes));
            var total = 0f;
            for (var i = 0; i < _rows; i++)
            {
                total += _losses[i];
            }

            return total / _rows;
        }

        public void Backward(DTensor<float> softmax, ReadOnlySpan<int> targets, float scale, DTensor<float> db)
        {
            Prepare(softmax, targets);
            (_db, _scale, _backward) = (db, scale, true);
            Kernels.Parallelism.For(_classes, this, Math.Max(1, (1 << 16) / _rows));
        }

        private void Prepare(DTensor<float> logits, ReadOnlySpan<int> targets)
        {
            if (_targets.Length < targets.Length)
            {
                (_targets, _losses) = (new int[targets.Length], new float[targets.Length]);
            }

            targets.CopyTo(_targets);
            (_logits, _rows, _classes) = (logits, targets.Length, logits.Dimension(1));
        }

        public override void Execute(int start, int end)
        {
            var all = _logits!.Span;
            if (!_backward)
            {
                for (var i = start; i < end; i++)
                {
                    var row = all.Slice(i * _classes, _classes);
                    TensorPrimitives.Add(row, _bias!.Span, row);
                    var max = TensorPrimitives.Max(row);
                    var target = row[_targets[i]];
                    var sum = Kernels.ExpKernel.ShiftedExpSum<float>(row, max, row);
                    _losses[i] = max + MathF.Log(sum) - target;
                    TensorPrimitives.Multiply(row, 1f / sum, row);
                }

                return;
            }

            var sums = _db!.Span[start..end];
            sums.Clear();
            for (var i = 0; i < _rows; i++)
            {
                var part = all.Slice((i * _classes) + start, end - start);
                TensorPrimitives.Multiply(part, _scale, part);
                var target = _targets[i] - start;
                if ((uint)target < (uint)part.Length)
                {
                    part[target] -= _scale;
                }

                TensorPrimitives.Add(sums, part, sums);
            }
        }
    }

    private string? _current;

    public void Begin(string phase)
    {
        if (!Profile)
        {
            return;
        }

        End();
        if (!_phases.TryGetValue(phase, out var watch))
        {
            _phases[phase] = watch = new Stopwatch();
        }

        watch.Start();
        _current = phase;
    }

    public void End()
    {
        if (Profile && _current is not null)
        {
            _phases[_current].Stop();
            _current = null;
        }
    }
}
