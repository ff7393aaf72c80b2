namespace SymDiff.Tests.Loops;

/// <summary>
/// Loops that carry tensors through nested loops, and loops whose carried tensor changes shape from one iteration to
/// the next (issue 17): checked against finite differences in <see cref="TensorLoopTests"/>, keeping and recomputing.
/// </summary>
public static partial class TensorLoopModels
{
    /// <summary>The example: a tensor carried through two nested loops, the initial state a constant.</summary>
    [Differentiable]
    public static double Nested(DTensor<double> w, [NoDiff] DTensor<double> h0, int outer, int inner)
    {
        var h = h0;
        for (var i = 0; i < outer; i++)
            for (var j = 0; j < inner; j++)
                h = DTensor.Tanh(DTensor.MatMul(h, w));
        return DTensor.Sum(h);
    }

    /// <summary><see cref="Nested"/> with the initial state differentiated too.</summary>
    [Differentiable]
    public static double NestedFromState(DTensor<double> w, DTensor<double> h0, int outer, int inner)
    {
        var h = h0;
        for (var i = 0; i < outer; i++)
            for (var j = 0; j < inner; j++)
                h = DTensor.Tanh(DTensor.MatMul(h, w));
        return DTensor.Sum(h);
    }

    /// <summary>The carried tensor is also read and updated in the outer body, after the inner loop.</summary>
    [Differentiable]
    public static double ReadAfterInnerLoop(DTensor<double> w, DTensor<double> h0, double decay, int outer, int inner)
    {
        var h = h0;
        double energy = 0;
        for (var i = 0; i < outer; i++)
        {
            for (var j = 0; j < inner; j++)
                h = DTensor.Tanh(DTensor.MatMul(h, w));
            energy += DTensor.Sum(DTensor.Square(h));
            h = DTensor.Multiply(h, decay);
        }

        return DTensor.Sum(h) + energy;
    }

    /// <summary>A value of the outer iteration read on every inner iteration (the inner loop's buffers must not reuse it).</summary>
    [Differentiable]
    public static double OuterValueReadInside(DTensor<double> w, DTensor<double> h0, int outer, int inner)
    {
        var h = h0;
        for (var i = 0; i < outer; i++)
        {
            var start = h;
            for (var j = 0; j < inner; j++)
                h = DTensor.Tanh(DTensor.Add(DTensor.MatMul(h, w), start));
        }

        return DTensor.Sum(h);
    }

    /// <summary>Three levels of nesting.</summary>
    [Differentiable]
    public static double ThreeLevels(DTensor<double> w, DTensor<double> h0, int a, int b, int c)
    {
        var h = h0;
        for (var i = 0; i < a; i++)
            for (var j = 0; j < b; j++)
                for (var k = 0; k < c; k++)
                    h = DTensor.Tanh(DTensor.MatMul(h, w));
        return DTensor.Sum(h);
    }

    /// <summary>A data-dependent <c>break</c> in the inner loop.</summary>
    [Differentiable]
    public static double BreakInInnerLoop(DTensor<double> w, DTensor<double> h0, [NoDiff] double limit, int outer, int inner)
    {
        var h = h0;
        for (var i = 0; i < outer; i++)
            for (var j = 0; j < inner; j++)
            {
                h = DTensor.Tanh(DTensor.MatMul(h, w));
                if (DTensor.Sum(h) > limit * (i + 1))
                    break;
            }

        return DTensor.Sum(h);
    }

    /// <summary>
    /// The tensor starts over in each outer iteration and is read only inside the inner loop: no gradient flows in
    /// after the inner loop (the case whose generated code did not compile: 'h' does not exist).
    /// </summary>
    [Differentiable]
    public static double RestartedEachOuterIteration(DTensor<double> w, DTensor<double> h0, int outer, int inner)
    {
        double s = 0;
        for (var i = 0; i < outer; i++)
        {
            var h = DTensor.Multiply(h0, 1.0 + i);
            for (var j = 0; j < inner; j++)
            {
                h = DTensor.Tanh(DTensor.MatMul(h, w));
                s += DTensor.Sum(h);
            }
        }

        return s;
    }

    /// <summary><see cref="RestartedEachOuterIteration"/> three levels deep.</summary>
    [Differentiable]
    public static double RestartedThreeLevels(DTensor<double> w, DTensor<double> h0, int a, int b, int c)
    {
        double s = 0;
        for (var i = 0; i < a; i++)
        {
            var h = DTensor.Multiply(h0, 1.0 + i);
            for (var j = 0; j < b; j++)
                for (var k = 0; k < c; k++)
                {
                    h = DTensor.Tanh(DTensor.MatMul(h, w));
                    s += DTensor.Sum(DTensor.Square(h));
                }
        }

        return s;
    }

    /// <summary>A <c>return</c> from inside the inner loop, and the inner loop inside a branch of the outer one.</summary>
    [Differentiable]
    public static double ReturnAndBranch(DTensor<double> w, DTensor<double> h0, [NoDiff] double limit, int outer, int inner)
    {
        var h = h0;
        for (var i = 0; i < outer; i++)
        {
            if (i % 2 == 0)
            {
                for (var j = 0; j < inner; j++)
                {
                    h = DTensor.Tanh(DTensor.MatMul(h, w));
                    if (DTensor.Sum(h) > limit)
                        return DTensor.Sum(DTensor.Square(h));
                }
            }
            else
            {
                h = DTensor.Multiply(h, 0.5);
            }
        }

        return DTensor.Sum(h);
    }

    /// <summary>
    /// A sum carried through the loop that no step reads (Add's rule does not): recomputing, only its shape is kept, for
    /// its gradient.
    /// </summary>
    [Differentiable]
    public static double Accumulated(DTensor<double> w, DTensor<double> x, int steps)
    {
        var sum = DTensor.Tanh(x);
        for (var k = 0; k < steps; k++)
            sum = DTensor.Add(sum, DTensor.Tanh(DTensor.Multiply(DTensor.MatMul(x, w), 1.0 + k)));
        return DTensor.Sum(DTensor.Square(sum));
    }

    /// <summary>The example: a context window that grows by one embedding per step ([n, d·(k+1)]).</summary>
    [Differentiable]
    public static double GrowingContext(DTensor<double> c, [NoDiff] ReadOnlySpan<int> ids, int n, int steps)
    {
        var x = DTensor.Embedding(c, ids.Slice(0, n));   // [n, d]
        for (var k = 1; k < steps; k++)
            x = DTensor.Concat(x, DTensor.Embedding(c, ids.Slice(k * n, n)));   // [n, d*(k+1)]
        return DTensor.Sum(DTensor.Tanh(x));
    }

    /// <summary>A projection that shrinks the state on the first step (a non-square matrix), then keeps its shape.</summary>
    [Differentiable]
    public static double ShrinkingProjection(DTensor<double> x0, DTensor<double> down, DTensor<double> square, int steps)
    {
        var x = x0;   // [n, 3]
        for (var k = 0; k < steps; k++)
            x = DTensor.Tanh(DTensor.MatMul(x, k == 0 ? down : square));   // [n, 2]
        return DTensor.Sum(DTensor.Square(x));
    }

    /// <summary>Pairs of columns summed on every step: the width halves ([2, 8], [2, 4], [2, 2], [2, 1]).</summary>
    [Differentiable]
    public static double HalvingWidth(DTensor<double> x0, DTensor<double> w, int steps)
    {
        var x = DTensor.Tanh(x0);
        for (var k = 0; k < steps; k++)
            x = DTensor.SumLastAxis(DTensor.Reshape(DTensor.Multiply(x, x), 2, -1, 2));
        return DTensor.Sum(DTensor.MatMul(x, w));
    }

    /// <summary>Shapes that alternate: a MatMul by [3, 2] then by [2, 3], changing the column count each step.</summary>
    [Differentiable]
    public static double AlternatingColumns(DTensor<double> a, DTensor<double> b, DTensor<double> x0, int steps)
    {
        var x = x0;
        for (var k = 0; k < steps; k++)
            x = DTensor.Tanh(DTensor.MatMul(x, k % 2 == 0 ? a : b));
        return DTensor.Sum(DTensor.Square(x));
    }

    /// <summary>Shapes that alternate through a reshape ([4, 3], [3, 4], [4, 3], ...), the gradient flowing through as is.</summary>
    [Differentiable]
    public static double AlternatingReshape(DTensor<double> x0, DTensor<double> scale, int steps)
    {
        var x = x0;
        for (var k = 0; k < steps; k++)
            x = DTensor.Add(DTensor.Reshape(x, k % 2 == 0 ? 3 : 4, -1), DTensor.Reshape(DTensor.Multiply(scale, 1.0 + k), k % 2 == 0 ? 3 : 4, -1));
        return DTensor.Sum(DTensor.Square(x));
    }

    /// <summary>A growing context inside an outer loop that starts it over, and a carried previous value (two steps alive).</summary>
    [Differentiable]
    public static double NestedGrowth(DTensor<double> c, [NoDiff] ReadOnlySpan<int> ids, int n, int outer, int inner)
    {
        double s = 0;
        for (var i = 0; i < outer; i++)
        {
            var x = DTensor.Embedding(c, ids.Slice(i * n, n));
            var previous = x;
            for (var k = 0; k < inner; k++)
            {
                var next = DTensor.Concat(x, DTensor.Tanh(DTensor.Embedding(c, ids.Slice(k * n, n))));
                s += DTensor.Sum(DTensor.Square(previous));
                previous = x;
                x = next;
            }

            s += DTensor.Sum(DTensor.Tanh(x));
        }

        return s;
    }

    /// <summary>
    /// A second-order recurrence: each step reads the state and the one before it, so what a step computes is read by
    /// the next two (its pushforward uses three buffers in turn).
    /// </summary>
    [Differentiable]
    public static double PreviousStep(DTensor<double> w, DTensor<double> h0, int steps)
    {
        var previous = h0;
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            var next = DTensor.Tanh(DTensor.Add(DTensor.MatMul(h, w), DTensor.Multiply(previous, 0.5)));
            previous = h;
            h = next;
        }

        return DTensor.Sum(DTensor.Square(h)) + DTensor.Sum(previous);
    }

    /// <summary>
    /// Two weights swapped every step (t = a; a = b; b = t): carried tensors that go round in a cycle hold only what the
    /// loop started from, and the state the steps compute still lives in two buffers in turn.
    /// </summary>
    [Differentiable]
    public static double Alternating(DTensor<double> w, DTensor<double> u, DTensor<double> h0, int steps)
    {
        var a = w;
        var b = u;
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            h = DTensor.Tanh(DTensor.MatMul(h, a));
            var spare = a;
            a = b;
            b = spare;
        }

        return DTensor.Sum(DTensor.Square(h)) + DTensor.Sum(DTensor.Multiply(a, 0.5));
    }

    /// <summary>
    /// Three weights rotated through a temporary (t = a; a = b; b = c; c = t) beside a second-order recurrence (the
    /// previous state read by the next step): the cycle adds nothing, the previous state one buffer more.
    /// </summary>
    [Differentiable]
    public static double Rotating(DTensor<double> w, DTensor<double> u, DTensor<double> h0, int steps)
    {
        var a = w;
        var b = u;
        var c = DTensor.Multiply(w, 0.5);
        var previous = h0;
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            var next = DTensor.Tanh(DTensor.Add(DTensor.MatMul(h, a), DTensor.Multiply(previous, 0.3)));
            previous = h;
            h = next;
            var spare = a;
            a = b;
            b = c;
            c = spare;
        }

        return DTensor.Sum(DTensor.Square(h)) + DTensor.Sum(previous) + DTensor.Sum(DTensor.Multiply(b, 0.25));
    }

    /// <summary>
    /// A state kept by a branch in one iteration only and read after the loop: it holds what that iteration computed for
    /// the rest of the loop, so the buffers of the state cannot be used in turn (they were: the pushforward and buffered
    /// form returned a later state's numbers).
    /// </summary>
    [Differentiable]
    public static double KeptOnce(DTensor<double> w, DTensor<double> h0, int steps)
    {
        var previous = h0;
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            if (t == 1)
            {
                previous = h;
            }

            h = DTensor.Tanh(DTensor.MatMul(h, w));
        }

        return DTensor.Sum(DTensor.Square(h)) + DTensor.Sum(previous);
    }
}
