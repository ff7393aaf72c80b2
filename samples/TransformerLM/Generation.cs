using Brown;
using SymDiff;

namespace TransformerLM;

/// <summary>Continues a prompt by sampling the model's next-token distribution (<see cref="NextWord"/>), reading the last T tokens.</summary>
public static class Generation
{
    public static string Continue(Evaluator evaluator, Dataset data, TransformerShape shape, string prompt, int words, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(prompt);
        var given = prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var history = new List<int> { data.Id(".") }; // the model always has a token to read
        history.AddRange(given.Select(data.Id));
        var output = new List<string>(given);
        for (var i = 0; i < words; i++)
        {
            var length = Math.Min(shape.Context, history.Count);
            var window = history.GetRange(history.Count - length, length).ToArray();
            var logits = evaluator.Logits(window).Span.Slice((length - 1) * shape.Vocabulary, shape.Vocabulary);
            var next = NextWord.Sample(logits, rng);
            history.Add(next);
            output.Add(data.Words[next]);
        }

        return string.Join(' ', output);
    }
}
