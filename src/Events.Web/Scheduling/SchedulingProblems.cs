using System.Collections.Immutable;
using Events.Grains.Matchmaking;
using Events.Grains.Scheduling;
using Orleans;

namespace Events.Web.Scheduling;

// Turns an event's matchmaking settings and its wanted meetings into a scheduling problem: every
// window slot (a slot starting before noon in the event's zone is "morning"), the tables when
// meetings are at tables (otherwise no limit), for each person the slots they cannot take, and
// where the meetings published earlier stand (they stay there when they still can).
public static class SchedulingProblems
{
    private static readonly WantedSource[] FirstKept = [WantedSource.Request, WantedSource.Organisers, WantedSource.Marks];

    // Every wanted meeting, from its three sources: requests the invitee accepted "to schedule"
    // (and those a published schedule has booked since, so that a re-run keeps or moves them),
    // pairs the organisers added, and pairs who marked each other, while both are in the directory
    // for others and have no meeting together yet. A pair wanted twice is scheduled once, as a
    // request before the organisers' pair before the marks, keeping the organisers' half-day.
    public static async Task<ImmutableArray<WantedMeeting>> WantedAsync(IGrainFactory grains, string slug,
        ImmutableArray<WantedMeeting> added, ImmutableDictionary<string, PublishedMeeting> published)
    {
        var visible = (await grains.GetGrain<IDirectoryGrain>(slug).AllAsync()).Where(p => p.VisibleToOthers).ToDictionary(p => p.PersonId, p => p.Email);
        var report = await grains.GetGrain<IMatchmakingGrain>(slug).ReportAsync();
        var ours = published.Values.Select(p => p.MeetingId).ToHashSet();
        var met = report.Meetings.Select(r => r.Meeting).Where(m => !m.Cancelled && !ours.Contains(m.Id)).Select(m => Pair(m.A, m.B)).ToHashSet();
        var requests = report.Requests
            .Where(r => r.Status == RequestStatus.ToSchedule || (r.Status == RequestStatus.Accepted && published.ContainsKey(WantedIds.ForRequest(r.Id))))
            .Select(r => new WantedMeeting(WantedIds.ForRequest(r.Id), r.From, r.To, "any", r.To));
        var marked = (await grains.GetGrain<IMeetMarksGrain>(slug).MutualAsync())
            .Where(p => visible.ContainsKey(p.A) && visible.ContainsKey(p.B) && !met.Contains(Pair(visible[p.A], visible[p.B])))
            .Select(p => new WantedMeeting(WantedIds.ForMarks(p.A, p.B), visible[p.A], visible[p.B], "any", ""));
        return [.. requests.Concat(added).Concat(marked)
            .GroupBy(w => Pair(w.A, w.B))
            .Select(pair => pair.OrderBy(w => Array.IndexOf(FirstKept, WantedIds.SourceOf(w.Id))).First() with
            {
                Session = pair.FirstOrDefault(w => w.Session != "any")?.Session ?? "any",
            })
            .OrderBy(w => Array.IndexOf(FirstKept, WantedIds.SourceOf(w.Id)))];
    }

    public static async Task<SchedulingProblem> BuildAsync(IGrainFactory grains, string slug, MatchSettings settings,
        ImmutableArray<WantedMeeting> wanted, ImmutableDictionary<string, PublishedMeeting> published)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZoneId, out var found) ? found : TimeZoneInfo.Utc;
        var slots = settings.Slots().ToList();
        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        var people = wanted.SelectMany(w => new[] { w.A, w.B }).Distinct(StringComparer.Ordinal).ToList();

        // Meetings published for a wanted meeting no longer wanted (a mark withdrawn) stay booked
        // like any other meeting: their people are busy then.
        var ours = published.Where(p => wanted.Any(w => w.Id == p.Key)).Select(p => p.Value.MeetingId).ToHashSet();
        var booked = new Dictionary<string, List<Meeting>>();
        var unavailable = new Dictionary<string, ImmutableArray<string>>();
        foreach (var person in people)
        {
            booked[person] = [.. (await matchmaking.MineAsync(person)).Meetings.Where(m => !m.Cancelled)];
            var availability = await matchmaking.AvailabilityAsync(person);
            unavailable[person] = [.. Unavailable(booked[person].Where(m => !ours.Contains(m.Id)), availability, settings, slots).Select(SchedulingSlots.Id)];
        }

        var stillBooked = booked.Values.SelectMany(m => m).Select(m => m.Id).Where(ours.Contains).ToHashSet();
        return new SchedulingProblem(
            [.. slots.Select(s => new ProblemSlot(SchedulingSlots.Id(s), TimeZoneInfo.ConvertTime(s, zone).Hour < 12 ? "morning" : "afternoon"))],
            settings.Place == MeetingPlaceKind.Tables ? settings.Tables : 0,
            [.. people.Select(p => new ProblemParticipant(p, unavailable[p]))],
            [.. wanted.Select(w => new ProblemMeeting(w.Id, w.A, w.B, w.Session,
                published.TryGetValue(w.Id, out var at) && stillBooked.Contains(at.MeetingId) ? new PlacedAt(at.Slot, at.Table) : null))]);
    }

    private static (string, string) Pair(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    // The slots a person cannot take: those they did not mark free (by default every slot but the
    // sessions they speak at), the sessions they speak at even when they marked them free, and the
    // meetings they have booked outside this schedule.
    private static IEnumerable<DateTimeOffset> Unavailable(IEnumerable<Meeting> booked, MyAvailability availability, MatchSettings settings, List<DateTimeOffset> slots)
    {
        var free = availability.Free.ToHashSet();
        var speaking = availability.Speaking.ToHashSet();
        return slots.Where(s => !free.Contains(s) || speaking.Contains(s)
            || booked.Any(m => m.Start < s.AddMinutes(settings.SlotMinutes) && s < m.Start.AddMinutes(m.Minutes)));
    }
}
