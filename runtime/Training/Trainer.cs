using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using SymDiff.Distributed;

namespace SymDiff;

/// <summary>Computes the loss of one minibatch (given by example indices) and adds its gradients to the parameters'.</summary>
public delegate T BatchStep<T>(ReadOnlySpan<int> batch);

/// <summary>How to train.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training examples.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Examples per minibatch (the last one of an epoch may be smaller).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Shuffle the examples every epoch (the default); false keeps them in order, for example for truncated
    /// backpropagation through time, where each batch continues the previous one's sequences.
    /// </summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seeds the shuffling RNG: the same seed gives the same batches (and, on one thread, the same losses).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Clip the gradients' global L2 norm to this value before each update; null: no clipping.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>Evaluate every this many steps; 0: at the end of each epoch.</summary>
    public long EvaluateEvery { get; init; }

    /// <summary>Stop after this many evaluations without improvement; 0: never stop early.</summary>
    public int Patience { get; init; }

    /// <summary>
    /// Reduce on plateau: when an evaluation does not beat the best metric by <see cref="PlateauThreshold"/>, the
    /// learning rate (the schedule's value) is multiplied by this factor from then on; 1: never.
    /// </summary>
    public double PlateauFactor { get; init; } = 1;

    /// <summary>The relative improvement an evaluation needs to count as progress for <see cref="PlateauFactor"/> (0.01: 1 %).</summary>
    public double PlateauThreshold { get; init; }

    /// <summary>Stop after this many steps in total.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Stop once training has run this long (checked after each step).</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>
    /// Keep an exponential moving average of the parameters, a ← β·a + (1 − β)·θ after every update, and use it
    /// wherever the trained model is judged: evaluations, the best model kept, and the parameters left at the end
    /// (Polyak averaging; 0.999 averages about the last thousand updates). It smooths out the noise of a constant
    /// rate and the drift of in-order training (truncated BPTT adapts to the text it just read). Null: off.
    /// </summary>
    public double? AverageDecay { get; init; }

    /// <summary>At the end, put back the parameters of the best evaluation.</summary>
    public bool RestoreBest { get; init; } = true;

    /// <summary>
    /// Write a checkpoint here after each evaluation, every <see cref="CheckpointEvery"/> steps, every
    /// <see cref="CheckpointInterval"/>, and when training stops for any reason (<see cref="Trainer{T}.RequestStop"/>
    /// included). Each replaces the file atomically, so a process killed at any instant leaves the last complete one.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Also checkpoint every this many steps; 0: not by steps.</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>
    /// Also checkpoint once this much time has passed since the last checkpoint (or since training started), checked
    /// after every batch, so an epoch longer than the interval is not lost whole to a crash; null: not by time.
    /// </summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>
    /// Besides <see cref="CheckpointPath"/> (always the latest), keep the last this many checkpoints in files named
    /// with their step (<see cref="CheckpointFile.StepPath"/>), deleting older ones; 0: only the latest. The best
    /// parameters are in every checkpoint, so deleting old ones never loses them.
    /// </summary>
    public int KeepCheckpoints { get; init; }

    /// <summary>
    /// What to do with a batch whose loss is NaN or infinite, or whose gradients are (their global norm when
    /// clipping, any element otherwise). False, the default: stop with a <see cref="NonFiniteLossException"/> that
    /// names the step and the batch, before the optimizer applies it, so the parameters stay finite. True: skip the
    /// batch (no optimizer step; its gradients are zeroed), count it in <see cref="TrainingResult.SkippedBatches"/>
    /// and report it to <see cref="ITrainingObserver.OnSkippedBatch"/>.
    /// </summary>
    public bool SkipNonFiniteBatches { get; init; }

    /// <summary>
    /// Data-parallel training over the ranks of an MPI job; null (the default): this process alone. Every rank runs
    /// the same <see cref="Trainer{T}.Train"/>: rank 0's parameters and optimizer state are broadcast first, each rank
    /// gets the same shuffle and computes its contiguous part of every global batch of <see cref="BatchSize"/>
    /// examples, the gradients and losses are averaged (weighted by part size) before clipping and the update, so
    /// every rank steps identically; only rank 0 reports to the observer and writes checkpoints, which resume on any
    /// number of ranks. The step must return the mean loss of the examples it is given. The evaluation callback runs
    /// on every rank and must return the same value on each (split the data with <see cref="Communicator.Shard"/> and
    /// sum with <see cref="Communicator.AllreduceSum(double)"/>). An exception on any rank ends the whole job through
    /// <see cref="Communicator.Abort(Exception)"/>, naming the rank. Carried state is not supported.
    /// </summary>
    public Communicator? Communicator { get; init; }

    /// <summary>
    /// In distributed training, split the optimizer's update between the ranks (ZeRO stage 1): the large gradients are
    /// reduce-scattered instead of allreduced, each rank updates its own part of each large parameter (and keeps that
    /// part of the optimizer state current), then the ranks exchange the updated parts. The same results as
    /// without (to float rounding), each rank doing 1/N of the optimizer's work. Used when the optimizer updates element
    /// by element (<see cref="Optimizer{T}.UpdatesElementwise"/>: SGD, Adam, AdamW). Off by default: with Open MPI 4.1
    /// between two ranks of one machine, the reduce-scatter and the all-gather took longer than the one allreduce they
    /// replace, more than the optimizer work they save (docs/benchmarks.md); it pays where the optimizer's share of
    /// a step is larger, or memory is short.
    /// </summary>
    public bool ShardOptimizer { get; init; }

    /// <summary>With <see cref="ShardOptimizer"/>: the gradients at least this long are sharded (tests lower it to shard small models).</summary>
    internal int ShardFrom { get; init; } = GradientReducer<float>.InPlaceFrom;
}

/// <summary>What a training step reports to observers.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Epoch">The epoch in progress (0-based).</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Loss">This step's minibatch loss.</param>
/// <param name="LearningRate">The rate used by this step.</param>
/// <param name="ExamplesPerSecond">Throughput since training (or resuming) started.</param>
/// <param name="Elapsed">Time since training (or resuming) started.</param>
public readonly record struct TrainingProgress(
    long Step, long TotalSteps, int Epoch, int Epochs, double Loss, double LearningRate, double ExamplesPerSecond, TimeSpan Elapsed);

/// <summary>Why <see cref="Trainer{T}.Train"/> returned.</summary>
public enum StopCause
{
    /// <summary>Every epoch was trained.</summary>
    Finished,

    /// <summary>Early stopping: <see cref="TrainingOptions.Patience"/> evaluations without improvement.</summary>
    NoImprovement,

    /// <summary><see cref="TrainingOptions.MaxSteps"/> was reached.</summary>
    MaxSteps,

    /// <summary><see cref="TrainingOptions.MaxDuration"/> was reached.</summary>
    TimeLimit,

    /// <summary><see cref="Trainer{T}.RequestStop"/> was called (by <see cref="StopSignals"/> on SIGINT or SIGTERM, say).</summary>
    Requested,
}

/// <summary>The outcome of <see cref="Trainer{T}.Train"/>.</summary>
/// <param name="Steps">Steps completed in total.</param>
/// <param name="BestMetric">The best validation metric (+∞ without evaluation).</param>
/// <param name="BestStep">The step of the best evaluation.</param>
/// <param name="StopReason">Why training stopped.</param>
/// <param name="Elapsed">Time spent in this call.</param>
public sealed record TrainingResult(long Steps, double BestMetric, long BestStep, string StopReason, TimeSpan Elapsed)
{
    /// <summary>
    /// Batches skipped in total (resumed runs included) for a non-finite loss or gradient, under
    /// <see cref="TrainingOptions.SkipNonFiniteBatches"/>.
    /// </summary>
    public long SkippedBatches { get; init; }

    /// <summary>Why training stopped, for code (<see cref="StopReason"/> says it for people).</summary>
    public StopCause Cause { get; init; }
}

/// <summary>Receives training progress (a progress bar, log lines, a plot).</summary>
public interface ITrainingObserver
{
    /// <summary>Training starts (or resumes) with <paramref name="totalSteps"/> steps planned.</summary>
    void OnStart(long totalSteps, int epochs, int exampleCount, int batchSize);

    /// <summary>A step finished.</summary>
    void OnStep(in TrainingProgress progress);

    /// <summary>An evaluation finished; <paramref name="improved"/> if it is the best so far.</summary>
    void OnEvaluation(long step, int epoch, double metric, bool improved);

    /// <summary>
    /// A batch was skipped for a non-finite loss or gradient (<see cref="TrainingOptions.SkipNonFiniteBatches"/>).
    /// Implemented empty here so that observers written before it still compile.
    /// </summary>
    /// <param name="step">The step the batch would have been (1-based; the next batch gets the same number).</param>
    /// <param name="epoch">The epoch in progress (0-based).</param>
    /// <param name="batch">The batch's index in the epoch (0-based).</param>
    /// <param name="reason">What was not finite, for example "the loss is NaN".</param>
    void OnSkippedBatch(long step, int epoch, int batch, string reason)
    {
    }

    /// <summary>
    /// A checkpoint of <paramref name="step"/> steps was written to <paramref name="path"/>. Implemented empty here so
    /// that observers written before it still compile.
    /// </summary>
    void OnCheckpoint(long step, string path)
    {
    }

    /// <summary>Training stopped.</summary>
    void OnEnd(TrainingResult result);
}

/// <summary>
/// The minibatch training loop: shuffled batches from a seed, zeroed gradients, a gradient step, optional clipping
/// by global norm, a learning-rate schedule, periodic evaluation, early stopping on the validation metric (lower
/// is better), and checkpoints that resume to exactly the same losses, from any step. A batch whose loss or
/// gradients are not finite stops training before it reaches the parameters, or is skipped
/// (<see cref="TrainingOptions.SkipNonFiniteBatches"/>). <see cref="RequestStop"/> stops it cleanly from another thread.
/// </summary>
public sealed class Trainer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Rng _rng;
    private DTensor<T>[]? _best;
    private DTensor<T>[]? _average;
    private DTensor<T>[]? _current;
    private int _epoch;
    private int _nextBatch;
    private RngState _epochRng;
    private double _bestMetric = double.PositiveInfinity;
    private long _bestStep;
    private int _evaluationsSinceBest;
    private double _rateScale = 1;
    private long _skippedBatches;
    private int _stopRequested; // 1 once RequestStop is called; read with Volatile between steps
    private string _stopRequester = string.Empty;
    private GradientReducer<T>? _reducer; // while a distributed Train runs: sharding decides what the optimizer and checks see
    private (long Steps, long Skipped) _saved = (-1, -1); // the progress the last checkpoint written or restored holds

    /// <summary>Creates a trainer.</summary>
    public Trainer(ParameterSet<T> parameters, Optimizer<T> optimizer, LearningRateSchedule schedule, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        if (!(options.PlateauFactor is > 0 and <= 1) || !(options.PlateauThreshold is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "PlateauFactor must be in (0, 1] and PlateauThreshold in [0, 1).");
        }

        if (options.AverageDecay is { } decay && !(decay is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"AverageDecay must be in [0, 1), not {decay}.");
        }

        if (options.ClipGradientNorm is { } clip && !(clip > 0 && double.IsFinite(clip)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"ClipGradientNorm must be positive and finite, not {clip}.");
        }

        if (options.CheckpointInterval is { } interval && interval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"CheckpointInterval must not be negative, not {interval}.");
        }

        if (options.KeepCheckpoints < 0 || options.CheckpointEvery < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "KeepCheckpoints and CheckpointEvery must not be negative.");
        }

        Parameters = parameters;
        Optimizer = optimizer;
        Schedule = schedule;
        Options = options;
        _rng = new Rng(options.Seed);
        _epochRng = _rng.State;
    }

    /// <summary>The parameters trained.</summary>
    public ParameterSet<T> Parameters { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer<T> Optimizer { get; }

    /// <summary>The learning-rate schedule, applied before every step.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>The options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The multiplier reduce-on-plateau applies to the schedule's rate (1 until the first plateau).</summary>
    public double RateScale => _rateScale;

    /// <summary>The loss of every step so far.</summary>
    public List<double> Losses { get; } = new();

    /// <summary>Every evaluation so far: (step, metric).</summary>
    public List<(long Step, double Metric)> Evaluations { get; } = new();

    /// <summary>Extra settings stored in checkpoints (and checked on resume by the caller).</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// State that the batch step carries from one batch to the next, such as the hidden state of truncated
    /// backpropagation through time: checkpoints save these tensors and <see cref="Restore"/> copies them back in
    /// place, so a run resumed mid-epoch continues exactly. Add them before <see cref="Restore"/>. A checkpoint
    /// without one (written before it was carried) leaves it as it is.
    /// </summary>
    public List<(string Name, DTensor<T> Tensor)> CarriedState { get; } = new();

    /// <summary>
    /// Asks <see cref="Train"/> to stop at the next step boundary: the batch in progress finishes, a checkpoint is
    /// written (with <see cref="TrainingOptions.CheckpointPath"/>) and Train returns with <see cref="StopCause.Requested"/>.
    /// Safe to call from any thread (a signal handler, a UI); a request made before Train starts stops it before its
    /// first batch. Train consumes the request when it returns.
    /// </summary>
    /// <param name="requester">Who asked, for the stop reason ("SIGTERM").</param>
    public void RequestStop(string requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        _stopRequester = requester;
        Volatile.Write(ref _stopRequested, 1);
    }

    /// <summary>Trains on examples 0..<paramref name="exampleCount"/>−1.</summary>
    /// <param name="exampleCount">How many training examples there are.</param>
    /// <param name="step">Computes a batch's loss and adds its gradients (which the trainer zeroes first).</param>
    /// <param name="evaluate">The validation metric, lower is better (for example perplexity); null: none.</param>
    /// <param name="observer">Progress reporting; null: silent.</param>
    public TrainingResult Train(int exampleCount, BatchStep<T> step, Func<double>? evaluate = null, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (Options.Communicator is not { } world)
        {
            return TrainLoop(exampleCount, step, evaluate, observer, reducer: null);
        }

        try
        {
            // The other ranks would wait for this one in their next collective forever: end the job instead.
            return TrainLoop(exampleCount, step, evaluate, world.Rank == 0 ? observer : null, StartDistributed(world, exampleCount));
        }
        catch (Exception error)
        {
            world.Abort(error);
            throw; // not reached: Abort ends the process
        }
    }

    /// <summary>
    /// Checks that every rank trains the same thing (a rank started with other settings would otherwise desynchronize
    /// the collectives, or hang them), then gives every rank rank 0's parameters and optimizer state.
    /// </summary>
    private GradientReducer<T> StartDistributed(Communicator world, int exampleCount)
    {
        if (CarriedState.Count > 0)
        {
            throw new NotSupportedException("Distributed training does not support carried state (each rank would carry its own): train this model in one process.");
        }

        ReadOnlySpan<string> names =
            ["parameter count", "parameter elements", "optimizer state tensors", "examples", "batch size", "epochs", "seed", "step", "epoch", "batch", "averaging", "best model"];
        Span<double> facts =
        [
            Parameters.Count, Parameters.ElementCount, Optimizer.State.Count, exampleCount, Options.BatchSize, Options.Epochs, Options.Seed,
            Optimizer.StepCount, _epoch, _nextBatch, _average is null ? 0 : 1, _best is null ? 0 : 1,
        ];
        Span<double> extremes = stackalloc double[2 * facts.Length];
        for (var i = 0; i < facts.Length; i++)
        {
            (extremes[i], extremes[facts.Length + i]) = (facts[i], -facts[i]); // the largest and, negated, the smallest
        }

        world.AllreduceMax(extremes);
        for (var i = 0; i < facts.Length; i++)
        {
            if (extremes[i] != -extremes[facts.Length + i])
            {
                throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The ranks do not train the same thing: their {names[i]} ranges from {-extremes[facts.Length + i]} to {extremes[i]} (this rank: {facts[i]}). Start every rank with the same program, settings and checkpoint."));
            }
        }

        foreach (var parameter in Parameters)
        {
            world.Broadcast(parameter.Value.Span);
        }

        foreach (var (_, tensor) in Optimizer.State)
        {
            world.Broadcast(tensor.Span);
        }

        foreach (var tensor in (_average ?? []).Concat(_best ?? []))
        {
            world.Broadcast(tensor.Span);
        }

        var shardFrom = Options.ShardOptimizer && Optimizer.UpdatesElementwise ? Options.ShardFrom : int.MaxValue;
        return new GradientReducer<T>(world, Parameters, DistributedExtras, shardFrom);
    }

    /// <summary>The scalars that travel with the gradients: the loss, and whether a rank reached the time limit, was asked to stop or is due to checkpoint.</summary>
    private const int DistributedExtras = 4;

    /// <summary>
    /// This rank's part of the global batch, then the sums over the ranks: the gradients and loss (each rank's weighted
    /// by its share, so the result is the global batch's mean) and the stop flags (any rank's stops every rank).
    /// </summary>
    private double DistributedStep(GradientReducer<T> reducer, BatchStep<T> step, ReadOnlySpan<int> batch, ref bool timeUp, ref bool stopAsked, ref bool checkpointDue)
    {
        var (start, count) = Communicator.Part(batch.Length, reducer.World.Rank, reducer.World.Size);
        var weight = T.CreateChecked(count) / T.CreateChecked(batch.Length);
        var loss = count > 0 ? step(batch.Slice(start, count)) : T.Zero; // a rank left without examples adds nothing
        var extras = reducer.Extras;
        extras[0] = loss * weight;
        extras[1] = timeUp ? T.One : T.Zero;
        extras[2] = stopAsked ? T.One : T.Zero;
        extras[3] = checkpointDue ? T.One : T.Zero;
        reducer.Reduce(weight, uniform: batch.Length % reducer.World.Size == 0);
        timeUp = extras[1] > T.Zero;
        stopAsked = extras[2] > T.Zero;
        checkpointDue = extras[3] > T.Zero; // each rank's own clock says when; a checkpoint is collective (sharded state), so any rank's is every rank's
        return double.CreateChecked(extras[0]);
    }

    private TrainingResult TrainLoop(int exampleCount, BatchStep<T> step, Func<double>? evaluate, ITrainingObserver? observer, GradientReducer<T>? reducer)
    {
        _reducer = reducer;
        var batchSize = Options.BatchSize;
        var batches = (exampleCount + batchSize - 1) / batchSize;
        var totalSteps = (long)batches * Options.Epochs;
        if (Options.MaxSteps is { } maxSteps)
        {
            totalSteps = Math.Min(totalSteps, maxSteps);
        }

        Losses.EnsureCapacity((int)Math.Min(int.MaxValue, totalSteps));
        observer?.OnStart(totalSteps, Options.Epochs, exampleCount, batchSize);
        var order = new int[exampleCount];
        var clock = Stopwatch.StartNew();
        var examples = 0L;
        var (cause, reason) = (StopCause.Finished, "finished all epochs");
        var stop = false;

        // The interval in Stopwatch ticks: one timestamp read and a comparison per batch, allocating nothing.
        var interval = Options.CheckpointPath is not null && Options.CheckpointInterval is { } every
            ? (long)Math.Min(long.MaxValue / 2, every.TotalSeconds * Stopwatch.Frequency)
            : -1;
        var nextCheckpoint = Stopwatch.GetTimestamp() + interval;

        if (Options.Patience > 0 && _evaluationsSinceBest >= Options.Patience)
        {
            // Resumed from the checkpoint of a run that early stopping ended: it stays ended.
            (cause, reason, stop) = (StopCause.NoImprovement, $"no improvement in {Options.Patience} evaluations", true);
        }
        else if (reducer is null && Volatile.Read(ref _stopRequested) != 0)
        {
            // (Distributed, a request is only seen with the first step's reduction: every rank must stop at the same step.)
            (cause, reason, stop) = (StopCause.Requested, StopRequested(batches), true);
        }

        for (; _epoch < Options.Epochs && !stop; _epoch++, _nextBatch = 0)
        {
            // The same permutation again when resuming mid-epoch: restore the RNG to before this epoch's shuffle.
            if (_nextBatch == 0)
            {
                _epochRng = _rng.State;
            }
            else
            {
                _rng.State = _epochRng;
            }

            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            if (Options.Shuffle)
            {
                _rng.Shuffle(order.AsSpan());
            }

            for (; _nextBatch < batches; _nextBatch++)
            {
                var start = _nextBatch * batchSize;
                var batch = order.AsSpan(start, Math.Min(batchSize, exampleCount - start));

                Parameters.ZeroGradients();
                var checkpointDue = interval >= 0 && Stopwatch.GetTimestamp() >= nextCheckpoint; // read again after a local step
                var timeUp = Options.MaxDuration is { } limit && clock.Elapsed >= limit;
                var stopAsked = Volatile.Read(ref _stopRequested) != 0;
                var loss = reducer is null ? double.CreateChecked(step(batch)) : DistributedStep(reducer, step, batch, ref timeUp, ref stopAsked, ref checkpointDue);
                examples += batch.Length;
                var nonFinite = CheckFinite(loss);
                if (nonFinite is null)
                {
                    Optimizer.LearningRate = Schedule.At(Optimizer.StepCount) * _rateScale;
                    if (reducer is { Sharded: true })
                    {
                        Optimizer.Step(reducer.Parts); // this rank's part of each sharded parameter...
                        reducer.GatherParameters(); // ...then every rank's
                    }
                    else
                    {
                        Optimizer.Step();
                    }

                    UpdateAverage();
                    Losses.Add(loss);
                    observer?.OnStep(new TrainingProgress(
                        Optimizer.StepCount, totalSteps, _epoch, Options.Epochs, loss, Optimizer.LearningRate,
                        examples / Math.Max(1e-9, clock.Elapsed.TotalSeconds), clock.Elapsed));
                }
                else if (Options.SkipNonFiniteBatches)
                {
                    Parameters.ZeroGradients();
                    _skippedBatches++;
                    observer?.OnSkippedBatch(Optimizer.StepCount + 1, _epoch, _nextBatch, nonFinite);
                }
                else
                {
                    throw NonFinite(nonFinite, loss, batches, start, batch);
                }

                // A skipped batch is no step: step-counted evaluations and checkpoints wait for the next one.
                var stepped = nonFinite is null;
                var evaluateNow = stepped && evaluate is not null && Options.EvaluateEvery > 0 && Optimizer.StepCount % Options.EvaluateEvery == 0;
                var endOfEpoch = _nextBatch == batches - 1;
                var evaluated = evaluate is not null && (evaluateNow || (Options.EvaluateEvery == 0 && endOfEpoch));
                if (evaluated && Evaluate(evaluate!, observer))
                {
                    (cause, reason, stop) = (StopCause.NoImprovement, $"no improvement in {Options.Patience} evaluations", true);
                }

                if (!stop && Options.MaxSteps is { } max && Optimizer.StepCount >= max)
                {
                    (cause, reason, stop) = (StopCause.MaxSteps, $"reached {max} steps", true);
                }
                else if (!stop && Options.MaxDuration is { } duration && (reducer is null ? clock.Elapsed >= duration : timeUp))
                {
                    (cause, reason, stop) = (StopCause.TimeLimit, $"reached the time limit of {duration.TotalMinutes:0.##} minutes", true);
                }
                else if (!stop && (reducer is null ? Volatile.Read(ref _stopRequested) != 0 : stopAsked))
                {
                    _stopRequester = _stopRequester.Length > 0 ? _stopRequester : "another rank";
                    (cause, reason, stop) = (StopCause.Requested, StopRequested(batches, _nextBatch + 1), true);
                }

                var periodic = (stepped && Options.CheckpointEvery > 0 && Optimizer.StepCount % Options.CheckpointEvery == 0)
                    || (reducer is null ? interval >= 0 && Stopwatch.GetTimestamp() >= nextCheckpoint : checkpointDue);
                if (Options.CheckpointPath is not null && (evaluated || periodic || stop))
                {
                    // The batch just run is done: a resume starts at the next one.
                    _nextBatch++;
                    try
                    {
                        SaveCheckpoint(Options.CheckpointPath, observer);
                    }
                    finally
                    {
                        _nextBatch--;
                    }

                    nextCheckpoint = Stopwatch.GetTimestamp() + interval;
                }

                if (stop)
                {
                    _nextBatch++;
                    break;
                }
            }

            if (stop && _nextBatch < batches)
            {
                break; // keep the position inside this epoch
            }
        }

        _reducer?.GatherState(Optimizer); // the optimizer's state whole again on every rank, for whoever reads it next

        // A run that ends without a checkpoint of its last step (no evaluation at the end, or stopped before its
        // first batch) writes one, so that every way of stopping can be resumed.
        if (Options.CheckpointPath is { } path && _saved != (Optimizer.StepCount, _skippedBatches))
        {
            SaveCheckpoint(path, observer);
        }

        if (cause == StopCause.Requested && Options.CheckpointPath is not null)
        {
            reason += $"; checkpoint of step {Optimizer.StepCount} written to {Path.GetFullPath(Options.CheckpointPath)}";
        }

        Volatile.Write(ref _stopRequested, 0);
        if (!(Options.RestoreBest && UseBest()))
        {
            for (var i = 0; _average is not null && i < Parameters.Count; i++)
            {
                Parameters[i].Value.CopyFrom(_average[i]);
            }
        }

        _reducer = null;
        var result = new TrainingResult(Optimizer.StepCount, _bestMetric, _bestStep, reason, clock.Elapsed) { SkippedBatches = _skippedBatches, Cause = cause };
        observer?.OnEnd(result);
        return result;
    }

    /// <summary>
    /// Copies the best parameters kept so far (those of the lowest evaluation, restored from a checkpoint too) into
    /// <see cref="Parameters"/>; returns false, changing nothing, when no evaluation has been made.
    /// </summary>
    public bool UseBest()
    {
        if (_best is null)
        {
            return false;
        }

        for (var i = 0; i < Parameters.Count; i++)
        {
            Parameters[i].Value.CopyFrom(_best[i]);
        }

        return true;
    }

    /// <summary>The stop reason of <see cref="RequestStop"/>: who asked, and where in the epoch training stopped.</summary>
    private string StopRequested(int batches, int? batchesDone = null) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"stopped on request ({_stopRequester}) in epoch {_epoch + 1} after batch {batchesDone ?? _nextBatch} of {batches}");

    /// <summary>
    /// Null when the loss and the gradients are finite, else what is not. With clipping, the gradients' global norm
    /// (which clipping computes anyway) must be finite; without, every element (one pass, allocating nothing).
    /// </summary>
    private string? CheckFinite(double loss)
    {
        if (!double.IsFinite(loss))
        {
            return $"the loss is {loss.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        if (Options.ClipGradientNorm is { } clip)
        {
            var norm = _reducer is { Sharded: true } sharded ? sharded.GradientNorm() : Parameters.GradientNorm();
            if (!T.IsFinite(norm))
            {
                return $"the gradients' global norm is {double.CreateChecked(norm).ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            }

            Parameters.ClipGradientNorm(T.CreateChecked(clip), norm);
            return null;
        }

        var nonFinite = _reducer is { Sharded: true } parts ? parts.NonFiniteGradient() : Parameters.NonFiniteGradient();
        return nonFinite is { } name ? $"the gradient of '{name}' is not finite" : null;
    }

    /// <summary>The exception for a batch that is not finite: where it is, and what to try.</summary>
    private NonFiniteLossException NonFinite(string what, double loss, int batches, int start, ReadOnlySpan<int> batch)
    {
        const int shown = 16;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var examples = batch.ToArray();
        var indices = string.Join(", ", examples.Take(shown)) + (examples.Length > shown ? $", … ({examples.Length} in all)" : string.Empty);
        var message =
            string.Create(inv, $"Training stopped at step {Optimizer.StepCount + 1} (epoch {_epoch + 1} of {Options.Epochs}, batch {_nextBatch + 1} of {batches}: positions {start}-{start + examples.Length - 1} of the epoch's order, example indices {indices}): {what}. ") +
            string.Create(inv, $"The step was not applied: the parameters are those after step {Optimizer.StepCount}, and the gradients are left as computed. ") +
            "Try a lower learning rate, clipping (TrainingOptions.ClipGradientNorm), checking these examples for NaN or infinite values, " +
            "or TrainingOptions.SkipNonFiniteBatches = true to skip such batches.";
        return new NonFiniteLossException(message, Optimizer.StepCount + 1, _epoch, _nextBatch, examples, loss);
    }

    /// <summary>a ← a + (1 − β)·(θ − a), starting from the parameters after the first update.</summary>
    private void UpdateAverage()
    {
        if (Options.AverageDecay is not { } decay)
        {
            return;
        }

        if (_average is null)
        {
            _average = Parameters.Select(p => p.Value.Clone()).ToArray();
            return;
        }

        var weight = T.CreateChecked(1 - decay);
        for (var i = 0; i < _average.Length; i++)
        {
            TensorPrimitives.Lerp(_average[i].Span, Parameters[i].Value.Span, weight, _average[i].Span);
        }
    }

    /// <summary>Runs an evaluation (of the averaged parameters, if averaging); returns true when early stopping should stop training.</summary>
    private bool Evaluate(Func<double> evaluate, ITrainingObserver? observer)
    {
        if (_average is not null)
        {
            _current ??= Parameters.Select(p => new DTensor<T>(p.Value.Shape.ToArray())).ToArray();
            for (var i = 0; i < _average.Length; i++)
            {
                _current[i].CopyFrom(Parameters[i].Value);
                Parameters[i].Value.CopyFrom(_average[i]);
            }
        }

        try
        {
            return Evaluate(evaluate(), observer);
        }
        finally
        {
            for (var i = 0; _average is not null && i < _average.Length; i++)
            {
                Parameters[i].Value.CopyFrom(_current![i]);
            }
        }
    }

    private bool Evaluate(double metric, ITrainingObserver? observer)
    {
        Evaluations.Add((Optimizer.StepCount, metric));
        if (!(metric < _bestMetric * (1 - Options.PlateauThreshold)))
        {
            _rateScale *= Options.PlateauFactor;
        }

        var improved = metric < _bestMetric;
        if (improved)
        {
            _bestMetric = metric;
            _bestStep = Optimizer.StepCount;
            _evaluationsSinceBest = 0;
            _best ??= Parameters.Select(p => new DTensor<T>(p.Value.Shape.ToArray())).ToArray();
            for (var i = 0; i < Parameters.Count; i++)
            {
                _best[i].CopyFrom(Parameters[i].Value);
            }
        }
        else
        {
            _evaluationsSinceBest++;
        }

        observer?.OnEvaluation(Optimizer.StepCount, _epoch, metric, improved);
        return Options.Patience > 0 && _evaluationsSinceBest >= Options.Patience;
    }

    private void SaveCheckpoint(string path, ITrainingObserver? observer)
    {
        _reducer?.GatherState(Optimizer); // each rank's part of the optimizer's state, to every rank
        _saved = (Optimizer.StepCount, _skippedBatches); // on every rank, so that every rank takes the same path (collectives)
        if (Options.Communicator is { Rank: not 0 })
        {
            return; // every rank holds the same state: rank 0 alone writes it
        }

        CheckpointFile.Save(path, CreateCheckpoint(), Options.KeepCheckpoints);
        observer?.OnCheckpoint(Optimizer.StepCount, path);
    }

    /// <summary>
    /// A checkpoint of the current state: parameters, optimizer state, the best and averaged parameters, the carried
    /// state, the position in the epoch and the RNG state that shuffled it, the plateau and early-stopping state, and
    /// the loss and evaluation history.
    /// </summary>
    public Checkpoint<T> CreateCheckpoint()
    {
        var checkpoint = new Checkpoint<T>
        {
            Step = Optimizer.StepCount,
            Epoch = _epoch,
            NextBatch = _nextBatch,
            EpochRng = _nextBatch == 0 ? _rng.State : _epochRng,
            BestMetric = _bestMetric,
            EvaluationsSinceBest = _evaluationsSinceBest,
        };
        checkpoint.Losses.AddRange(Losses);
        checkpoint.Evaluations.AddRange(Evaluations);
        foreach (var (key, value) in Metadata)
        {
            checkpoint.Metadata[key] = value;
        }

        checkpoint.Metadata["bestStep"] = _bestStep.ToString(System.Globalization.CultureInfo.InvariantCulture);
        checkpoint.Metadata["rateScale"] = _rateScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        checkpoint.Metadata["skippedBatches"] = _skippedBatches.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var parameter in Parameters)
        {
            checkpoint.Tensors.Add(("parameter/" + parameter.Name, parameter.Value.Clone()));
        }

        foreach (var (name, tensor) in Optimizer.State)
        {
            checkpoint.Tensors.Add(("optimizer/" + name, tensor.Clone()));
        }

        for (var i = 0; _best is not null && i < _best.Length; i++)
        {
            checkpoint.Tensors.Add(("best/" + Parameters[i].Name, _best[i].Clone()));
        }

        for (var i = 0; _average is not null && i < _average.Length; i++)
        {
            checkpoint.Tensors.Add(("average/" + Parameters[i].Name, _average[i].Clone()));
        }

        foreach (var (name, tensor) in CarriedState)
        {
            checkpoint.Tensors.Add(("carried/" + name, tensor.Clone()));
        }

        return checkpoint;
    }

    /// <summary>Restores a checkpoint written by <see cref="CreateCheckpoint"/>; training then continues exactly where it stopped.</summary>
    public void Restore(Checkpoint<T> checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        foreach (var parameter in Parameters)
        {
            CopyChecked(checkpoint.Get("parameter/" + parameter.Name), parameter.Value, parameter.Name);
        }

        foreach (var (name, tensor) in Optimizer.State)
        {
            CopyChecked(checkpoint.Get("optimizer/" + name), tensor, name);
        }

        foreach (var (name, tensor) in CarriedState)
        {
            if (checkpoint.Tensors.Any(t => t.Name == "carried/" + name))
            {
                CopyChecked(checkpoint.Get("carried/" + name), tensor, name);
            }
        }

        if (checkpoint.Tensors.Any(t => t.Name.StartsWith("best/", StringComparison.Ordinal)))
        {
            _best = Parameters.Select(p => checkpoint.Get("best/" + p.Name).Clone()).ToArray();
        }

        // A checkpoint written without averaging starts the average at its parameters (at step 0 the first update
        // starts it, as in a run that was never interrupted).
        _average = Options.AverageDecay is null ? null
            : checkpoint.Tensors.Any(t => t.Name.StartsWith("average/", StringComparison.Ordinal))
                ? Parameters.Select(p => checkpoint.Get("average/" + p.Name).Clone()).ToArray()
                : checkpoint.Step == 0 ? null : Parameters.Select(p => p.Value.Clone()).ToArray();

        Optimizer.RestoreStepCount(checkpoint.Step);
        _epoch = checkpoint.Epoch;
        _nextBatch = checkpoint.NextBatch;
        _epochRng = checkpoint.EpochRng;
        _rng.State = checkpoint.EpochRng;
        _bestMetric = checkpoint.BestMetric;
        _evaluationsSinceBest = checkpoint.EvaluationsSinceBest;
        _bestStep = checkpoint.Metadata.TryGetValue("bestStep", out var best) ? long.Parse(best, System.Globalization.CultureInfo.InvariantCulture) : 0;
        _rateScale = checkpoint.Metadata.TryGetValue("rateScale", out var scale) ? double.Parse(scale, System.Globalization.CultureInfo.InvariantCulture) : 1;
        _skippedBatches = checkpoint.Metadata.TryGetValue("skippedBatches", out var skipped) ? long.Parse(skipped, System.Globalization.CultureInfo.InvariantCulture) : 0;
        _saved = (checkpoint.Step, _skippedBatches);
        Losses.Clear();
        Losses.AddRange(checkpoint.Losses);
        Evaluations.Clear();
        Evaluations.AddRange(checkpoint.Evaluations);
        foreach (var (key, value) in checkpoint.Metadata)
        {
            Metadata[key] = value;
        }
    }

    private static void CopyChecked(DTensor<T> source, DTensor<T> target, string name)
    {
        if (!source.HasSameShape(target))
        {
            throw new InvalidDataException($"The checkpoint's '{name}' is {source.ShapeText} but the model's is {target.ShapeText}.");
        }

        target.CopyFrom(source);
    }
}
