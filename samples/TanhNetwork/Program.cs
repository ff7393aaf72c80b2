using TanhNetwork;
Console.WriteLine(TanhNet.LossGradient(0.5, 0.3, 1, 0.2, out var d1, out var d2));
Console.WriteLine($"{d1} {d2}");
