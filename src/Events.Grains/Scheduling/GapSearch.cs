using System.Diagnostics;
using System.Numerics;

namespace Events.Grains.Scheduling;

// A quick local search that gives CP-SAT a good schedule to start from: simulated annealing over
// "move a meeting to another slot" and "swap two meetings' slots", counting gaps per person from a
// bit mask of their busy slots. It never unplaces a meeting, places a left-out one whenever a move
// opens a slot for it, and keeps published meetings where they are.
internal static class GapSearch
{
    public static int[] Improve(ScheduleModel model, int[] start, TimeSpan budget, int seed, CancellationToken cancel)
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

        var gaps = Enumerable.Range(0, model.PersonCount).Sum(p => Gaps(mask[p]));
        var best = (int[])slotOf.Clone();
        var bestGaps = gaps;
        var bestPlaced = slotOf.Count(s => s >= 0);
        var watch = Stopwatch.StartNew();
        const double hot = 1.5, cold = 0.05;

        // Small problems need far fewer steps than the time allows.
        var iterations = Math.Max(200_000L, model.MeetingCount * 20_000L);
        var temperature = hot;
        for (long i = 0; ; i++)
        {
            if ((i & 1023) == 0)
            {
                // Cool by whichever runs out first, the time or the steps: cooling by time alone
                // stopped a fast run at the step cap while it was still hot, far from its best.
                var elapsed = Math.Max(watch.Elapsed.TotalSeconds / budget.TotalSeconds, (double)i / iterations);
                if (elapsed >= 1 || cancel.IsCancellationRequested || bestGaps == 0)
                {
                    break;
                }

                temperature = hot * Math.Pow(cold / hot, elapsed);
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

            int a = model.A[m], b = model.B[m];
            var blockA = at[(a * n) + to];
            var blockB = at[(b * n) + to];
            var before = Gaps(mask[a]) + Gaps(mask[b]);
            if (blockA < 0 && blockB < 0 && used[to] < model.Capacity)
            {
                Take(m);
                Put(m, to);
                var delta = Gaps(mask[a]) + Gaps(mask[b]) - before;
                if (Accept(delta))
                {
                    gaps += delta;
                    Remember();
                }
                else
                {
                    Take(m);
                    Put(m, from);
                }

                continue;
            }

            // Swap with the one meeting in the way, when it may take this meeting's slot (a slot
            // that is only full of tables is left alone).
            var other = blockA >= 0 ? blockA : blockB;
            if (other < 0 || (blockA >= 0 && blockB >= 0 && blockA != blockB) || model.Fixed[other] >= 0 || Array.IndexOf(model.Allowed[other], from) < 0)
            {
                continue;
            }

            int c = model.A[other], d = model.B[other];
            Take(m);
            Take(other);
            if (at[(c * n) + from] >= 0 || at[(d * n) + from] >= 0)
            {
                Put(m, from);
                Put(other, to);
                continue;
            }

            var people = new[] { a, b, c, d }.Distinct().ToArray();
            Put(m, from);
            Put(other, to);
            var old = people.Sum(p => Gaps(mask[p]));
            Take(m);
            Take(other);
            Put(m, to);
            Put(other, from);
            var change = people.Sum(p => Gaps(mask[p])) - old;
            if (Accept(change))
            {
                gaps += change;
                Remember();
            }
            else
            {
                Take(m);
                Take(other);
                Put(m, from);
                Put(other, to);
            }
        }

        return best;

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
}
