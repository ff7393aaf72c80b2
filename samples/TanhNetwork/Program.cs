using TanhNetwork;

// Trains the textbook network h = tanh(w1·x), o = tanh(w2·h) by gradient descent on L = ½(y − o)², with the
// gradient SymDiff generated from TanhNet.Loss at compile time (see obj/.../generated/.../TanhNet.Loss.g.cs).
Options options;
try
{
    options = Options.Parse(args);
}
catch (FormatException error)
{
    Console.Error.WriteLine("error: " + error.Message);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(Options.Usage);
    return 0;
}

// A small data set from a teacher network with known weights, so we can see them recovered.
const double teacherW1 = 1.5, teacherW2 = -2.0;
var random = new Random(options.Seed);
var inputs = new double[32];
var targets = new double[inputs.Length];
for (var i = 0; i < inputs.Length; i++)
{
    inputs[i] = (random.NextDouble() * 4) - 2;
    targets[i] = Math.Tanh(teacherW2 * Math.Tanh(teacherW1 * inputs[i]));
}

Console.WriteLine($"Data: {inputs.Length} points from a teacher with w1 = {teacherW1}, w2 = {teacherW2}.");
Console.WriteLine($"Training w1, w2 from ({options.W1}, {options.W2}) with learning rate {options.LearningRate} for {options.Steps} steps.");
Console.WriteLine();
Console.WriteLine(" step        loss          w1          w2");

double w1 = options.W1, w2 = options.W2;
for (var step = 0; step <= options.Steps; step++)
{
    // Mean loss and mean gradient over the data set; LossGradient returns the loss and writes dL/dw1, dL/dw2.
    double loss = 0, gradW1 = 0, gradW2 = 0;
    for (var i = 0; i < inputs.Length; i++)
    {
        loss += TanhNet.LossGradient(w1, w2, inputs[i], targets[i], out var dw1, out var dw2);
        gradW1 += dw1;
        gradW2 += dw2;
    }

    loss /= inputs.Length;
    if (step % options.PrintEvery == 0 || step == options.Steps)
    {
        Console.WriteLine($"{step,5} {loss,11:0.000e+00} {w1,11:F5} {w2,11:F5}");
    }

    w1 -= options.LearningRate * gradW1 / inputs.Length;
    w2 -= options.LearningRate * gradW2 / inputs.Length;
}

Console.WriteLine();
Console.WriteLine($"Learned w1 = {w1:F4}, w2 = {w2:F4} (teacher: {teacherW1}, {teacherW2}; the sign-flipped pair fits equally well).");

// The generated dL/dw2 is exactly the hand derivation −(y − o)(1 − o²)h.
var (x, y) = (inputs[0], targets[0]);
TanhNet.LossGradient(w1, w2, x, y, out _, out var generated);
var h = Math.Tanh(w1 * x);
var o = Math.Tanh(w2 * h);
var byHand = -(y - o) * (1 - (o * o)) * h;
Console.WriteLine($"At x = {x:F3}: generated dL/dw2 = {generated:R}, by hand -(y - o)(1 - o^2)h = {byHand:R}, equal: {generated == byHand}");

// Second order: the Hessian of the mean loss, one column per Hessian-vector product (v = e1, then e2), beside central
// finite differences of the generated gradient.
var hessian = new double[2, 2];
var numeric = new double[2, 2];
const double fdStep = 1e-5;
for (var i = 0; i < inputs.Length; i++)
{
    TanhNet.LossHessianVectorProduct(w1, w2, inputs[i], targets[i], 1, 0, out var h11, out var h21);
    TanhNet.LossHessianVectorProduct(w1, w2, inputs[i], targets[i], 0, 1, out var h12, out var h22);
    (hessian[0, 0], hessian[1, 0], hessian[0, 1], hessian[1, 1]) = (hessian[0, 0] + h11, hessian[1, 0] + h21, hessian[0, 1] + h12, hessian[1, 1] + h22);
    for (var column = 0; column < 2; column++)
    {
        var (e1, e2) = column == 0 ? (fdStep, 0.0) : (0.0, fdStep);
        TanhNet.LossGradient(w1 + e1, w2 + e2, inputs[i], targets[i], out var p1, out var p2);
        TanhNet.LossGradient(w1 - e1, w2 - e2, inputs[i], targets[i], out var m1, out var m2);
        numeric[0, column] += (p1 - m1) / (2 * fdStep);
        numeric[1, column] += (p2 - m2) / (2 * fdStep);
    }
}

Console.WriteLine();
Console.WriteLine("Hessian of the mean loss at the learned weights (two generated Hessian-vector products | finite differences):");
for (var row = 0; row < 2; row++)
{
    Console.WriteLine($"  [{hessian[row, 0] / inputs.Length,11:F6} {hessian[row, 1] / inputs.Length,11:F6} ]   |   [{numeric[row, 0] / inputs.Length,11:F6} {numeric[row, 1] / inputs.Length,11:F6} ]");
}

return 0;
