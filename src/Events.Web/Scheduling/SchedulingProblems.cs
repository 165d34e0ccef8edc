using System.Collections.Immutable;
using Events.Grains.Matchmaking;
using Events.Grains.Scheduling;
using Orleans;

namespace Events.Web.Scheduling;

// Turns an event's matchmaking settings and the organiser's wanted meetings into a scheduling
// problem: every window slot (a slot starting before noon in the event's zone is "morning"), the
// tables when meetings are at tables (otherwise no limit), for each person the slots they cannot
// take, and where the meetings published earlier stand (they stay there when they still can).
public static class SchedulingProblems
{
    public static async Task<SchedulingProblem> BuildAsync(IGrainFactory grains, string slug, MatchSettings settings,
        ImmutableArray<WantedMeeting> wanted, ImmutableDictionary<string, PublishedMeeting> published)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZoneId, out var found) ? found : TimeZoneInfo.Utc;
        var slots = settings.Slots().ToList();
        var people = wanted.SelectMany(w => new[] { w.A, w.B }).Distinct(StringComparer.Ordinal).ToList();
        var ours = published.Values.Select(p => p.MeetingId).ToHashSet();
        var booked = new Dictionary<string, List<Meeting>>();
        foreach (var person in people)
        {
            booked[person] = [.. (await grains.GetGrain<IMatchmakingGrain>(slug).MineAsync(person)).Meetings.Where(m => !m.Cancelled)];
        }

        var stillBooked = booked.Values.SelectMany(m => m).Select(m => m.Id).Where(ours.Contains).ToHashSet();
        return new SchedulingProblem(
            [.. slots.Select(s => new ProblemSlot(SchedulingSlots.Id(s), TimeZoneInfo.ConvertTime(s, zone).Hour < 12 ? "morning" : "afternoon"))],
            settings.Place == MeetingPlaceKind.Tables ? settings.Tables : 0,
            [.. people.Select(p => new ProblemParticipant(p, [.. Unavailable(booked[p].Where(m => !ours.Contains(m.Id)), settings, slots).Select(SchedulingSlots.Id)]))],
            [.. wanted.Select(w => new ProblemMeeting(w.Id, w.A, w.B, w.Session,
                published.TryGetValue(w.Id, out var at) && stillBooked.Contains(at.MeetingId) ? new PlacedAt(at.Slot, at.Table) : null))]);
    }

    // The slots a person cannot take. People cannot mark their own free slots yet (another branch
    // brings that): for now, the slots of the meetings they have booked outside this schedule.
    private static IEnumerable<DateTimeOffset> Unavailable(IEnumerable<Meeting> booked, MatchSettings settings, List<DateTimeOffset> slots) =>
        slots.Where(s => booked.Any(m => m.Start < s.AddMinutes(settings.SlotMinutes) && s < m.Start.AddMinutes(m.Minutes)));
}
