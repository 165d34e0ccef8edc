using System.Diagnostics;
using System.Numerics;

namespace Events.Grains.Scheduling;

// A quick local search that gives CP-SAT a good schedule to start from: simulated annealing over
// Kempe-chain moves (a meeting goes to another slot, and the meetings in its way swap along the
// chain of people they link), counting gaps per person from a bit mask of their busy slots. It never unplaces a meeting, places a left-out one whenever a move
// opens a slot for it, and keeps published meetings where they are.
internal static class GapSearch
{
    private const int MaxChain = 64;
    private const int MaxStaleCoolings = 3;

    // Floor: stop as soon as the gaps reach it (a proven floor, or 0); asked again as the search
    // goes, since bounds computed beside it may raise it.
    public static int[] Improve(ScheduleModel model, int[] start, TimeSpan budget, int seed, Func<int> floor, CancellationToken cancel)
    {
        var n = model.SlotCount;
        if (n > 64 || model.MeetingCount == 0)
        {
            return start;
        }

        var random = new Random(seed);
        var slotOf = (int[])start.Clone();
        var mask = new ulong[model.PersonCount];
        var at = new int[model.PersonCount * n];
        Array.Fill(at, -1);
        var used = new int[n];
        for (var m = 0; m < model.MeetingCount; m++)
        {
            if (slotOf[m] >= 0)
            {
                Put(m, slotOf[m]);
            }
        }

        var movable = Enumerable.Range(0, model.MeetingCount).Where(m => model.Fixed[m] < 0 && model.Allowed[m].Length > 1).ToArray();
        var unplaced = Enumerable.Range(0, model.MeetingCount).Where(m => slotOf[m] < 0 && model.Allowed[m].Length > 0).ToList();
        if (movable.Length == 0)
        {
            return start;
        }

        var allowedMask = Enumerable.Range(0, model.MeetingCount)
            .Select(m => model.Fixed[m] >= 0 ? 1UL << model.Fixed[m] : model.Allowed[m].Aggregate(0UL, (bits, s) => bits | (1UL << s)))
            .ToArray();
        var chain = new List<int>();
        var people = new List<int>();
        var seen = new int[model.PersonCount];
        var stamp = 0;
        var moved = new int[model.MeetingCount];
        var gaps = Enumerable.Range(0, model.PersonCount).Sum(p => Gaps(mask[p]));
        var best = (int[])slotOf.Clone();
        var bestGaps = gaps;
        var bestPlaced = slotOf.Count(s => s >= 0);
        var watch = Stopwatch.StartNew();
        const double hot = 0.75 * GapWeight, cold = 0.05 * GapWeight;

        // One cooling takes this many steps, or the whole budget when that comes first; a cooling
        // that ends with time left starts again, hot, from the best schedule so far (on 2 cores one
        // cooling of a 200-meeting day takes about 3 s, and a single cooling left the rest of the
        // local search's share unused).
        // A small day stops after its first cooling and three stale ones: 4 x 50,000 steps, no
        // more than its single cooling took before.
        var iterations = Math.Max(50_000L, model.MeetingCount * 20_000L);
        var temperature = hot;
        long cooling = 0;
        var coolingFrom = 0.0;
        var stale = 0;
        var (bestAtCooling, placedAtCooling) = (bestGaps, bestPlaced);
        for (long i = 0; ; i++, cooling++)
        {
            if ((i & 1023) == 0)
            {
                var timeUsed = watch.Elapsed.TotalSeconds / budget.TotalSeconds;
                if (timeUsed >= 1 || cancel.IsCancellationRequested || bestGaps <= floor())
                {
                    break;
                }

                if (cooling >= iterations)
                {
                    // A small day whose coolings keep ending on the same best has nothing left to find.
                    stale = bestGaps < bestAtCooling || bestPlaced > placedAtCooling ? 0 : stale + 1;
                    if (stale >= MaxStaleCoolings)
                    {
                        break;
                    }

                    (bestAtCooling, placedAtCooling) = (bestGaps, bestPlaced);
                    cooling = 0;
                    coolingFrom = timeUsed;
                    Restore();
                }

                // Cool by whichever runs out first, this cooling's steps or the time left.
                var progress = Math.Max((double)cooling / iterations, (timeUsed - coolingFrom) / (1 - coolingFrom));
                temperature = hot * Math.Pow(cold / hot, progress);
                TryPlaceLeftOut();
            }

            var m = movable[random.Next(movable.Length)];
            var from = slotOf[m];
            var allowed = model.Allowed[m];
            var to = allowed[random.Next(allowed.Length)];
            if (from < 0 || to == from)
            {
                continue;
            }

            // Move the meeting along its Kempe chain: the meetings in slots from and to that are
            // linked through shared people swap those two slots. Everyone inside the chain keeps
            // the same busy slots, so only its two ends can gain or lose a gap, and nobody is ever
            // booked twice. A chain of one is a plain move, of two a swap.
            chain.Clear();
            chain.Add(m);
            if (!Walk(model.A[m], to) || !Walk(model.B[m], to))
            {
                continue;
            }

            int atFrom = 0, atTo = 0;
            var fits = true;
            foreach (var c in chain)
            {
                var other = slotOf[c] == from ? to : from;
                fits &= (allowedMask[c] & (1UL << other)) != 0;
                atFrom += slotOf[c] == from ? 1 : 0;
                atTo += slotOf[c] == to ? 1 : 0;
            }

            if (!fits || used[from] - atFrom + atTo > model.Capacity || used[to] - atTo + atFrom > model.Capacity)
            {
                continue;
            }

            stamp++;
            people.Clear();
            foreach (var c in chain)
            {
                foreach (var p in (ReadOnlySpan<int>)[model.A[c], model.B[c]])
                {
                    if (seen[p] != stamp)
                    {
                        seen[p] = stamp;
                        people.Add(p);
                    }
                }
            }

            int before = 0, costBefore = 0;
            foreach (var p in people)
            {
                before += Gaps(mask[p]);
                costBefore += Cost(mask[p]);
            }

            Swap(from, to);
            int delta = -before, costDelta = -costBefore;
            foreach (var p in people)
            {
                delta += Gaps(mask[p]);
                costDelta += Cost(mask[p]);
            }

            if (Accept(costDelta))
            {
                gaps += delta;
                Remember();
            }
            else
            {
                Swap(from, to);
            }
        }

        return best;

        // Adds to the chain the meetings reached from this person at this slot, alternating slots;
        // false when the chain closes on itself (a cycle changes nobody's day) or grows too long.
        bool Walk(int person, int slot)
        {
            var p = person;
            var s = slot;
            while (at[(p * n) + s] is var next and >= 0)
            {
                if (next == chain[0] || chain.Count >= MaxChain)
                {
                    return false;
                }

                chain.Add(next);
                p = model.A[next] == p ? model.B[next] : model.A[next];
                s = s == slot ? slotOf[chain[0]] : slot;
            }

            return true;
        }

        void Swap(int s, int t)
        {
            foreach (var c in chain)
            {
                moved[c] = slotOf[c] == s ? t : s;
                Take(c);
            }

            foreach (var c in chain)
            {
                Put(c, moved[c]);
            }
        }


        bool Accept(int delta) => delta <= 0 || random.NextDouble() < Math.Exp(-delta / temperature);

        void Remember()
        {
            var placed = model.MeetingCount - slotOf.Count(s => s < 0);
            if (placed > bestPlaced || (placed == bestPlaced && gaps < bestGaps))
            {
                bestPlaced = placed;
                bestGaps = gaps;
                Array.Copy(slotOf, best, slotOf.Length);
            }
        }

        void Restore()
        {
            for (var m = 0; m < model.MeetingCount; m++)
            {
                if (slotOf[m] >= 0)
                {
                    Take(m);
                }
            }

            for (var m = 0; m < model.MeetingCount; m++)
            {
                if (best[m] >= 0)
                {
                    Put(m, best[m]);
                }
            }

            unplaced.RemoveAll(m => slotOf[m] >= 0);
            gaps = bestGaps;
        }

        void TryPlaceLeftOut()
        {
            for (var k = unplaced.Count - 1; k >= 0; k--)
            {
                var m = unplaced[k];
                foreach (var s in model.Allowed[m])
                {
                    if (at[(model.A[m] * n) + s] < 0 && at[(model.B[m] * n) + s] < 0 && used[s] < model.Capacity)
                    {
                        var before = Gaps(mask[model.A[m]]) + Gaps(mask[model.B[m]]);
                        Put(m, s);
                        gaps += Gaps(mask[model.A[m]]) + Gaps(mask[model.B[m]]) - before;
                        unplaced.RemoveAt(k);
                        Remember();
                        break;
                    }
                }
            }
        }

        void Put(int m, int s)
        {
            slotOf[m] = s;
            mask[model.A[m]] |= 1UL << s;
            mask[model.B[m]] |= 1UL << s;
            at[(model.A[m] * n) + s] = m;
            at[(model.B[m] * n) + s] = m;
            used[s]++;
        }

        void Take(int m)
        {
            var s = slotOf[m];
            slotOf[m] = -1;
            mask[model.A[m]] &= ~(1UL << s);
            mask[model.B[m]] &= ~(1UL << s);
            at[(model.A[m] * n) + s] = -1;
            at[(model.B[m] * n) + s] = -1;
            used[s]--;
        }
    }

    // Runs of free slots between two meetings: blocks of consecutive busy slots, less one.
    private static int Gaps(ulong busy) => busy == 0 ? 0 : BitOperations.PopCount(busy & ~(busy << 1)) - 1;

    // What the annealing minimises: the gaps, weighted, plus the free slots inside them, so that
    // shortening a gap counts as progress towards closing it (with gaps alone most moves are level
    // and the search walks blind between them).
    private const int GapWeight = 4;

    private static int Cost(ulong busy) => busy == 0 ? 0
        : (GapWeight * Gaps(busy)) + (64 - BitOperations.LeadingZeroCount(busy) - BitOperations.TrailingZeroCount(busy) - BitOperations.PopCount(busy));
}
