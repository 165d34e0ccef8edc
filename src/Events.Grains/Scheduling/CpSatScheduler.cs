using System.Diagnostics;
using System.Globalization;
using Google.OrTools.Sat;

namespace Events.Grains.Scheduling;

// Parameters: more CP-SAT parameters in its text format, for the bench's experiments.
// LocalSearchShare: the part of the time limit by which the local search must hand over to CP-SAT.
public sealed record SchedulerOptions(TimeSpan TimeLimit, int Workers, string Parameters = "", double LocalSearchShare = 0.8)
{
    public static SchedulerOptions Default { get; } = new(TimeSpan.FromSeconds(20), DefaultWorkers);

    // One CP-SAT worker per core, at most 8: more workers than cores only share the same cores.
    public static int DefaultWorkers => Math.Clamp(Environment.ProcessorCount, 1, 8);
}

// Phase: 1 placing as many meetings as possible, 2 fewest gaps, 3 fairness. Value: that phase's
// best objective so far (meetings placed, gaps, spread).
[GenerateSerializer, Immutable]
public sealed record SchedulerProgress(int Phase, long Value);

// Every wanted meeting gets a slot with CP-SAT, in lexicographic phases on one model: the most
// meetings placed, then (with that many placed) the fewest gaps, then (with those gaps) the
// smallest spread of gaps between people. Each phase starts from the previous one's schedule, the
// first from the greedy one, and a phase's answer is taken only when it is better, so the result is
// never worse than the greedy baseline.
public static class CpSatScheduler
{
    public static Schedule Solve(SchedulingProblem problem, SchedulerOptions? options = null, Action<SchedulerProgress>? progress = null, CancellationToken cancel = default)
    {
        options ??= SchedulerOptions.Default;
        var watch = Stopwatch.StartNew();
        var model = new ScheduleModel(problem);
        var best = GreedyScheduler.Place(model);
        var limit = options.TimeLimit;

        // Phase 1, only when the greedy schedule leaves out a meeting that has a slot: on a model
        // without the gap variables, which CP-SAT settles in a moment.
        var placeable = Enumerable.Range(0, model.MeetingCount).Count(m => model.Allowed[m].Length > 0);
        var placedProven = Placed(best) == placeable;
        if (!placedProven)
        {
            var lean = new SatModel(model, withGaps: false);
            lean.Cp.Maximize(LinearExpr.Sum(lean.Placed));
            var (status, solution) = lean.Run(best, Share(limit, watch, 0.25), options, 1, progress, cancel);
            if (solution is not null && Placed(solution) > Placed(best))
            {
                best = solution;
            }

            placedProven = status == CpSolverStatus.Optimal || Placed(best) == placeable;
        }

        // The local search finds most of the improvement in gaps; CP-SAT then improves on it and,
        // where it can, proves there is nothing better.
        // The crowding bound and then the pattern LP are settled on a thread of their own while the
        // local search (one thread) runs: under load they need seconds, and the local search can
        // stop at the per-person floor before them. One after the other, not at once: on 2 cores a
        // third busy thread cost the local search gaps (seed 7: 11 against 8).
        var floors = GapBound.PersonBlocks(model);
        var floor = floors.Sum(b => Math.Max(0, b - 1));
        var localSeconds = Share(limit, watch, options.LocalSearchShare);
        using var boundStop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var crowded = Task.Run(() => GapBound.CrowdedExcess(model, floors, localSeconds, boundStop.Token), CancellationToken.None);
        var pattern = crowded.ContinueWith(_ => PatternBound.Gaps(model, floors, Share(limit, watch, options.LocalSearchShare), boundStop.Token), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        // Both are floors on the same gaps (the LP's on all of them), so the higher one holds; the
        // local search stops as soon as it reaches whichever is known by then.
        int Known() => floor + Math.Max(crowded.IsCompletedSuccessfully ? crowded.Result : 0, pattern.IsCompletedSuccessfully ? pattern.Result - floor : 0);
        var startsPlaced = Placed(best) == placeable;
        best = GapSearch.Improve(model, best, TimeSpan.FromSeconds(localSeconds), model.MeetingCount, () => startsPlaced ? Known() : 0, cancel);
        if (model.Gaps(best).Gaps <= Known())
        {
            // Already at a proven floor: nothing above it is needed.
            boundStop.Cancel();
        }

        var forced = Math.Max(crowded.GetAwaiter().GetResult(), pattern.GetAwaiter().GetResult() - floor);
        var allPlaced = Placed(best) == placeable;

        // The local search also places meetings the first phase left out.
        placedProven |= allPlaced;
        var sat = new SatModel(model, withGaps: true, allPlaced, floors, forced);
        sat.Cp.Add(LinearExpr.Sum(sat.Placed) >= Placed(best));
        var gapsProven = model.Gaps(best).Gaps == 0 || (allPlaced && model.Gaps(best).Gaps <= sat.LowerBound);
        if (!gapsProven && !cancel.IsCancellationRequested)
        {
            sat.Cp.Minimize(sat.Gaps);
            var (status, solution) = sat.Run(best, Share(limit, watch, 0.9), options, 2, progress, cancel);
            if (solution is not null && model.Gaps(solution).Gaps <= model.Gaps(best).Gaps)
            {
                best = solution;
            }

            gapsProven = status == CpSolverStatus.Optimal || (allPlaced && model.Gaps(best).Gaps <= sat.LowerBound);
        }

        var (gaps, spread) = model.Gaps(best);
        if (spread > 0 && !cancel.IsCancellationRequested)
        {
            sat.Cp.Add(sat.Gaps <= gaps);
            sat.Cp.Minimize(sat.Spread);
            var (_, solution) = sat.Run(best, Share(limit, watch, 1.0), options, 3, progress, cancel);
            // The fairness phase may also find fewer gaps (it only has to keep them at most as many).
            if (solution is not null && model.Gaps(solution) is var better && (better.Gaps < gaps || (better.Gaps == gaps && better.Spread < spread)))
            {
                best = solution;
                gapsProven |= allPlaced && better.Gaps <= sat.LowerBound;
            }
        }

        return model.Build(best, placedProven && gapsProven, watch, allPlaced ? sat.LowerBound : 0);
    }

    // The proven floors on the gaps of a schedule that places every meeting that has a slot: the
    // per-person one, the gaps the tables force above it (see GapBound), and the pattern LP's
    // bound on all the gaps (see PatternBound).
    public static (int PersonFloor, int Crowded, int Pattern) LowerBounds(SchedulingProblem problem, double seconds = 1.0)
    {
        var model = new ScheduleModel(problem);
        var floors = GapBound.PersonBlocks(model);
        return (floors.Sum(b => Math.Max(0, b - 1)), GapBound.CrowdedExcess(model, floors, seconds, CancellationToken.None),
            PatternBound.Gaps(model, floors, seconds, CancellationToken.None));
    }

    private static int Placed(int[] slotOf) => slotOf.Count(s => s >= 0);

    // What is left of the time limit up to this fraction of it, never less than a tenth of a second
    // (CP-SAT still returns the hint it was given).
    private static double Share(TimeSpan limit, Stopwatch watch, double fraction) =>
        Math.Max(0.1, (limit.TotalSeconds * fraction) - watch.Elapsed.TotalSeconds);

    // A person's gaps are the blocks of consecutive meetings in their day less one: a block starts
    // at s when s is busy and s-1 is not. The block variables are tied both ways to busy, so they
    // are exact in every phase (the fairness phase pushes the fewest gaps up, not only down).
    private sealed class SatModel
    {
        private readonly ScheduleModel _model;

        // _x[m][k]: meeting m takes slot Slots(m)[k].
        private readonly BoolVar[][] _x;

        // Kept so that a hint gives every variable its value: CP-SAT follows a complete hint at
        // once, a partial one only after a search.
        private readonly List<(int Person, int Slot, BoolVar Var)> _blockStarts = [];
        private readonly List<(int Person, BoolVar Var)> _anyMeeting = [];
        private readonly List<(int Person, int Floor, IntVar Var)> _excess = [];
        private readonly IntVar _most;
        private readonly IntVar _fewest;

        public CpModel Cp { get; } = new();

        public List<BoolVar> Placed { get; } = [];

        public LinearExpr Gaps { get; }

        public LinearExpr Spread { get; }

        // A proven floor on the gaps when every meeting is placed: the sum of each person's fewest
        // blocks (GapBound) less one, plus the gaps crowding forces above that, so a schedule that
        // reaches it is optimal whatever CP-SAT's own bound says.
        public int LowerBound { get; private set; }

        // AllPlaced: every meeting that has a slot is placed, so each person's floors[p] (their fewest
        // possible blocks, see GapBound) holds and is added as a constraint.
        // Forced: the gaps above the floors the tables force (GapBound.CrowdedExcess, PatternBound), a constraint on
        // the sum of the people's excess, so that CP-SAT's bound starts there.
        public SatModel(ScheduleModel model, bool withGaps, bool allPlaced = false, int[]? floors = null, int forced = 0)
        {
            floors ??= new int[model.PersonCount];
            _model = model;
            var n = model.SlotCount;
            _x = new BoolVar[model.MeetingCount][];
            var atSlot = new List<BoolVar>[n];
            var personAt = new List<BoolVar>[model.PersonCount, n];
            var placedOf = new List<BoolVar>[model.PersonCount];
            for (var p = 0; p < model.PersonCount; p++)
            {
                placedOf[p] = [];
                for (var s = 0; s < n; s++)
                {
                    personAt[p, s] = [];
                }
            }

            for (var s = 0; s < n; s++)
            {
                atSlot[s] = [];
            }

            for (var m = 0; m < model.MeetingCount; m++)
            {
                var slots = Slots(m);
                _x[m] = [.. slots.Select(s => Cp.NewBoolVar($"x{m}_{s}"))];
                var placed = Cp.NewBoolVar($"placed{m}");
                Cp.Add(LinearExpr.Sum(_x[m]) == placed);
                if (model.Fixed[m] >= 0 || (allPlaced && slots.Length > 0))
                {
                    Cp.Add(placed == 1);
                }

                Placed.Add(placed);
                for (var k = 0; k < slots.Length; k++)
                {
                    atSlot[slots[k]].Add(_x[m][k]);
                    personAt[model.A[m], slots[k]].Add(_x[m][k]);
                    personAt[model.B[m], slots[k]].Add(_x[m][k]);
                }

                if (slots.Length > 0)
                {
                    placedOf[model.A[m]].Add(placed);
                    placedOf[model.B[m]].Add(placed);
                }
            }

            if (model.Capacity != int.MaxValue)
            {
                foreach (var meetings in atSlot.Where(a => a.Count > model.Capacity))
                {
                    Cp.Add(LinearExpr.Sum(meetings) <= model.Capacity);
                }
            }

            _most = Cp.NewIntVar(0, n, "most");
            _fewest = Cp.NewIntVar(0, n, "fewest");
            var gaps = new List<LinearExpr>();
            var allExcess = new List<IntVar>();
            for (var p = 0; p < model.PersonCount; p++)
            {
                var busy = new LinearExpr[n];
                for (var s = 0; s < n; s++)
                {
                    if (personAt[p, s].Count > 1)
                    {
                        Cp.AddAtMostOne(personAt[p, s]);
                    }

                    busy[s] = LinearExpr.Sum(personAt[p, s]);
                }

                if (!withGaps || placedOf[p].Count < 2)
                {
                    continue;
                }

                var starts = new List<BoolVar>();
                for (var s = 0; s < n; s++)
                {
                    if (personAt[p, s].Count == 0)
                    {
                        continue;
                    }

                    var start = Cp.NewBoolVar($"block{p}_{s}");
                    Cp.Add(start <= busy[s]);
                    if (s > 0)
                    {
                        Cp.Add(start >= busy[s] - busy[s - 1]);
                        Cp.Add(start <= 1 - busy[s - 1]);
                    }
                    else
                    {
                        Cp.Add(start == busy[s]);
                    }

                    starts.Add(start);
                    _blockStarts.Add((p, s, start));
                }

                LinearExpr personGaps;
                if (allPlaced)
                {
                    // The person surely has meetings, so their gaps are their blocks less a constant:
                    // the objective is the sum of each person's excess over their floor, each from 0,
                    // so CP-SAT's bound starts at the floor (as block starts it started at minus the
                    // number of people).
                    var minBlocks = floors[p];
                    var excess = Cp.NewIntVar(0, Math.Max(0, starts.Count - minBlocks), $"excess{p}");
                    Cp.Add(LinearExpr.Sum(starts) == minBlocks + excess);
                    _excess.Add((p, minBlocks, excess));
                    allExcess.Add(excess);
                    LowerBound += minBlocks - 1;
                    personGaps = LinearExpr.Sum(starts) - 1;
                }
                else
                {
                    var any = Cp.NewBoolVar($"any{p}");
                    Cp.AddMaxEquality(any, placedOf[p]);
                    _anyMeeting.Add((p, any));
                    personGaps = LinearExpr.Sum(starts) - any;
                }

                Cp.Add(_most >= personGaps);
                Cp.Add(_fewest <= personGaps);
                gaps.Add(personGaps);
            }

            if (allPlaced && forced > 0)
            {
                Cp.Add(LinearExpr.Sum(allExcess) >= forced);
                LowerBound += forced;
            }

            Gaps = allPlaced ? LinearExpr.Sum(allExcess) + LowerBound - forced : LinearExpr.Sum(gaps);
            Spread = _most - _fewest;
        }

        private int[] Slots(int m) => _model.Fixed[m] >= 0 ? [_model.Fixed[m]] : _model.Allowed[m];

        public (CpSolverStatus Status, int[]? Solution) Run(int[] hint, double seconds, SchedulerOptions options, int phase, Action<SchedulerProgress>? progress, CancellationToken cancel)
        {
            Hint(hint);
            var solver = new CpSolver
            {
                StringParameters = string.Create(CultureInfo.InvariantCulture, $"max_time_in_seconds:{seconds:0.###} num_workers:{options.Workers} {Portfolio(phase, options)} {options.Parameters}"),
            };
            using var stop = cancel.Register(solver.StopSearch);
            using var callback = new Progress(phase, progress);
            var status = solver.Solve(Cp, callback);
            if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
            {
                return (status, null);
            }

            var solution = Enumerable.Repeat(-1, _model.MeetingCount).ToArray();
            for (var m = 0; m < _model.MeetingCount; m++)
            {
                var slots = Slots(m);
                for (var k = 0; k < slots.Length; k++)
                {
                    if (solver.BooleanValue(_x[m][k]))
                    {
                        solution[m] = slots[k];
                    }
                }
            }

            return (status, solution);
        }

        // On one or two workers CP-SAT's only full solver is default_lp, whose bound on the gaps
        // stays far below zero (-61 against 9 found on seed 1); max_lp's stronger relaxation reaches
        // 2 against 8 within seconds at about the same gaps, so the gap phase takes it unless told otherwise.
        private static string Portfolio(int phase, SchedulerOptions options) =>
            phase == 2 && options.Workers <= 2 && !options.Parameters.Contains("subsolvers", StringComparison.Ordinal) ? "subsolvers:\"max_lp\"" : "";

        private void Hint(int[] slotOf)
        {
            Cp.ClearHints();
            var busy = new bool[_model.PersonCount, _model.SlotCount];
            for (var m = 0; m < _model.MeetingCount; m++)
            {
                var slots = Slots(m);
                for (var k = 0; k < slots.Length; k++)
                {
                    Cp.AddHint(_x[m][k], slotOf[m] == slots[k]);
                }

                Cp.AddHint(Placed[m], slotOf[m] >= 0);
                if (slotOf[m] >= 0)
                {
                    busy[_model.A[m], slotOf[m]] = true;
                    busy[_model.B[m], slotOf[m]] = true;
                }
            }

            var blocks = new int[_model.PersonCount];
            foreach (var (p, s, start) in _blockStarts)
            {
                var value = busy[p, s] && (s == 0 || !busy[p, s - 1]);
                blocks[p] += value ? 1 : 0;
                Cp.AddHint(start, value);
            }

            foreach (var (p, floor, excess) in _excess)
            {
                Cp.AddHint(excess, blocks[p] - floor);
            }

            var gaps = new List<int>();
            foreach (var (p, any) in _anyMeeting)
            {
                Cp.AddHint(any, blocks[p] > 0);
                gaps.Add(Math.Max(0, blocks[p] - 1));
            }

            if (gaps.Count > 0)
            {
                Cp.AddHint(_most, gaps.Max());
                Cp.AddHint(_fewest, gaps.Min());
            }
        }
    }

    private sealed class Progress(int phase, Action<SchedulerProgress>? report) : CpSolverSolutionCallback
    {
        public override void OnSolutionCallback() => report?.Invoke(new SchedulerProgress(phase, (long)Math.Round(ObjectiveValue())));
    }
}
