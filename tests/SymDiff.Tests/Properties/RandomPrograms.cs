using System.Globalization;
using CsCheck;

namespace SymDiff.Tests.Properties;

/// <summary>
/// Random programs from the supported subset: locals, reassignments, compound assignments, branches, early
/// returns, ?:, switch expressions with relational patterns, Math functions, calls to another [Differentiable] method, and loops (for, while, do, foreach, break,
/// continue, return, nesting), over differentiable inputs a, b, c and a [NoDiff] input k; and tensors carried through
/// one or two nested loops, in shapes that may change from one iteration to the next. Functions are smooth where defined (domains are kept safe), so that central finite differences
/// are a valid reference away from branch boundaries.
/// </summary>
public static class RandomPrograms
{
    private static readonly string[] Inputs = { "a", "b", "c", "k" };

    public static readonly Gen<string> Program =
        Gen.Int[1, 5].SelectMany(count => Statements(count, tensors: true).Select(statements => Render(statements)));

    /// <summary>
    /// The same programs without tensor loops: scalar code only, which forward mode covers (every one has a
    /// pushforward; those without loops also a Hessian-vector product).
    /// </summary>
    public static readonly Gen<string> ScalarProgram =
        Gen.Int[1, 5].SelectMany(count => Statements(count, tensors: false).Select(statements => Render(statements)));

    /// <summary>Whether F does tensor operations (the static tensors in the class are spelled <c>DTensor&lt;double&gt;</c>).</summary>
    public static bool HasTensors(string program) => program.Contains("DTensor.", StringComparison.Ordinal);

    /// <summary>Whether F has a loop.</summary>
    public static bool HasLoops(string program) => System.Text.RegularExpressions.Regex.IsMatch(program, @"\b(for|foreach|while|do)\b");

    /// <summary>An expression over the given variables, at most <paramref name="depth"/> levels deep.</summary>
    public static Gen<string> Expression(string[] variables, int depth)
    {
        var leaf = Gen.Frequency(
            (4, Gen.OneOf(variables)),
            (1, Gen.Double[-2, 2].Select(v => Literal(Math.Round(v, 2)))));
        if (depth <= 0)
        {
            return leaf;
        }

        var sub = Expression(variables, depth - 1);
        return Gen.Frequency(
            (3, leaf),
            (3, Gen.Select(sub, Gen.OneOf("+", "-", "*"), sub, (l, op, r) => $"({l} {op} {r})")),
            (1, Gen.Select(sub, sub, (l, r) => $"({l} / ({r} * {r} + 1.0))")),
            (1, Gen.Select(sub, u => $"(-{u})")),
            (3, Gen.Select(Gen.OneOf("Math.Tanh", "Math.Sin", "Math.Cos", "Math.Atan"), sub, (f, u) => $"{f}({u})")),
            (1, Gen.Select(sub, u => $"Math.Exp(Math.Tanh({u}))")),
            (1, Gen.Select(sub, u => $"Math.Sqrt({u} * {u} + 1.0)")),
            (1, Gen.Select(sub, u => $"Math.Log({u} * {u} + 0.5)")),
            (1, Gen.Select(sub, u => $"Math.Pow({u} * {u} + 1.0, 0.75)")),
            (1, Gen.Select(Gen.OneOf("Math.Max", "Math.Min"), sub, sub, (f, l, r) => $"{f}({l}, {r})")),
            (1, Gen.Select(sub, sub, (l, r) => $"Helper({l}, {r})")),
            (1, Gen.Select(Comparison(sub, ">"), sub, sub, (condition, t, f) => $"({condition} ? {t} : {f})")),
            (1, Gen.Select(sub.Where(e => !IsConstant(e)), sub, sub, (subject, t, f) => $"({subject} switch {{ > 0.5 => {t}, < -0.5 and > -1.5 => {f}, _ => {subject} }})")));
    }

    /// <summary>Whether an expression reads a variable (a constant condition makes unreachable code, CS0162).</summary>
    private static bool Mentions(string expression, string[] variables) =>
        variables.Any(v => System.Text.RegularExpressions.Regex.IsMatch(expression, $@"\b{v}\b"));

    /// <summary><c>l op r</c> with different sides (<c>x &gt; x</c> is a compiler warning, CS1718).</summary>
    private static Gen<string> Comparison(Gen<string> operand, string op) =>
        Gen.Select(operand, operand).Where(t => t.Item1 != t.Item2 && !(IsConstant(t.Item1) && IsConstant(t.Item2))).Select(t => $"{t.Item1} {op} {t.Item2}");

    private static Gen<List<string>> Statements(int count, bool tensors)
    {
        Gen<List<string>> Build(int index, string[] variables, string[] locals)
        {
            if (index == count)
            {
                return Squash(Expression(variables, 3)).Select(e => new List<string> { $"return {e};" });
            }

            var name = "v" + index;
            var declare = Squash(Expression(variables, 2)).Select(e => $"var {name} = {e};");
            var withLocal = variables.Append(name).ToArray();
            var nextLocals = locals.Append(name).ToArray();
            var statement = declare;
            if (locals.Length > 0)
            {
                var target = Gen.OneOf(locals);
                var choices = new List<(int, IGen<string>)>
                {
                    (3, declare),
                    (1, Gen.Select(declare, target, Squash(Expression(variables, 2)), (d, t, e) => $"{d}\n{t} += {e};")),
                    (1, Gen.Select(declare, target, Expression(variables, 1), (d, t, e) => $"{d}\n{t} = {t} * Math.Tanh({e});")),
                    (1, Gen.Select(declare, target, Expression(variables, 1), Expression(variables, 1), Squash(Expression(variables, 2)), Squash(Expression(variables, 2)),
                        (d, t, l, r, x, y) => l == r || (IsConstant(l) && IsConstant(r)) ? $"{d}\n{t} = {x};" : $"{d}\nif ({l} < {r})\n{{\n    {t} = {x};\n}}\nelse\n{{\n    {t} = {t} - {y};\n}}")),
                    (1, Gen.Select(declare, Expression(variables, 1).Where(e => Mentions(e, variables)), Squash(Expression(variables, 2)),
                        (d, l, e) => $"{d}\nif ({l} > 1.5)\n{{\n    return {e};\n}}")),
                    (2, Gen.Select(declare, Loop(index, target, variables), (d, loop) => $"{d}\n{loop}")),
                };
                if (tensors)
                {
                    choices.Add((2, Gen.Select(declare, TensorLoop(index, target, variables), (d, loop) => $"{d}\n{loop}")));
                }

                statement = Gen.Frequency(choices.ToArray());
            }

            return statement.SelectMany(s => Build(index + 1, withLocal, nextLocals).Select(rest =>
            {
                rest.Insert(0, s);
                return rest;
            }));
        }

        return Build(0, Inputs, Array.Empty<string>());
    }

    /// <summary>
    /// A loop that updates <paramref name="target"/>: counted <c>for</c> loops (constant or run-time trip counts from
    /// the [NoDiff] input k), data-dependent <c>break</c>, <c>continue</c>, <c>while</c>, <c>do</c>, a nested loop, a
    /// <c>return</c> from inside a loop, and <c>foreach</c> over a constant array.
    /// Bodies keep values bounded (tanh, sin) so that long loops stay finite.
    /// </summary>
    private static Gen<string> Loop(int index, Gen<string> target, string[] variables)
    {
        var i = "i" + index;
        var j = "j" + index;
        var trips = Gen.Frequency((3, Gen.Int[0, 6].Select(n => n.ToString(CultureInfo.InvariantCulture))), (1, Gen.Const("(int)(Math.Abs(k) * 3) + 1")));
        var e = Expression(variables, 1);
        return Gen.OneOf(
            Gen.Select(target, trips, e, e, (t, n, x, y) =>
                $"for (var {i} = 0; {i} < {n}; {i}++)\n{{\n    {t} = Math.Tanh({t} * {x} + {y});\n}}"),
            Gen.Select(target, trips, e, e, (t, n, x, y) =>
                $"for (var {i} = 0; {i} < {n}; {i}++)\n{{\n    if ({t} > {x} + 0.5)\n    {{\n        break;\n    }}\n\n    {t} = {t} + Math.Sin({y}) * 0.5;\n}}"),
            Gen.Select(target, trips, e, e, (t, n, x, y) =>
                $"var {j} = 0;\nwhile ({j} < {n})\n{{\n    {j}++;\n    if ({j} % 2 == 0)\n    {{\n        continue;\n    }}\n\n    {t} = {t} * Math.Cos({x}) + {y} * 0.25;\n}}"),
            Gen.Select(target, trips, e, (t, n, x) =>
                $"var {j} = 0;\ndo\n{{\n    {t} = Math.Sin({t} + {x});\n    {j}++;\n}}\nwhile ({j} < {n} && {t} < 0.9);"),
            Gen.Select(target, trips, e, (t, n, x) =>
                $"for (var {i} = 0; {i} < {n}; {i}++)\n{{\n    for (var {j} = 0; {j} < {i}; {j}++)\n    {{\n        {t} = Math.Tanh({t} + {x} * {j});\n    }}\n}}"),
            Gen.Select(target, trips, e, e, (t, n, x, y) =>
                $"for (var {i} = 0; {i} < {n}; {i}++)\n{{\n    {t} = Math.Tanh({t} * {x} + {y});\n    if ({t} > 0.8)\n    {{\n        return {t} * {x};\n    }}\n}}"),
            Gen.Select(target, Gen.Double[-1, 1].Array[0, 4], e, e, (t, weights, x, y) =>
                $"foreach (var w{index} in new double[] {{ {string.Join(", ", weights.Select(w => Literal(Math.Round(w, 2))))} }})\n{{\n    {t} = Math.Tanh({t} * {x} + w{index});\n    if ({t} > {y} + 0.5)\n    {{\n        break;\n    }}\n}}"));
    }

    /// <summary>
    /// A tensor carried through a loop, or through two nested loops, and read into <paramref name="target"/>. It starts
    /// as a [2, 3] matrix scaled by an expression of the inputs; each inner step keeps its shape, makes it grow, makes
    /// its columns alternate between 3 and 2 (a MatMul by [3, 2] or [2, 3]), its shape alternate between [2, 3] and
    /// [3, 2] (a reshape), or its width halve when even and grow when odd (a branch whose sides give different shapes).
    /// Optionally a data-dependent <c>break</c>, a read inside the inner loop, an update or a read in the outer body
    /// after the inner loop, or a tensor that starts over in each outer iteration (no gradient flows out of the inner
    /// loop). Tanh keeps values bounded.
    /// </summary>
    private static Gen<string> TensorLoop(int index, Gen<string> target, string[] variables)
    {
        var m = "m" + index;
        var i = "i" + index;
        var j = "j" + index;
        var trips = Gen.Frequency((3, Gen.Int[0, 4].Select(n => n.ToString(CultureInfo.InvariantCulture))), (1, Gen.Const("(int)(Math.Abs(k) * 2) + 1")));
        var e = Expression(variables, 1);
        var step = Gen.OneOf(
            e.Select(x => $"{m} = DTensor.Tanh(DTensor.Add(DTensor.MatMul({m}, Square), DTensor.Multiply({m}, {x})));"),
            e.Select(x => $"{m} = DTensor.Concat({m}, DTensor.Tanh(DTensor.Multiply(Column, {x})));"),
            e.Select(x => $"{m} = DTensor.Tanh(DTensor.MatMul(DTensor.Multiply({m}, {x}), {m}.Dimension(1) == 3 ? Down : Up));"),
            e.Select(x => $"{m} = DTensor.Tanh(DTensor.Reshape(DTensor.Multiply({m}, {x}), {m}.Dimension(1), -1));"),
            e.Select(x => $"if ({m}.Dimension(1) % 2 == 0)\n{{\n    {m} = DTensor.SumLastAxis(DTensor.Reshape({m}, 2, -1, 2));\n}}\nelse\n{{\n    {m} = DTensor.Concat({m}, DTensor.Tanh(DTensor.Multiply(Column, {x})));\n}}"));
        var extra = Gen.Frequency(
            (2, Gen.Const(string.Empty)),
            (1, target.Select(t => $"{t} = {t} + DTensor.Mean({m}) * 0.25;")),
            (1, e.Select(x => $"if (DTensor.Mean({m}) > {x} + 0.25)\n{{\n    break;\n}}")));
        var outerBody = Gen.Frequency(
            (2, Gen.Const(string.Empty)),
            (1, e.Select(x => $"{m} = DTensor.Multiply({m}, Math.Cos({x}));")),
            (1, target.Select(t => $"{t} = {t} + DTensor.Mean(DTensor.Square({m}));")));
        return Gen.Select(Gen.Select(target, e, trips, trips, step, extra, outerBody), Gen.Int[0, 2])
            .Select(t =>
            {
                var ((result, start, n, n2, body, inside, after), shape) = t;
                var inner = $"for (var {j} = 0; {j} < {n2}; {j}++)\n{{\n{Indent(body)}\n{Indent(inside)}\n}}";
                var initial = $"DTensor.Tanh(DTensor.Multiply(Rows, {start}))";
                return shape switch
                {
                    // One loop.
                    0 => $"var {m} = {initial};\n{inner}\n{result} = {result} * 0.5 + DTensor.Mean(DTensor.Tanh({m}));",

                    // Two nested loops, the tensor carried through both.
                    1 => $"var {m} = {initial};\nfor (var {i} = 0; {i} < {n}; {i}++)\n{{\n{Indent(inner)}\n{Indent(after)}\n}}\n{result} = {result} * 0.5 + DTensor.Mean(DTensor.Tanh({m}));",

                    // Two nested loops, the tensor starting over in each outer iteration and read only inside.
                    _ => $"for (var {i} = 0; {i} < {n}; {i}++)\n{{\n    var {m} = DTensor.Tanh(DTensor.Multiply(Rows, {start} + {i}));\n"
                        + Indent($"for (var {j} = 0; {j} < {n2}; {j}++)\n{{\n{Indent(body)}\n    {result} = {result} + DTensor.Mean({m}) * 0.5;\n{Indent(inside)}\n}}") + "\n}",
                };
            });
    }

    private static string Indent(string block) =>
        string.Join("\n", block.Split('\n').Where(line => line.Length > 0).Select(line => "    " + line));

    /// <summary>Keeps statement values bounded so that chains of locals do not overflow.</summary>
    private static Gen<string> Squash(Gen<string> expression) => Gen.Frequency(
        (2, expression.Select(e => $"Math.Tanh({e})")),
        (1, expression.Select(e => $"Math.Sin({e})")),
        (1, expression.Select(e => $"({e}) / (1.0 + Math.Abs({e}))")));

    private static string Render(List<string> statements)
    {
        var body = string.Join("\n", statements.SelectMany(s => s.Split('\n')).Select(line => "        " + line));
        return $$"""
            using System;
            using SymDiff;

            public static partial class Program
            {
                public static readonly DTensor<double> Rows = DTensor<double>.FromArray(new[] { 0.5, -0.4, 0.3, 0.2, 0.6, -0.1 }, 2, 3);
                public static readonly DTensor<double> Square = DTensor<double>.FromArray(new[] { 0.3, -0.2, 0.5, 0.1, 0.4, -0.3, -0.5, 0.2, 0.3 }, 3, 3);
                public static readonly DTensor<double> Down = DTensor<double>.FromArray(new[] { 0.6, -0.3, 0.2, 0.5, -0.4, 0.1 }, 3, 2);
                public static readonly DTensor<double> Up = DTensor<double>.FromArray(new[] { -0.2, 0.4, 0.7, 0.3, -0.5, 0.1 }, 2, 3);
                public static readonly DTensor<double> Column = DTensor<double>.FromArray(new[] { 0.7, -0.6 }, 2, 1);

                [Differentiable]
                public static double Helper(double x, double y) => Math.Sin(x) * y + x;

                [Differentiable]
                public static double F(double a, double b, double c, [NoDiff] double k)
                {
            {{body}}
                }
            }
            """;
    }

    private static bool IsConstant(string expression) => !Mentions(expression, Inputs.Concat(Enumerable.Range(0, 8).Select(i => "v" + i)).ToArray());

    private static string Literal(double value) =>
        value.ToString("0.0#", CultureInfo.InvariantCulture) is var text && text.StartsWith('-') ? "(" + text + ")" : text;
}
