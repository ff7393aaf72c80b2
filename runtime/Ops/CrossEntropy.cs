using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// The mean cross-entropy of integer targets under softmax(logits): y = (1/n) Σᵢ (log Σⱼ e^(x[i, j]) − x[i, tᵢ]) for
        /// n rows of logits x, computed with a fused, max-shifted log-sum-exp.
        /// </summary>
        public static T CrossEntropy<T>(DTensor<T> logits, ReadOnlySpan<int> targets)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var classes = CrossEntropyClasses(nameof(CrossEntropy), logits, targets);
            if (targets.Length == 0)
            {
                return T.Zero;
            }

            var scratch = Scratch<T>.Get(classes);
            var total = T.Zero;
            for (var i = 0; i < targets.Length; i++)
            {
                var row = logits.Span.Slice(i * classes, classes);
                total += LogSumExp<T>(row, scratch) - row[targets[i]];
            }

            return total / T.CreateChecked(targets.Length);
        }

        /// <summary>
        /// The mean cross-entropy that also saves softmax(logits) into <paramref name="saved"/> (reused when it has the
        /// right shape), for the pullback that reads it: the reverse sweep then needs no exponentials, and keeps neither the
        /// logits nor the loss.
        /// </summary>
        public static T CrossEntropy<T>(DTensor<T> logits, ReadOnlySpan<int> targets, ref DTensor<T>? saved)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var classes = CrossEntropyClasses(nameof(CrossEntropy), logits, targets);
            var probabilities = Buffers.Ensure(ref saved, logits.Shape);
            if (targets.Length == 0)
            {
                return T.Zero;
            }

            // Rows are independent: split between the threads, each row's loss kept apart and summed in row order
            // after, so the result is the same on any number of threads.
            var rows = Kernels.PerThread<CrossEntropyRows<T>>.Current;
            rows.Prepare(logits, probabilities, targets, classes);
            Kernels.Parallelism.For(targets.Length, rows, Math.Max(1, (1 << 16) / Math.Max(1, classes)));
            var total = T.Zero;
            for (var i = 0; i < targets.Length; i++)
            {
                total += rows.Losses[i];
            }

            rows.Release();
            return total / T.CreateChecked(targets.Length);
        }

        /// <summary>The rows of a saved-softmax cross-entropy, as work for <see cref="Kernels.Parallelism.For"/> (reused per thread).</summary>
        private sealed class CrossEntropyRows<T> : Kernels.RangeWork
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            private DTensor<T>? _logits;
            private DTensor<T>? _probabilities;
            private int[] _targets = Array.Empty<int>();
            private int _classes;

            public T[] Losses { get; private set; } = Array.Empty<T>();

            public void Prepare(DTensor<T> logits, DTensor<T> probabilities, ReadOnlySpan<int> targets, int classes)
            {
                if (_targets.Length < targets.Length)
                {
                    _targets = new int[targets.Length];
                    Losses = new T[targets.Length];
                }

                targets.CopyTo(_targets);
                (_logits, _probabilities, _classes) = (logits, probabilities, classes);
            }

            public void Release() => (_logits, _probabilities) = (null, null);

            public override void Execute(int start, int end)
            {
                for (var i = start; i < end; i++)
                {
                    var row = _logits!.Span.Slice(i * _classes, _classes);
                    var output = _probabilities!.Span.Slice(i * _classes, _classes);
                    var max = TensorPrimitives.Max<T>(row);
                    var sum = Kernels.ExpKernel.ShiftedExpSum(row, max, output);
                    Losses[i] = max + T.Log(sum) - row[_targets[i]];
                    TensorPrimitives.Multiply<T>(output, T.One / sum, output); // one division per row, as Softmax
                }
            }
        }

        internal static int CrossEntropyClasses<T>(string op, DTensor<T> logits, ReadOnlySpan<int> targets)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(logits);
            Check.Rank(op, logits, 2, "the logits");
            if (logits.Dimension(0) != targets.Length)
            {
                throw new ArgumentException($"{op}: logits {logits.ShapeText} have {logits.Dimension(0)} rows but there are {targets.Length} targets.");
            }

            var classes = logits.Dimension(1);
            foreach (var target in targets)
            {
                if ((uint)target >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException(nameof(targets), $"{op}: target {target} is not a class of logits {logits.ShapeText}.");
                }
            }

            return classes;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// Mean cross-entropy with the saved softmax p: ∂L/∂x[i, :] = dy · (p[i, :] − onehot(tᵢ)) / n. Reads neither the
        /// logits nor the result, so generated code keeps only the softmax.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.CrossEntropy))]
        public static void CrossEntropyPullback<T>(ReadOnlySpan<int> targets, DTensor<T> saved, T dResult, [SameShapeAs(nameof(saved))] DTensor<T>? dlogits)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(saved);
            var classes = CrossEntropyClasses(nameof(CrossEntropyPullback), saved, targets);
            Check.Gradient(nameof(CrossEntropyPullback), dlogits, saved);
            if (dlogits is null || targets.Length == 0)
            {
                return;
            }

            var scale = dResult / T.CreateChecked(targets.Length);
            var accumulate = Kernels.PerThread<ScaledAccumulation<T>>.Current;
            (accumulate.Source, accumulate.Target, accumulate.Scale) = (saved, dlogits, scale);
            Kernels.Parallelism.For(saved.Length, accumulate); // dlogits += scale · softmax, elementwise: any split gives the same
            (accumulate.Source, accumulate.Target) = (null, null);
            for (var i = 0; i < targets.Length; i++)
            {
                dlogits.Span[(i * classes) + targets[i]] -= scale;
            }
        }

        /// <summary>Mean cross-entropy with the saved softmax p: ẏ = (1/n) Σᵢ ⟨p[i, :] − onehot(tᵢ), ẋ[i, :]⟩.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.CrossEntropy))]
        public static T CrossEntropyPushforward<T>(ReadOnlySpan<int> targets, DTensor<T> saved, DTensor<T>? dlogits)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            return CrossEntropyTangent(saved, isSoftmax: true, targets, dlogits);
        }

        /// <summary>
        /// Mean cross-entropy: ∂L/∂x[i, :] = dy · (softmax(x[i, :]) − onehot(tᵢ)) / n. The softmax is recomputed from the
        /// logits, since the forward result is a single number.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.CrossEntropy))]
        public static void CrossEntropyPullback<T>(DTensor<T> logits, ReadOnlySpan<int> targets, T dResult, DTensor<T>? dlogits)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var classes = CrossEntropyClasses(nameof(CrossEntropyPullback), logits, targets);
            Check.Gradient(nameof(CrossEntropyPullback), dlogits, logits);
            if (dlogits is null || targets.Length == 0)
            {
                return;
            }

            var scale = dResult / T.CreateChecked(targets.Length);
            var probabilities = Scratch<T>.Get(classes);
            for (var i = 0; i < targets.Length; i++)
            {
                var output = dlogits.Span.Slice(i * classes, classes);
                SoftmaxRow<T>(logits.Span.Slice(i * classes, classes), probabilities);
                TensorPrimitives.FusedMultiplyAdd<T>(probabilities, scale, output, output);
                output[targets[i]] -= scale;
            }
        }

        /// <summary>Mean cross-entropy: ẏ = (1/n) Σᵢ ⟨softmax(x[i, :]) − onehot(tᵢ), ẋ[i, :]⟩, the softmax recomputed row by row.</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.CrossEntropy))]
        public static T CrossEntropyPushforward<T>(DTensor<T> logits, ReadOnlySpan<int> targets, DTensor<T>? dlogits)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            return CrossEntropyTangent(logits, isSoftmax: false, targets, dlogits);
        }

        /// <summary>
        /// (1/n) Σᵢ ⟨pᵢ − onehot(tᵢ), ẋᵢ⟩ with p the rows of <paramref name="values"/>, or their softmax (one row at a
        /// time) when they are the logits.
        /// </summary>
        private static T CrossEntropyTangent<T>(DTensor<T> values, bool isSoftmax, ReadOnlySpan<int> targets, DTensor<T>? dlogits)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var classes = CrossEntropyClasses(nameof(CrossEntropyPushforward), values, targets);
            Check.Tangent(nameof(CrossEntropyPushforward), dlogits, values);
            if (dlogits is null || targets.Length == 0)
            {
                return T.Zero;
            }

            var probabilities = Scratch<T>.Get(classes);
            var slope = T.Zero;
            for (var i = 0; i < targets.Length; i++)
            {
                ReadOnlySpan<T> row = values.Span.Slice(i * classes, classes);
                if (!isSoftmax)
                {
                    SoftmaxRow(row, probabilities);
                    row = probabilities;
                }

                var tangent = dlogits.Span.Slice(i * classes, classes);
                slope += TensorPrimitives.Dot<T>(row, tangent) - tangent[targets[i]];
            }

            return slope / T.CreateChecked(targets.Length);
        }

        /// <summary>target += scale · source over a range, as work for <see cref="Kernels.Parallelism.For"/> (reused per thread).</summary>
        private sealed class ScaledAccumulation<T> : Kernels.RangeWork
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            public DTensor<T>? Source;
            public DTensor<T>? Target;
            public T Scale;

            public override void Execute(int start, int end)
            {
                var target = Target!.Span[start..end];
                TensorPrimitives.FusedMultiplyAdd<T>(Source!.Span[start..end], Scale, target, target);
            }
        }

        /// <summary>
        /// dlogits += dResult·(p − onehot)/n with the saved softmax p: its tangent is vdResult·(p − onehot)/n + dResult·ṗ/n,
        /// ṗ = p ⊙ (ẋ − ⟨p, ẋ⟩) per row.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.CrossEntropy))]
        public static void CrossEntropyPullbackTangent<T>(ReadOnlySpan<int> targets, DTensor<T> saved, T dResult, DTensor<T>? vlogits, T vdResult, DTensor<T>? vdlogits)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(saved);
            var classes = CrossEntropyClasses(nameof(CrossEntropyPullbackTangent), saved, targets);
            Check.Tangent(nameof(CrossEntropyPullbackTangent), vlogits, saved);
            Check.Gradient(nameof(CrossEntropyPullbackTangent), vdlogits, saved);
            if (vdlogits is null || targets.Length == 0)
            {
                return;
            }

            CrossEntropyPullback(targets, saved, vdResult, vdlogits);
            if (vlogits is null)
            {
                return;
            }

            var scale = dResult / T.CreateChecked(targets.Length);
            var moved = Scratch<T>.Get(classes);
            for (var row = 0; row < saved.Length; row += classes)
            {
                var output = vdlogits.Span.Slice(row, classes);
                SoftmaxRowPushforward<T>(saved.Span.Slice(row, classes), vlogits.Span.Slice(row, classes), moved);
                TensorPrimitives.FusedMultiplyAdd<T>(moved, scale, output, output);
            }
        }
    }
}
