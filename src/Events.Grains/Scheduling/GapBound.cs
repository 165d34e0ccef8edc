using System.Globalization;
using Google.OrTools.Sat;

namespace Events.Grains.Scheduling;

// A floor on the gaps of any schedule that places every meeting that has a slot, computed apart
// from the search. People are split into disjoint groups; for each group a small problem keeps only
// the meetings that touch it (with everyone's "one meeting at a time" and the tables) and counts
// only the group's gaps. Each small problem is a relaxation of the whole one, so its minimum (or
// CP-SAT's proven bound on it, when time runs out) is at most what the group costs in any full
// schedule, and the groups' floors add up. Small problems are proven in milliseconds where the full
// model's relaxation stalls near zero: three people who all meet each other and nobody else cost
// one gap, which no linear relaxation of the whole day sees.
public static class GapBound
{
    // TEMP experiment entry.
    public static (int Bound, double Seconds) Experiment(SchedulingProblem problem, Schedule found, int groupSize, int ring, double secondsEach)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var model = new ScheduleModel(problem);
        var slotIndex = problem.Slots.Select((s, i) => (s.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var bySlot = found.Scheduled.ToDictionary(s => s.Meeting, s => slotIndex[s.Slot]);
        var slotOf = problem.Meetings.Select(m => bySlot.TryGetValue(m.Id, out var s) ? s : -1).ToArray();
        var groups = Groups(model, slotOf, groupSize);
        return (Compute(model, groups, secondsEach, ring, default), watch.Elapsed.TotalSeconds);
    }

    internal static List<int[]> Groups(ScheduleModel model, int[] slotOf, int size)
    {
        var gapsOf = new int[model.PersonCount];
        for (var p = 0; p < model.PersonCount; p++)
        {
            var busy = new bool[model.SlotCount];
            for (var m = 0; m < model.MeetingCount; m++)
            {
                if (slotOf[m] >= 0 && (model.A[m] == p || model.B[m] == p))
                {
                    busy[slotOf[m]] = true;
                }
            }

            var blocks = Enumerable.Range(0, model.SlotCount).Count(s => busy[s] && (s == 0 || !busy[s - 1]));
            gapsOf[p] = Math.Max(0, blocks - 1);
        }

        var neighbours = Enumerable.Range(0, model.PersonCount).Select(_ => new HashSet<int>()).ToArray();
        for (var m = 0; m < model.MeetingCount; m++)
        {
            neighbours[model.A[m]].Add(model.B[m]);
            neighbours[model.B[m]].Add(model.A[m]);
        }

        var grouped = new bool[model.PersonCount];
        var groups = new List<int[]>();
        foreach (var seed in Enumerable.Range(0, model.PersonCount).OrderByDescending(p => gapsOf[p]).ThenByDescending(p => neighbours[p].Count))
        {
            if (grouped[seed])
            {
                continue;
            }

            var group = new List<int> { seed };
            grouped[seed] = true;
            while (group.Count < size)
            {
                var next = group.SelectMany(p => neighbours[p]).Where(q => !grouped[q]).Distinct()
                    .OrderByDescending(q => group.Count(g => neighbours[g].Contains(q))).ThenByDescending(q => gapsOf[q])
                    .FirstOrDefault(-1);
                if (next < 0)
                {
                    break;
                }

                group.Add(next);
                grouped[next] = true;
            }

            groups.Add([.. group]);
        }

        return groups;
    }

    // Groups: disjoint sets of person indices. Ring: how many steps out from a group its people's
    // partners' other meetings are kept too (0: only the group's own meetings).
    internal static int Compute(ScheduleModel model, IEnumerable<int[]> groups, double secondsEach, int ring, CancellationToken cancel)
    {
        var total = 0;
        foreach (var group in groups)
        {
            if (cancel.IsCancellationRequested)
            {
                break;
            }

            total += Solve(model, group, secondsEach, ring, cancel);
        }

        return total;
    }

    // The fewest gaps the group's people can have together, or CP-SAT's bound on it.
    internal static int Solve(ScheduleModel model, int[] group, double seconds, int ring, CancellationToken cancel)
    {
        var reach = new HashSet<int>(group);
        for (var step = 0; step < ring; step++)
        {
            var next = new HashSet<int>(reach);
            for (var m = 0; m < model.MeetingCount; m++)
            {
                if (reach.Contains(model.A[m]) || reach.Contains(model.B[m]))
                {
                    next.Add(model.A[m]);
                    next.Add(model.B[m]);
                }
            }

            reach = next;
        }

        var n = model.SlotCount;
        var cp = new CpModel();
        var atSlot = new List<BoolVar>[n];
        var personAt = new Dictionary<(int Person, int Slot), List<BoolVar>>();
        for (var s = 0; s < n; s++)
        {
            atSlot[s] = [];
        }

        for (var m = 0; m < model.MeetingCount; m++)
        {
            // Kept: the meetings of the people within the ring.
            var slots = model.Fixed[m] >= 0 ? [model.Fixed[m]] : model.Allowed[m];
            if (slots.Length == 0 || !(reach.Contains(model.A[m]) || reach.Contains(model.B[m])))
            {
                continue;
            }

            var x = slots.Select(s => cp.NewBoolVar($"x{m}_{s}")).ToArray();
            cp.AddExactlyOne(x);
            for (var k = 0; k < slots.Length; k++)
            {
                atSlot[slots[k]].Add(x[k]);
                foreach (var p in new[] { model.A[m], model.B[m] })
                {
                    if (!personAt.TryGetValue((p, slots[k]), out var list))
                    {
                        personAt[(p, slots[k])] = list = [];
                    }

                    list.Add(x[k]);
                }
            }
        }

        foreach (var list in personAt.Values.Where(l => l.Count > 1))
        {
            cp.AddAtMostOne(list);
        }

        if (model.Capacity != int.MaxValue)
        {
            foreach (var meetings in atSlot.Where(a => a.Count > model.Capacity))
            {
                cp.Add(LinearExpr.Sum(meetings) <= model.Capacity);
            }
        }

        var starts = new List<BoolVar>();
        var people = 0;
        foreach (var p in group)
        {
            var busy = Enumerable.Range(0, n)
                .Select(s => personAt.TryGetValue((p, s), out var list) ? LinearExpr.Sum(list) : null)
                .ToArray();
            if (busy.All(b => b is null))
            {
                continue;
            }

            // Only the floor matters here: a block may start at s when s is busy and s-1 is not.
            var own = new List<BoolVar>();
            for (var s = 0; s < n; s++)
            {
                if (busy[s] is not { } now)
                {
                    continue;
                }

                var start = cp.NewBoolVar($"start{p}_{s}");
                cp.Add(s > 0 && busy[s - 1] is { } before ? start >= now - before : start >= now);
                own.Add(start);
            }

            cp.Add(LinearExpr.Sum(own) >= 1);
            starts.AddRange(own);
            people++;
        }

        if (people == 0)
        {
            return 0;
        }

        cp.Minimize(LinearExpr.Sum(starts) - people);
        var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture, $"max_time_in_seconds:{seconds:0.###} num_workers:1"),
        };
        using var stop = cancel.Register(solver.StopSearch);
        var status = solver.Solve(cp);
        return status switch
        {
            CpSolverStatus.Optimal => (int)Math.Round(solver.ObjectiveValue),
            CpSolverStatus.Feasible => Math.Max(0, (int)Math.Ceiling(solver.BestObjectiveBound - 1e-6)),
            _ => 0,
        };
    }
}
