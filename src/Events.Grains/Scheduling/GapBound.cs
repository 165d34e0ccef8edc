using System.Numerics;

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

        var blocks = new int[model.PersonCount];
        for (var p = 0; p < model.PersonCount; p++)
        {
            blocks[p] = n > 64 ? Math.Min(1, masks[p].Count) : Blocks([.. masks[p]], n);
        }

        return blocks;
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

        static ulong Run(int from, int length) => (length >= 64 ? ulong.MaxValue : (1UL << length) - 1) << from;
    }

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
