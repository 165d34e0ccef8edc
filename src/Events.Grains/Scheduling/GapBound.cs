using System.Globalization;
using System.Numerics;
using Google.OrTools.Sat;
using Google.OrTools.Util;

namespace Events.Grains.Scheduling;

// A floor on the gaps of any schedule that places every meeting that has a slot, computed apart
// from the search: each person needs at least as many blocks of consecutive meetings as the fewest
// that can hold all their meetings, each in a slot it may take. The full model's linear relaxation
// does not see this (its bound stalled at 1-2 against 8 found), so a schedule that reaches the
// floor is proven minimal here rather than by CP-SAT.
internal static class GapBound
{
    // Each person's fewest blocks of consecutive meetings, given only which slots each of their
    // meetings may take (both people free, the half-day kept): per person, not per group, and
    // exact up to two blocks, which is where nearly everyone is. A person who cannot fit in two
    // blocks is counted at three or more. 0 for someone without meetings.
    public static int[] PersonBlocks(ScheduleModel model)
    {
        var n = model.SlotCount;
        var masks = MeetingMasks(model);
        var blocks = new int[model.PersonCount];
        for (var p = 0; p < model.PersonCount; p++)
        {
            blocks[p] = n > 64 ? Math.Min(1, masks[p].Length) : Blocks(masks[p], n);
        }

        return blocks;
    }

    // How many of the people whose meetings would fit one block of consecutive slots cannot all
    // have one, in any schedule that places every meeting: each of them is a gap above the
    // per-person floor, which looks at each person alone. Why it is a lower bound: take any such
    // schedule, call "kept" the people with a floor of one block who have one block there, and
    // t[m] each meeting's slot. Then everything the model below asks holds: t[m] is a slot the
    // meeting may take; a kept person's d meetings fill one run of d consecutive slots, starting
    // where all of them can fit (the same matching as the floor's), so each of their meetings'
    // t[m] lies in it; and in every slot at most twice the tables of people are in a meeting, so
    // the kept people's runs never overlap more than that. Everyone else is left free. So the
    // fewest people not kept that the model allows, as CP-SAT proves it (its bound, valid even when
    // time runs out), is at most the number of people above their floor in that schedule, and
    // each of them has at least one gap more than their floor counts. It sees the crowding that
    // one table and a ring of four people make (a test works it out by hand); it leaves out that
    // a kept person's meetings take different slots, which made the model too hard to settle.
    // One CP-SAT worker: it runs beside the local search.
    public static int CrowdedExcess(ScheduleModel model, int[] floors, double seconds, CancellationToken cancel)
    {
        var n = model.SlotCount;
        if (n > 64 || model.MeetingCount == 0)
        {
            return 0;
        }

        var masks = MeetingMasks(model);
        var cp = new CpModel();
        var tables = model.Capacity == int.MaxValue ? model.MeetingCount : model.Capacity;
        var busy = cp.AddCumulative(2L * tables);
        var kept = new List<BoolVar>();
        var keptOf = new BoolVar?[model.PersonCount];
        var startOf = new IntVar?[model.PersonCount];
        for (var p = 0; p < model.PersonCount; p++)
        {
            var d = masks[p].Length;
            if (floors[p] != 1 || d == 0)
            {
                continue;
            }

            var starts = Enumerable.Range(0, n - d + 1).Where(i => Matches(masks[p], Run(i, d))).Select(i => (long)i).ToArray();
            var start = cp.NewIntVarFromDomain(Domain.FromValues(starts), $"start{p}");
            var one = cp.NewBoolVar($"kept{p}");
            busy.AddDemand(cp.NewOptionalFixedSizeIntervalVar(start, d, one, $"block{p}"), 1);
            kept.Add(one);
            keptOf[p] = one;
            startOf[p] = start;
        }

        // A meeting between two kept people takes a slot it may take inside both their blocks.
        for (var m = 0; m < model.MeetingCount; m++)
        {
            var (a, b) = (model.A[m], model.B[m]);
            var slots = model.Fixed[m] >= 0 ? [model.Fixed[m]] : model.Allowed[m];
            if (slots.Length == 0 || (keptOf[a] is null && keptOf[b] is null))
            {
                continue;
            }

            var t = cp.NewIntVarFromDomain(Domain.FromValues([.. slots.Select(s => (long)s)]), $"t{m}");
            foreach (var p in (int[])[a, b])
            {
                if (keptOf[p] is { } k && startOf[p] is { } start)
                {
                    cp.Add(t >= start).OnlyEnforceIf(k);
                    cp.Add(t <= start + (masks[p].Length - 1)).OnlyEnforceIf(k);
                }
            }
        }

        if (kept.Count == 0)
        {
            return 0;
        }

        cp.Minimize(kept.Count - LinearExpr.Sum(kept));
        var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture, $"max_time_in_seconds:{Math.Max(0.1, seconds):0.###} num_workers:1"),
        };
        using var stop = cancel.Register(solver.StopSearch);
        var status = solver.Solve(cp);
        return status is CpSolverStatus.Optimal or CpSolverStatus.Feasible or CpSolverStatus.Unknown
            ? Math.Max(0, (int)Math.Ceiling(solver.BestObjectiveBound - 1e-6))
            : 0;
    }

    // Per person, the slots each of their meetings may take, as bit masks (slot s is bit s).
    private static ulong[][] MeetingMasks(ScheduleModel model)
    {
        var masks = new List<ulong>[model.PersonCount];
        for (var p = 0; p < model.PersonCount; p++)
        {
            masks[p] = [];
        }

        for (var m = 0; m < model.MeetingCount; m++)
        {
            var slots = model.Fixed[m] >= 0 ? [model.Fixed[m]] : model.Allowed[m];
            if (slots.Length > 0)
            {
                var bits = slots.Aggregate(0UL, (b, s) => b | (1UL << s));
                masks[model.A[m]].Add(bits);
                masks[model.B[m]].Add(bits);
            }
        }

        return [.. masks.Select(m => m.ToArray())];
    }

    private static int Blocks(ulong[] meetings, int n)
    {
        var d = meetings.Length;
        if (d == 0)
        {
            return 0;
        }

        for (var i = 0; i + d <= n; i++)
        {
            if (Matches(meetings, Run(i, d)))
            {
                return 1;
            }
        }

        for (var first = 1; first < d; first++)
        {
            for (var i = 0; i + first < n; i++)
            {
                for (var j = i + first + 1; j + d - first <= n; j++)
                {
                    if (Matches(meetings, Run(i, first) | Run(j, d - first)))
                    {
                        return 2;
                    }
                }
            }
        }

        // More than two: at least three, and at least as many as the fewest runs of the slots their
        // meetings may take that hold them all (the longest first).
        var union = meetings.Aggregate(0UL, (b, m) => b | m);
        var runs = new List<int>();
        for (var s = 0; s < n;)
        {
            var length = 0;
            while (s < n && (union & (1UL << s)) != 0)
            {
                length++;
                s++;
            }

            runs.Add(length);
            s++;
        }

        var needed = 0;
        var left = d;
        foreach (var length in runs.OrderDescending())
        {
            if (left <= 0)
            {
                break;
            }

            left -= length;
            needed++;
        }

        return Math.Max(3, needed);

    }

    private static ulong Run(int from, int length) => (length >= 64 ? ulong.MaxValue : (1UL << length) - 1) << from;

    // Whether every meeting can take its own slot among these (Kuhn's augmenting paths).
    private static bool Matches(ulong[] meetings, ulong slots)
    {
        var owner = new int[64];
        Array.Fill(owner, -1);
        ulong visited;
        for (var m = 0; m < meetings.Length; m++)
        {
            visited = 0UL;
            if (!Augment(m))
            {
                return false;
            }
        }

        return true;

        bool Augment(int m)
        {
            var open = meetings[m] & slots;
            while (open != 0)
            {
                var s = BitOperations.TrailingZeroCount(open);
                open &= open - 1;
                if ((visited & (1UL << s)) != 0)
                {
                    continue;
                }

                visited |= 1UL << s;
                if (owner[s] < 0 || Augment(owner[s]))
                {
                    owner[s] = m;
                    return true;
                }
            }

            return false;
        }
    }
}
