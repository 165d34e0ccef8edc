using System.Collections.Immutable;
using System.Diagnostics;

namespace Events.Grains.Scheduling;

// A problem checked and turned into indices: which slots each meeting may take, which published
// placements still hold, and the pieces both schedulers share (table numbers, gap counts, reasons).
internal sealed class ScheduleModel
{
    public const string Any = "any";

    public SchedulingProblem Problem { get; }

    public int SlotCount => Problem.Slots.Length;

    public int MeetingCount => Problem.Meetings.Length;

    // Participant index of each meeting's two people.
    public int[] A { get; }

    public int[] B { get; }

    public int PersonCount { get; }

    // Allowed[m]: slot indices both people are free in and that fit the meeting's half-day.
    public int[][] Allowed { get; }

    // Fixed[m]: the slot a published meeting keeps, or -1.
    public int[] Fixed { get; }

    // Meetings that were published but cannot keep their slot.
    public int Displaced { get; }

    // Capacity per slot (the number of tables); int.MaxValue when there is no limit.
    public int Capacity { get; }

    public ScheduleModel(SchedulingProblem problem)
    {
        Problem = Validate(problem);
        var slotIndex = Problem.Slots.Select((s, i) => (s.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var people = new Dictionary<string, int>(StringComparer.Ordinal);
        var unavailable = new List<HashSet<int>>();
        int Person(string id)
        {
            if (!people.TryGetValue(id, out var index))
            {
                index = people.Count;
                people[id] = index;
                unavailable.Add([]);
            }

            return index;
        }

        foreach (var participant in Problem.Participants)
        {
            var index = Person(participant.Id);
            foreach (var slot in participant.Unavailable.IsDefault ? [] : participant.Unavailable)
            {
                if (slotIndex.TryGetValue(slot, out var s))
                {
                    unavailable[index].Add(s);
                }
            }
        }

        A = [.. Problem.Meetings.Select(m => Person(m.A))];
        B = [.. Problem.Meetings.Select(m => Person(m.B))];
        PersonCount = people.Count;
        Capacity = Problem.Tables > 0 ? Problem.Tables : int.MaxValue;
        Allowed = [.. Problem.Meetings.Select((m, i) => Enumerable.Range(0, SlotCount)
            .Where(s => !unavailable[A[i]].Contains(s) && !unavailable[B[i]].Contains(s) && Fits(m.Session, Problem.Slots[s].Session))
            .ToArray())];
        Both = [.. Problem.Meetings.Select((m, i) => Enumerable.Range(0, SlotCount).Any(s => !unavailable[A[i]].Contains(s) && !unavailable[B[i]].Contains(s)))];

        // Published meetings keep their slot in input order while it is allowed, nobody is already
        // in another kept meeting then, and a table is left.
        Fixed = [.. Enumerable.Repeat(-1, MeetingCount)];
        var busy = new HashSet<(int Person, int Slot)>();
        var used = new int[SlotCount];
        var displaced = 0;
        for (var m = 0; m < MeetingCount; m++)
        {
            if (Problem.Meetings[m].Published is not { } published)
            {
                continue;
            }

            if (slotIndex.TryGetValue(published.Slot, out var s) && Allowed[m].Contains(s)
                && !busy.Contains((A[m], s)) && !busy.Contains((B[m], s)) && used[s] < Capacity)
            {
                Fixed[m] = s;
                busy.Add((A[m], s));
                busy.Add((B[m], s));
                used[s]++;
            }
            else
            {
                displaced++;
            }
        }

        Displaced = displaced;
    }

    // Whether the two people share any free slot at all, whatever the half-day.
    private bool[] Both { get; }

    public static bool Fits(string meetingSession, string slotSession) =>
        meetingSession == Any || string.Equals(meetingSession, slotSession, StringComparison.Ordinal);

    public string ReasonFor(int meeting) =>
        !Both[meeting] ? UnscheduledReasons.NoCommonFreeSlot
        : Allowed[meeting].Length == 0 ? UnscheduledReasons.NoCommonFreeSlotInSession
        : UnscheduledReasons.NoRoomLeft;

    // slotOf[m]: the slot index of each meeting, or -1. Gaps: for each person, the runs of free
    // slots between two of their meetings. Spread: most minus fewest gaps among people with two
    // meetings or more.
    public (int Gaps, int Spread) Gaps(int[] slotOf)
    {
        var busy = new bool[PersonCount, SlotCount];
        var meetings = new int[PersonCount];
        for (var m = 0; m < MeetingCount; m++)
        {
            if (slotOf[m] >= 0)
            {
                busy[A[m], slotOf[m]] = true;
                busy[B[m], slotOf[m]] = true;
                meetings[A[m]]++;
                meetings[B[m]]++;
            }
        }

        var total = 0;
        int most = 0, fewest = int.MaxValue;
        for (var p = 0; p < PersonCount; p++)
        {
            var gaps = 0;
            var seenMeeting = false;
            var inRun = false;
            for (var s = 0; s < SlotCount; s++)
            {
                if (busy[p, s])
                {
                    gaps += inRun ? 1 : 0;
                    inRun = false;
                    seenMeeting = true;
                }
                else if (seenMeeting)
                {
                    inRun = true;
                }
            }

            total += gaps;
            if (meetings[p] >= 2)
            {
                most = Math.Max(most, gaps);
                fewest = Math.Min(fewest, gaps);
            }
        }

        return (total, fewest == int.MaxValue ? 0 : most - fewest);
    }

    // Table numbers, stable: a published meeting that kept its slot keeps its table when it is
    // within the tables; the others take the lowest free number in input order.
    public Schedule Build(int[] slotOf, bool optimal, Stopwatch watch, int lowerBound = 0)
    {
        var tables = new int[MeetingCount];
        var taken = new HashSet<(int Slot, int Table)>();
        for (var m = 0; m < MeetingCount; m++)
        {
            if (slotOf[m] >= 0 && Fixed[m] == slotOf[m] && Problem.Meetings[m].Published is { Table: > 0 } published
                && (published.Table <= Problem.Tables || Problem.Tables <= 0) && taken.Add((slotOf[m], published.Table)))
            {
                tables[m] = published.Table;
            }
        }

        for (var m = 0; m < MeetingCount; m++)
        {
            if (slotOf[m] >= 0 && tables[m] == 0)
            {
                var table = 1;
                while (!taken.Add((slotOf[m], table)))
                {
                    table++;
                }

                tables[m] = table;
            }
        }

        var (gaps, spread) = Gaps(slotOf);
        var moved = Enumerable.Range(0, MeetingCount).Count(m => Problem.Meetings[m].Published is { } p
            && (slotOf[m] < 0 || Problem.Slots[slotOf[m]].Id != p.Slot));
        return new Schedule(
            [.. Enumerable.Range(0, MeetingCount).Where(m => slotOf[m] >= 0).Select(m => new ScheduledMeeting(Problem.Meetings[m].Id, Problem.Slots[slotOf[m]].Id, tables[m]))],
            [.. Enumerable.Range(0, MeetingCount).Where(m => slotOf[m] < 0).Select(m => new UnscheduledMeeting(Problem.Meetings[m].Id, ReasonFor(m)))],
            gaps,
            spread,
            optimal,
            Math.Round(watch.Elapsed.TotalSeconds, 3),
            moved,
            lowerBound);
    }

    private static SchedulingProblem Validate(SchedulingProblem problem)
    {
        var slots = problem.Slots.IsDefault ? [] : problem.Slots;
        var participants = problem.Participants.IsDefault ? [] : problem.Participants;
        var meetings = problem.Meetings.IsDefault ? [] : problem.Meetings;
        Require(slots.All(s => !string.IsNullOrEmpty(s?.Id)), "every slot needs an id");
        Require(slots.Select(s => s.Id).Distinct(StringComparer.Ordinal).Count() == slots.Length, "slot ids must be unique");
        Require(slots.All(s => s.Session is "morning" or "afternoon"), "a slot's session is \"morning\" or \"afternoon\"");
        Require(participants.All(p => !string.IsNullOrEmpty(p?.Id)), "every participant needs an id");
        Require(participants.Select(p => p.Id).Distinct(StringComparer.Ordinal).Count() == participants.Length, "participant ids must be unique");
        Require(meetings.All(m => m is not null && !string.IsNullOrEmpty(m.Id) && !string.IsNullOrEmpty(m.A) && !string.IsNullOrEmpty(m.B)), "every meeting needs an id, a and b");
        Require(meetings.Select(m => m.Id).Distinct(StringComparer.Ordinal).Count() == meetings.Length, "meeting ids must be unique");
        Require(meetings.All(m => m.A != m.B), "a meeting needs two different people");
        Require(meetings.All(m => m.Session is null or "" or Any or "morning" or "afternoon"), "a meeting's session is \"morning\", \"afternoon\" or \"any\"");
        var known = participants.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        Require(meetings.All(m => known.Contains(m.A) && known.Contains(m.B)), "every meeting's people must be listed as participants");
        Require(problem.Tables >= 0, "tables cannot be negative");
        return problem with
        {
            Slots = slots,
            Participants = participants,
            Meetings = [.. meetings.Select(m => m with { Session = string.IsNullOrEmpty(m.Session) ? Any : m.Session })],
        };
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ProblemInvalidException(message);
        }
    }
}
