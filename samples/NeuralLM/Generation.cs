using Brown;
using SymDiff;

namespace NeuralLM;

/// <summary>Continues a prompt by sampling the model's next-word distribution (temperature 0.8, top 20, never &lt;unk&gt;).</summary>
public static class Generation
{
    public static string Continue(Evaluator evaluator, Dataset data, ModelShape shape, string prompt, int words, Rng rng)
    {
        var history = prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(data.Id).ToList();
        while (history.Count < shape.Context)
        {
            history.Insert(0, data.Id("."));
        }

        var output = new List<string>(prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var context = new int[shape.Context];
        for (var i = 0; i < words; i++)
        {
            history.CopyTo(history.Count - shape.Context, context, 0, shape.Context);
            var logits = evaluator.Logits(context, 1).Span;
            var next = NextWord.Sample(logits, rng);
            history.Add(next);
            output.Add(data.Words[next]);
        }

        return string.Join(' ', output);
    }
}
