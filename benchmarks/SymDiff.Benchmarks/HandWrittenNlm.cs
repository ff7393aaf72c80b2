using SymDiff.CompilerServices;
using System.Diagnostics;

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
