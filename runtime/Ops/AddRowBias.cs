using System.Numerics;
using SymDiff.CompilerServices;
using static SymDiff.DTensor;

namespace SymDiff
{
    public static partial class DTensor
    {
        /// <summary>y[i, j] = x[i, j] + b[j]: a bias vector added to every row (x's last dimension is b's length).</summary>
        public static DTensor<T> AddRowBias<T>(DTensor<T> x, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            DTensor<T>? y = null;
            return AddRowBias(x, b, ref y);
        }

        /// <summary>Destination-passing form of <see cref="AddRowBias{T}(DTensor{T}, DTensor{T})"/>.</summary>
        public static DTensor<T> AddRowBias<T>(DTensor<T> x, DTensor<T> b, ref DTensor<T>? destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var columns = RowBiasColumns(nameof(AddRowBias), x, b);
            var y = Buffers.Ensure(ref destination, x.Shape);
            Kernels.Split.AddRowBias(x, b, y, columns); // rows split between the threads (the logits: |V| wide)
            return y;
        }

        internal static int RowBiasColumns<T>(string op, DTensor<T> x, DTensor<T> b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(b);
            Check.AtLeastRank(op, x, 1, "x");
            if (b.Rank != 1 || b.Length != x.Dimension(-1))
            {
                throw new ArgumentException($"{op}: the bias {b.ShapeText} must be a vector as long as the last dimension of {x.ShapeText}.");
            }

            return b.Length;
        }
    }
}

namespace SymDiff.CompilerServices
{
    public static partial class DTensorRules
    {
        /// <summary>y = x + b per row: ∂L/∂x = dy, ∂L/∂b = Σ over rows of dy.</summary>
        [PullbackOf(typeof(DTensor), nameof(DTensor.AddRowBias))]
        public static void AddRowBiasPullback<T>(DTensor<T> dResult, [PassThrough, SameShapeAs(nameof(dResult))] DTensor<T>? dx, DTensor<T>? db)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Gradient(nameof(AddRowBiasPullback), dx, dResult);
            if (db is not null)
            {
                RowBiasColumns(nameof(AddRowBiasPullback), dResult, db);
            }

            Accumulate(nameof(AddRowBiasPullback), dx, dResult);
            if (db is not null)
            {
                Kernels.Split.AddColumnSums(dResult, db); // columns split between the threads, rows summed in order
            }
        }

        /// <summary>y = x + b per row: ẏ[i, j] = ẋ[i, j] + ḃ[j].</summary>
        [PushforwardOf(typeof(DTensor), nameof(DTensor.AddRowBias))]
        public static void AddRowBiasPushforward<T>(DTensor<T>? dx, DTensor<T>? db, DTensor<T> dResult)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(dResult);
            Check.AtLeastRank(nameof(AddRowBiasPushforward), dResult, 1, "dResult");
            Check.Tangent(nameof(AddRowBiasPushforward), dx, dResult);
            Check.Tangent(nameof(AddRowBiasPushforward), db, dResult.Shape[^1..]);
            if (BothZero(dx, db, dResult))
            {
                return;
            }

            if (db is null)
            {
                dx!.Span.CopyTo(dResult.Span);
            }
            else if (dx is not null)
            {
                Kernels.Split.AddRowBias(dx, db, dResult, db.Length);
            }
            else
            {
                for (var row = 0; row < dResult.Length; row += db.Length)
                {
                    db.Span.CopyTo(dResult.Span.Slice(row, db.Length));
                }
            }
        }
    }
}
