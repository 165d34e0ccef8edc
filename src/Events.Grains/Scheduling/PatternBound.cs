using Google.OrTools.LinearSolver;

namespace Events.Grains.Scheduling;

// A lower bound on the gaps of any schedule that places every meeting that has a slot, from a
// linear relaxation solved by column generation (Dantzig-Wolfe). Each person p chooses a "pattern":
// the set of slots they are busy in, exactly as many as their meetings, among the slots one of
// their meetings may take, with at least their floor's blocks (GapBound) and as many of them in
// the morning as their meetings held to the morning need and their other meetings allow; its cost
// is its blocks less one. The master LP: a weight per pattern, summing to 1 per person; x[m, s]
// from 0 to 1 over each meeting's allowed slots (a published one's kept slot only), summing to 1
// per meeting; for every person and slot, their meetings' x there equals the weight of their
// patterns busy there; at most the tables' meetings per slot; minimise the patterns' cost.
// Why it is a lower bound: any schedule that places every meeting gives a point of this LP (x the
// placement, each person's weight 1 on the slots they are busy in, which is one of their patterns,
// since the floor and the half-day counts hold for every such schedule) of cost exactly its gaps,
// so the LP's optimum is at most the fewest gaps. The LP is solved over a growing set of patterns,
// and at every round the bound used is the Lagrangian (Farley) one: the restricted LP's optimum
// plus, per person, the most negative reduced cost of any of their patterns (found exactly by the
// pricing below). That is the objective of a feasible solution of the full LP's dual (the
// restricted dual with each person's convexity dual lowered by that amount), so by weak duality it
// is at most the full LP's optimum, whether or not the generation has converged. The restricted
// LP also has penalised slack columns on the linking rows so it is feasible from the start; they
// only relax it further, so the bound stays valid.
// Unlike the crowding bound it sees every person's busy slots together with the tables at once;
// unlike CP-SAT's own relaxation it sees each person's blocks exactly, per pattern.
internal static class PatternBound
{
    private const double Tolerance = 1e-6;

    public static int Gaps(ScheduleModel model, int[] floors, double seconds, CancellationToken cancel)
    {
        var n = model.SlotCount;
        if (n > 64 || model.MeetingCount == 0)
        {
            return 0;
        }

        var deadline = DateTime.UtcNow.AddSeconds(Math.Max(0.1, seconds));
        var people = Enumerable.Range(0, model.PersonCount).Select(p => new Person(p, floors[p])).ToArray();
        var slotsOf = new int[model.MeetingCount][];
        for (var m = 0; m < model.MeetingCount; m++)
        {
            slotsOf[m] = model.Fixed[m] >= 0 ? [model.Fixed[m]] : model.Allowed[m];
            if (slotsOf[m].Length == 0)
            {
                continue;
            }

            var morningOnly = slotsOf[m].All(s => Morning(model, s));
            var anyMorning = slotsOf[m].Any(s => Morning(model, s));
            foreach (var p in (int[])[model.A[m], model.B[m]])
            {
                people[p].Meetings++;
                people[p].MorningAtLeast += morningOnly ? 1 : 0;
                people[p].MorningAtMost += anyMorning ? 1 : 0;
                foreach (var s in slotsOf[m])
                {
                    people[p].Possible[s] = true;
                }
            }
        }

        using var lp = Solver.CreateSolver("GLOP");
        if (lp is null)
        {
            return 0;
        }

        // Without presolve GLOP starts each solve from the last basis, which stays primal feasible
        // when columns are added; with it every round started again from scratch.
        lp.SetSolverSpecificParametersAsString("use_preprocessing:false");
        var objective = lp.Objective();
        objective.SetMinimization();
        var links = new Constraint?[model.PersonCount, n];
        var convexity = new Constraint?[model.PersonCount];
        var penalty = n + 1.0;
        foreach (var person in people.Where(p => p.Meetings > 0))
        {
            convexity[person.Index] = lp.MakeConstraint(1, 1, $"one{person.Index}");
            for (var s = 0; s < n; s++)
            {
                if (person.Possible[s])
                {
                    var link = lp.MakeConstraint(0, 0, $"link{person.Index}_{s}");
                    links[person.Index, s] = link;
                    foreach (var sign in (int[])[1, -1])
                    {
                        var slack = lp.MakeNumVar(0, double.PositiveInfinity, "");
                        link.SetCoefficient(slack, sign);
                        objective.SetCoefficient(slack, penalty);
                    }
                }
            }
        }

        var tables = model.Capacity == int.MaxValue ? double.PositiveInfinity : model.Capacity;
        var capacity = Enumerable.Range(0, n).Select(s => lp.MakeConstraint(0, tables, $"tables{s}")).ToArray();
        for (var m = 0; m < model.MeetingCount; m++)
        {
            if (slotsOf[m].Length == 0)
            {
                continue;
            }

            var once = lp.MakeConstraint(1, 1, $"meeting{m}");
            foreach (var s in slotsOf[m])
            {
                var x = lp.MakeNumVar(0, 1, "");
                once.SetCoefficient(x, 1);
                capacity[s].SetCoefficient(x, 1);
                links[model.A[m], s]!.SetCoefficient(x, 1);
                links[model.B[m], s]!.SetCoefficient(x, 1);
            }
        }

        // Each person starts with their cheapest pattern, so every convexity row can be met.
        var zero = new double[n];
        foreach (var person in people.Where(p => p.Meetings > 0))
        {
            if (Price(model, person, zero) is not { } first)
            {
                // No pattern at all: no schedule places every meeting, so there is nothing to bound.
                return 0;
            }

            AddPattern(lp, objective, convexity[person.Index]!, links, person.Index, first);
        }

        var best = 0;
        var weights = new double[n];
        while (!cancel.IsCancellationRequested && DateTime.UtcNow < deadline)
        {
            lp.SetTimeLimit((long)Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds));
            if (lp.Solve() != Solver.ResultStatus.OPTIMAL)
            {
                break;
            }

            // Every dual is read before a column is added: adding one discards the solution.
            var restricted = objective.Value();
            var linkDuals = new double[model.PersonCount, n];
            var convexityDuals = new double[model.PersonCount];
            foreach (var person in people.Where(p => p.Meetings > 0))
            {
                convexityDuals[person.Index] = convexity[person.Index]!.DualValue();
                for (var s = 0; s < n; s++)
                {
                    linkDuals[person.Index, s] = links[person.Index, s]?.DualValue() ?? 0;
                }
            }

            var lagrangian = restricted;
            var added = 0;
            foreach (var person in people.Where(p => p.Meetings > 0))
            {
                // A pattern's reduced cost is its cost, less the convexity dual, plus the linking
                // duals of its busy slots (the pattern's column has -1 in each of those rows).
                for (var s = 0; s < n; s++)
                {
                    weights[s] = linkDuals[person.Index, s];
                }

                if (Price(model, person, weights) is not { } pattern)
                {
                    continue;
                }

                var reduced = pattern.Cost + pattern.Slots.Sum(s => weights[s]) - convexityDuals[person.Index];
                if (reduced < -Tolerance)
                {
                    lagrangian += reduced;
                    AddPattern(lp, objective, convexity[person.Index]!, links, person.Index, pattern);
                    added++;
                }
            }

            best = Math.Max(best, (int)Math.Ceiling(lagrangian - Tolerance));

            // Converged, or the restricted optimum cannot give a higher whole number of gaps.
            if (added == 0 || best >= (int)Math.Ceiling(restricted - Tolerance))
            {
                best = Math.Max(best, added == 0 ? (int)Math.Ceiling(restricted - Tolerance) : best);
                break;
            }
        }

        return best;
    }

    private static bool Morning(ScheduleModel model, int slot) =>
        string.Equals(model.Problem.Slots[slot].Session, "morning", StringComparison.Ordinal);

    private static void AddPattern(Solver lp, Objective objective, Constraint convexity, Constraint?[,] links, int person, Pattern pattern)
    {
        var weight = lp.MakeNumVar(0, double.PositiveInfinity, "");
        objective.SetCoefficient(weight, pattern.Cost);
        convexity.SetCoefficient(weight, 1);
        foreach (var s in pattern.Slots)
        {
            links[person, s]!.SetCoefficient(weight, -1);
        }
    }

    // The pattern of least cost plus the weights of its busy slots, by dynamic programming over
    // the slots in time order; state: busy slots so far, of which in the morning, whether the
    // previous slot was busy, and the blocks so far up to the floor (blocks past the floor each
    // add 1). Only patterns with at least the floor's blocks count, since no schedule has fewer.
    private static Pattern? Price(ScheduleModel model, Person person, double[] weights)
    {
        var n = model.SlotCount;
        var d = person.Meetings;
        var f = Math.Max(1, person.Floor);
        var states = (d + 1) * (d + 1) * 2 * (f + 1);
        int State(int j, int jm, int inBlock, int b) => (((j * (d + 1)) + jm) * 2 + inBlock) * (f + 1) + b;
        var cost = new double[n + 1, states];
        var from = new int[n + 1, states];
        for (var s = 0; s <= n; s++)
        {
            for (var k = 0; k < states; k++)
            {
                cost[s, k] = double.PositiveInfinity;
            }
        }

        cost[0, State(0, 0, 0, 0)] = 0;
        for (var s = 0; s < n; s++)
        {
            var morning = Morning(model, s) ? 1 : 0;
            for (var j = 0; j <= d; j++)
            {
                for (var jm = 0; jm <= j; jm++)
                {
                    for (var inBlock = 0; inBlock < 2; inBlock++)
                    {
                        for (var b = 0; b <= f; b++)
                        {
                            var k = State(j, jm, inBlock, b);
                            var here = cost[s, k];
                            if (double.IsPositiveInfinity(here))
                            {
                                continue;
                            }

                            Relax(s + 1, State(j, jm, 0, b), here, k);
                            if (person.Possible[s] && j < d)
                            {
                                var opens = inBlock == 0;
                                var next = opens && b < f ? b + 1 : b;
                                var extra = opens && b == f ? 1 : 0;
                                Relax(s + 1, State(j + 1, jm + morning, 1, next), here + weights[s] + extra, k);
                            }
                        }
                    }
                }
            }
        }

        var (bestCost, bestState) = (double.PositiveInfinity, -1);
        for (var jm = person.MorningAtLeast; jm <= Math.Min(d, person.MorningAtMost); jm++)
        {
            for (var inBlock = 0; inBlock < 2; inBlock++)
            {
                var k = State(d, jm, inBlock, f);
                if (cost[n, k] < bestCost)
                {
                    (bestCost, bestState) = (cost[n, k], k);
                }
            }
        }

        if (bestState < 0)
        {
            return null;
        }

        var slots = new List<int>();
        for (var s = n; s > 0; s--)
        {
            var previous = from[s, bestState];
            if (previous / (2 * (f + 1)) / (d + 1) < bestState / (2 * (f + 1)) / (d + 1))
            {
                slots.Add(s - 1);
            }

            bestState = previous;
        }

        slots.Reverse();
        var blocks = slots.Where((s, i) => i == 0 || slots[i - 1] != s - 1).Count();
        return new Pattern([.. slots], blocks - 1);

        void Relax(int s, int k, double value, int previous)
        {
            if (value < cost[s, k])
            {
                cost[s, k] = value;
                from[s, k] = previous;
            }
        }
    }

    private sealed record Pattern(int[] Slots, int Cost);

    private sealed class Person(int index, int floor)
    {
        public int Index { get; } = index;

        public int Floor { get; } = floor;

        public int Meetings { get; set; }

        public int MorningAtLeast { get; set; }

        public int MorningAtMost { get; set; }

        public bool[] Possible { get; } = new bool[64];
    }
}
