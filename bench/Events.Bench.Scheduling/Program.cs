using System.Globalization;
using Events.Grains.Scheduling;

// Organiser-run meeting scheduling, outside the server.
//   solve  [--seconds S] [--workers W]   reads a problem (JSON) on standard input, writes the CP-SAT schedule (JSON)
//   greedy                               the same with the first-free-slot baseline
//   generate --seed N                    writes one generated instance (JSON)
//   bounds [--count N] [--seed N] [--seconds S]  prints the proven floors on the gaps of N generated instances
//   branch [--seed N] [--meeting ID] [--seconds S]  prints those floors with one meeting held to each of its slots
//   compare [--count N] [--seed N] [--seconds S] [--workers W] [--infeasible] [--params "cp-sat parameters"] [--local F]
//                                        generates N instances and prints greedy beside CP-SAT;
//                                        --infeasible: instances drawn without a schedule behind them,
//                                        some of which cannot be fully placed; --local: the part of the
//                                        time limit by which the local search hands over to CP-SAT
// Run: dotnet run -c Release --project bench/Events.Bench.Scheduling -- compare
var mode = args.Length > 0 ? args[0] : "compare";
var seconds = Option("--seconds", 9.0);
var workers = (int)Option("--workers", SchedulerOptions.DefaultWorkers);
var options = new SchedulerOptions(TimeSpan.FromSeconds(seconds), workers, Text("--params") ?? "", Option("--local", 0.8));
try
{
    switch (mode)
    {
        case "solve":
            Console.WriteLine(SchedulingJson.Write(CpSatScheduler.Solve(SchedulingJson.ReadProblem(Console.In.ReadToEnd()), options)));
            return 0;
        case "greedy":
            Console.WriteLine(SchedulingJson.Write(GreedyScheduler.Solve(SchedulingJson.ReadProblem(Console.In.ReadToEnd()))));
            return 0;
        case "generate":
            Console.WriteLine(SchedulingJson.Write(SchedulingInstances.Generate((int)Option("--seed", 1), !args.Contains("--infeasible"))));
            return 0;
        case "bounds":
            Bounds((int)Option("--count", 10), (int)Option("--seed", 1), seconds);
            return 0;
        case "branch":
            Branch((int)Option("--seed", 1), Text("--meeting"), seconds);
            return 0;
        case "compare":
            Compare((int)Option("--count", 10), (int)Option("--seed", 1), options, !args.Contains("--infeasible"));
            return 0;
        default:
            Console.Error.WriteLine($"unknown mode '{mode}': solve, greedy, generate, bounds, branch or compare");
            return 2;
    }
}
catch (ProblemInvalidException e)
{
    Console.Error.WriteLine($"invalid problem: {e.Message}");
    return 2;
}
catch (System.Text.Json.JsonException e)
{
    Console.Error.WriteLine($"invalid JSON: {e.Message}");
    return 2;
}

string? Text(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

double Option(string name, double fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && double.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

static void Compare(int count, int firstSeed, SchedulerOptions options, bool feasible)
{
    Console.WriteLine($"CP-SAT: time limit {options.TimeLimit.TotalSeconds:0.#} s, {options.Workers} workers, {Environment.ProcessorCount} cores, {(feasible ? "feasible" : "unchecked")} instances {options.Parameters}");
    Console.WriteLine("seed  people meetings tables slots | greedy placed gaps     s | cp-sat placed gaps bound spread optimal      s");
    int fullyPlaced = 0, optimal = 0, worse = 0, within = 0;
    for (var seed = firstSeed; seed < firstSeed + count; seed++)
    {
        var problem = SchedulingInstances.Generate(seed, feasible);
        var greedy = GreedyScheduler.Solve(problem);
        var sat = CpSatScheduler.Solve(problem, options);
        fullyPlaced += sat.Unscheduled.IsEmpty ? 1 : 0;
        optimal += sat.Optimal ? 1 : 0;
        within += sat.Seconds <= 10 ? 1 : 0;
        worse += sat.Scheduled.Length < greedy.Scheduled.Length || (sat.Scheduled.Length == greedy.Scheduled.Length && sat.Gaps > greedy.Gaps) ? 1 : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{seed,4} {problem.Participants.Length,7} {problem.Meetings.Length,8} {problem.Tables,6} {problem.Slots.Length,5} | {greedy.Scheduled.Length,13} {greedy.Gaps,4} {greedy.Seconds,5:0.00} | {sat.Scheduled.Length,13} {sat.Gaps,4} {sat.LowerBound,5} {sat.Spread,6} {(sat.Optimal ? "yes" : "no"),7} {sat.Seconds,6:0.00}"));
    }

    Console.WriteLine($"{count} instances: {fullyPlaced} fully placed, {optimal} with the gap count proven minimal, {within} within 10 s, {worse} worse than greedy");
}

static void Bounds(int count, int firstSeed, double seconds)
{
    Console.WriteLine("seed  people meetings tables slots | person floor  crowded  pattern LP  bound      s");
    for (var seed = firstSeed; seed < firstSeed + count; seed++)
    {
        var problem = SchedulingInstances.Generate(seed);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (floor, forced, pattern) = CpSatScheduler.LowerBounds(problem, seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{seed,4} {problem.Participants.Length,7} {problem.Meetings.Length,8} {problem.Tables,6} {problem.Slots.Length,5} | {floor,12} {forced,8} {pattern,11} {Math.Max(floor + forced, pattern),6} {watch.Elapsed.TotalSeconds,6:0.00}"));
    }
}

// The proven floors of one generated instance with one meeting held to each slot it may take in
// turn (a branch of depth one): every schedule puts that meeting in one of those slots, so the
// lowest of the branches' floors is a floor of the whole instance. Without --meeting it takes the
// meeting between the two people with the most meetings between them.
static void Branch(int seed, string? meetingId, double seconds)
{
    var problem = SchedulingInstances.Generate(seed);
    var count = problem.Meetings.SelectMany(m => new[] { m.A, m.B }).GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
    var meeting = meetingId is null ? problem.Meetings.MaxBy(m => count[m.A] + count[m.B])! : problem.Meetings.Single(m => m.Id == meetingId);
    var off = problem.Participants.ToDictionary(p => p.Id, p => p.Unavailable.IsDefault ? [] : p.Unavailable.ToHashSet());
    Console.WriteLine($"seed {seed}, meeting {meeting.Id}: {meeting.A} ({count[meeting.A]} meetings) and {meeting.B} ({count[meeting.B]}), session {meeting.Session}");
    Console.WriteLine("slot  person floor  crowded  pattern LP  bound");
    var lowest = int.MaxValue;
    foreach (var slot in problem.Slots.Where(s => !off[meeting.A].Contains(s.Id) && !off[meeting.B].Contains(s.Id) && (meeting.Session is null or "" or "any" || meeting.Session == s.Session)))
    {
        // A published meeting keeps its slot, so every bound below sees the meeting held there.
        var held = problem with { Meetings = [.. problem.Meetings.Select(m => m.Id == meeting.Id ? m with { Published = new PlacedAt(slot.Id, 1) } : m)] };
        var (floor, forced, pattern) = CpSatScheduler.LowerBounds(held, seconds);
        var bound = Math.Max(floor + forced, pattern);
        lowest = Math.Min(lowest, bound);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{slot.Id,4} {floor,13} {forced,8} {pattern,11} {bound,6}"));
    }

    Console.WriteLine($"floor over all branches: {lowest}");
}
