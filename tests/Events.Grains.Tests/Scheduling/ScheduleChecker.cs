using Events.Grains.Scheduling;

namespace Events.Grains.Tests.Scheduling;

// Checks a schedule against its problem without any of the scheduler's code: what a person or an
// organiser would notice if it were wrong.
internal static class ScheduleChecker
{
    public static void AssertValid(SchedulingProblem problem, Schedule schedule)
    {
        var slotIndex = problem.Slots.Select((s, i) => (s, i)).ToDictionary(p => p.s.Id, p => p.i);
        var meetings = problem.Meetings.ToDictionary(m => m.Id);
        var unavailable = problem.Participants.ToDictionary(p => p.Id, p => p.Unavailable.ToHashSet());

        // Every meeting exactly once, placed or reported.
        var mentioned = schedule.Scheduled.Select(s => s.Meeting).Concat(schedule.Unscheduled.Select(u => u.Meeting)).ToList();
        Assert.Equal(mentioned.Count, mentioned.Distinct().Count());
        Assert.Equal(meetings.Keys.Order(), mentioned.Order());
        Assert.All(schedule.Unscheduled, u => Assert.False(string.IsNullOrWhiteSpace(u.Reason)));

        var seats = new HashSet<(string Person, string Slot)>();
        foreach (var placed in schedule.Scheduled)
        {
            var meeting = meetings[placed.Meeting];
            var slot = problem.Slots[slotIndex[placed.Slot]];
            Assert.True(seats.Add((meeting.A, placed.Slot)), $"{meeting.A} has two meetings at {placed.Slot}");
            Assert.True(seats.Add((meeting.B, placed.Slot)), $"{meeting.B} has two meetings at {placed.Slot}");
            Assert.DoesNotContain(placed.Slot, unavailable[meeting.A]);
            Assert.DoesNotContain(placed.Slot, unavailable[meeting.B]);
            Assert.True(meeting.Session == "any" || meeting.Session == slot.Session, $"{meeting.Id} is for the {meeting.Session} but placed in the {slot.Session}");
            if (problem.Tables > 0)
            {
                Assert.InRange(placed.Table, 1, problem.Tables);
            }
        }

        foreach (var slot in schedule.Scheduled.GroupBy(s => s.Slot))
        {
            Assert.Equal(slot.Count(), slot.Select(s => s.Table).Distinct().Count());
            if (problem.Tables > 0)
            {
                Assert.True(slot.Count() <= problem.Tables, $"{slot.Count()} meetings at {slot.Key} for {problem.Tables} tables");
            }
        }

        Assert.Equal(CountGaps(problem, schedule), schedule.Gaps);
    }

    // For each person, walk the slots in order and count the runs of slots without a meeting that
    // have a meeting on both sides.
    public static int CountGaps(SchedulingProblem problem, Schedule schedule)
    {
        var meetings = problem.Meetings.ToDictionary(m => m.Id);
        var busy = schedule.Scheduled
            .SelectMany(s => new[] { (meetings[s.Meeting].A, s.Slot), (meetings[s.Meeting].B, s.Slot) })
            .ToHashSet();
        var total = 0;
        foreach (var person in problem.Participants)
        {
            var pattern = string.Concat(problem.Slots.Select(s => busy.Contains((person.Id, s.Id)) ? 'M' : '.'));
            var inner = pattern.Trim('.');
            total += inner.Split('M', StringSplitOptions.RemoveEmptyEntries).Length;
        }

        return total;
    }
}
