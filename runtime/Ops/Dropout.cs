using System.Numerics;
using System.Runtime.CompilerServices;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>
        /// Inverted dropout: y = x ⊙ m / (1 − rate) with mᵢ ~ Bernoulli(1 − rate) drawn from a counter-based hash of
        /// (<paramref name="seed"/>, i). The mask is a pure function of the seed, so the rule recomputes it instead of
        /// storing it, and a run resumed from a checkpoint drops exactly the same units. Rate 0 is the identity.
        /// </summary>
        public static DTensor<T> Dropout<T>(DTensor<T> x, T rate, ulong seed)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return Dropout(x, rate, seed, ref y);
        }

        /// <summary>Destination-passing form of <see cref="Dropout{T}(DTensor{T}, T, ulong)"/>.</summary>
        public static DTensor<T> Dropout<T>(DTensor<T> x, T rate, ulong seed, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            if (rate < T.Zero || rate >= T.One)
            {
                throw new ArgumentOutOfRangeException(nameof(rate), $"Dropout: the rate must be in [0, 1), not {rate}.");
            }

            var y = Buffers.Ensure(ref destination, x.Shape);
            ApplyDropoutMask(x.Span, rate, seed, y.Span, accumulate: false);
            return y;
        }

        /// <summary>output (+)= input ⊙ m / (1 − rate).</summary>
        internal static void ApplyDropoutMask<T>(ReadOnlySpan<T> input, T rate, ulong seed, Span<T> output, bool accumulate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (rate == T.Zero)
            {
                if (accumulate)
                {
                    TensorPrimitives.Add<T>(output, input, output);
                }
                else
                {
                    input.CopyTo(output);
                }

                return;
            }

            var keep = 1.0 - double.CreateChecked(rate);
            var threshold = (ulong)(keep * ulong.MaxValue);
            var scale = T.One / (T.One - rate);
            for (var i = 0; i < input.Length; i++)
            {
                var kept = Mix(seed, (ulong)i) < threshold;
                var value = kept ? input[i] * scale : T.Zero;
                output[i] = accumulate ? output[i] + value : value;
            }
        }

        /// <summary>A counter-based hash (SplitMix64's finalizer over seed and index): the i-th random draw of a seed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static ulong Mix(ulong seed, ulong index)
        {
            var z = seed + ((index + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>
        /// y = x ⊙ m / (1 − rate): ∂L/∂x = dy ⊙ m / (1 − rate), with the same mask recomputed from the seed; the rate is
        /// a hyper-parameter, not trained: its gradient is left unchanged.
        /// </summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.Dropout))]
        public static void DropoutPullback<T>(T rate, ulong seed, DTensor<T> dResult, [SameShapeAs(nameof(dResult))] DTensor<T>? dx, ref T drate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(DropoutPullback), dx, dResult);
            if (dx is not null)
            {
                ApplyDropoutMask(dResult.Span, rate, seed, dx.Span, accumulate: true);
            }
        }

        /// <summary>y = x ⊙ m / (1 − rate): ẏ = ẋ ⊙ m / (1 − rate), the mask recomputed from the seed; drate is ignored (a hyper-parameter, as in the pullback).</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.Dropout))]
        public static void DropoutPushforward<T>(T rate, ulong seed, DTensor<T>? dx, T drate, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ElementwiseTangent(nameof(DropoutPushforward), dResult, dx, dResult))
            {
                ApplyDropoutMask(dx.Span, rate, seed, dResult.Span, accumulate: false);
            }
        }

        /// <summary>
        /// dx += dy ⊙ m / (1 − rate) is linear in dy with coefficients that do not move (the mask comes from the seed; the
        /// rate is a hyper-parameter, its tangent ignored as in the pushforward): its tangent is itself along vdResult. A
        /// rule all the same, since the pullback reads the rate, which the generator cannot tell from a trained scalar.
        /// </summary>
        [PullbackTangentOf(typeof(DTensor), nameof(DTensor.Dropout))]
        public static void DropoutPullbackTangent<T>(T rate, ulong seed, DTensor<T> vdResult, DTensor<T>? vdx, ref T vdrate)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(DropoutPullbackTangent), vdx, vdResult);
            DropoutPullback(rate, seed, vdResult, vdx, ref vdrate);
        }
    }
}
