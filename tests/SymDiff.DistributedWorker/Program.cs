using SymDiff;
using SymDiff.Distributed;
using SymDiff.DistributedWorker;

// Started by the tests under `mpirun -np N`: `collectives`, `train <losses> [<checkpoint> <max-steps>] [--resume] [--no-shard] [--rank0-clock]`,
// `fail`. Exit code 0 when the rank's checks pass.
using var world = Communicator.Initialize();
Compute.Threads = 1; // the ranks share the cores

try
{
    switch (args.FirstOrDefault())
    {
        case "collectives":
            Console.WriteLine($"rank {world.Rank} of {world.Size}: {CollectiveChecks.Run(world)} collective checks passed ({world.Library})");
            return 0;
        case "train" when args.Length >= 2:
            var run = new SmallRun
            {
                Checkpoint = args.Length >= 4 ? args[2] : null,
                MaxSteps = args.Length >= 4 ? long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : SmallRun.Steps,
                Resume = args.Contains("--resume"),
                Shard = !args.Contains("--no-shard"),
                CheckpointByRankZerosClock = args.Contains("--rank0-clock"),
            };
            var trained = run.Train(world);
            if (world.Rank == 0)
            {
                trained.Write(args[1]);
            }

            Console.WriteLine($"rank {world.Rank} of {world.Size}: trained {trained.Losses.Count} steps, communication {world.CommunicationTime.TotalMilliseconds:F1} ms");
            return 0;
        case "fail":
            new SmallRun { FailingRank = 1, FailAtStep = 3 }.Train(world);
            Console.WriteLine($"rank {world.Rank}: the failing run returned");
            return 0;
        default:
            Console.Error.WriteLine("usage: SymDiff.DistributedWorker collectives | train <losses> [<checkpoint> <max-steps>] [--resume] [--no-shard] [--rank0-clock] | fail");
            return 2;
    }
}
catch (Exception error)
{
    world.Abort(error);
    return 1; // not reached: Abort ends the job
}
