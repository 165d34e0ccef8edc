using System.Collections.Immutable;

namespace Events.Grains.Scheduling;

// Realistic brokerage-day instances for the bench and the tests: 60-80 participants, 150-300 wanted
// meetings, 12-27 tables, 8-22 slots split into a morning and an afternoon, a few people with
// 10-15 meetings, some unavailable slots and some meetings held to one half-day. The same seed
// gives the same instance.
//
// Feasible (the default): a meeting is added only where it fits a schedule built alongside (a slot
// free for both, within its half-day, with a table left), so all of them can be placed and "fully
// placed" is a fair target. Without it, pairs are drawn as they come, and some instances cannot be
// fully placed (a person's meetings need more slots than their partners' free ones allow).
public static class SchedulingInstances
{
    public static SchedulingProblem Generate(int seed, bool feasible = true)
    {
        var random = new Random(seed);
        var meetingCount = random.Next(150, 301);
        int slotCount, tables;
        do
        {
            slotCount = random.Next(8, 23);
            tables = random.Next(12, 28);
        }
        while (slotCount * tables < meetingCount * 1.25);

        var morning = (slotCount + 1) / 2;
        var slots = Enumerable.Range(0, slotCount).Select(i => new ProblemSlot($"s{i + 1}", i < morning ? "morning" : "afternoon")).ToImmutableArray();
        var personCount = random.Next(60, 81);
        var unavailable = new HashSet<int>[personCount];
        for (var p = 0; p < personCount; p++)
        {
            unavailable[p] = [];
            var roll = random.NextDouble();
            if (roll < 0.05)
            {
                // Here only for one half-day.
                var (from, to) = random.Next(2) == 0 ? (0, morning) : (morning, slotCount);
                for (var s = from; s < to; s++)
                {
                    unavailable[p].Add(s);
                }
            }
            else if (roll < 0.25)
            {
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    unavailable[p].Add(random.Next(slotCount));
                }
            }
        }

        // Each person's share of meetings: a few in demand (10-15), the rest spread evenly, none
        // above the slots they are free in less one.
        var limit = Enumerable.Range(0, personCount).Select(p => slotCount - unavailable[p].Count - 1).ToArray();
        var weight = Enumerable.Range(0, personCount).Select(_ => 1.0 + random.NextDouble()).ToArray();
        var popular = Enumerable.Range(0, personCount).OrderBy(_ => random.Next()).Take(random.Next(3, 6)).ToList();
        var target = new int[personCount];
        foreach (var p in popular)
        {
            target[p] = Math.Min(random.Next(10, 16), limit[p]);
        }

        var degree = new int[personCount];
        var planted = new bool[personCount, slotCount];
        var used = new int[slotCount];
        var pairs = new HashSet<(int, int)>();
        var meetings = ImmutableArray.CreateBuilder<ProblemMeeting>();
        var attempts = 0;
        while (meetings.Count < meetingCount && attempts++ < meetingCount * 200)
        {
            var a = popular.FirstOrDefault(p => degree[p] < target[p], -1);
            if (a < 0)
            {
                a = Weighted(random, weight);
            }

            var b = Weighted(random, weight);
            var pair = a < b ? (a, b) : (b, a);
            if (a == b || degree[a] >= limit[a] || degree[b] >= limit[b] || (!popular.Contains(b) && degree[b] >= 9) || !pairs.Add(pair))
            {
                continue;
            }

            var restricted = random.NextDouble();
            var session = restricted < 0.08 ? "morning" : restricted < 0.16 ? "afternoon" : "any";
            if (feasible)
            {
                var (from, to) = session switch { "morning" => (0, morning), "afternoon" => (morning, slotCount), _ => (0, slotCount) };
                var free = Enumerable.Range(from, to - from)
                    .Where(s => !unavailable[a].Contains(s) && !unavailable[b].Contains(s) && !planted[a, s] && !planted[b, s] && used[s] < tables)
                    .ToList();
                if (free.Count == 0)
                {
                    continue;
                }

                var slot = free[random.Next(free.Count)];
                planted[a, slot] = planted[b, slot] = true;
                used[slot]++;
            }

            degree[a]++;
            degree[b]++;
            meetings.Add(new ProblemMeeting($"m{meetings.Count + 1}", $"p{a + 1}", $"p{b + 1}", session));
        }

        var participants = Enumerable.Range(0, personCount)
            .Select(p => new ProblemParticipant($"p{p + 1}", [.. unavailable[p].Order().Select(s => slots[s].Id)]))
            .ToImmutableArray();
        return new SchedulingProblem(slots, tables, participants, meetings.ToImmutable());
    }

    private static int Weighted(Random random, double[] weight)
    {
        var total = weight.Sum();
        var pick = random.NextDouble() * total;
        for (var i = 0; i < weight.Length; i++)
        {
            pick -= weight[i];
            if (pick <= 0)
            {
                return i;
            }
        }

        return weight.Length - 1;
    }
}
