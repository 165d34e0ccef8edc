using System.Collections.Immutable;
using System.Globalization;
using Events.Grains.Matchmaking;
using Events.Grains.Scheduling;
using Orleans;

namespace Events.Web.Scheduling;

// Turns an event's matchmaking settings and the organiser's wanted meetings into a scheduling
// problem: every window slot (a slot starting before noon in the event's zone is "morning"), the
// tables when meetings are at tables (otherwise no limit), and for each person the slots they
// cannot take.
public static class SchedulingProblems
{
    public static string SlotId(DateTimeOffset slot) => slot.UtcDateTime.ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset SlotTime(string id) =>
        new(DateTime.ParseExact(id, "yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    public static async Task<SchedulingProblem> BuildAsync(IGrainFactory grains, string slug, MatchSettings settings, ImmutableArray<WantedMeeting> wanted)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZoneId, out var found) ? found : TimeZoneInfo.Utc;
        var slots = settings.Slots().ToList();
        var people = wanted.SelectMany(w => new[] { w.A, w.B }).Distinct(StringComparer.Ordinal).ToList();
        var participants = new List<ProblemParticipant>();
        foreach (var person in people)
        {
            var unavailable = await UnavailableAsync(grains, slug, person, settings, slots);
            participants.Add(new ProblemParticipant(person, [.. unavailable.Select(SlotId)]));
        }

        return new SchedulingProblem(
            [.. slots.Select(s => new ProblemSlot(SlotId(s), TimeZoneInfo.ConvertTime(s, zone).Hour < 12 ? "morning" : "afternoon"))],
            settings.Place == MeetingPlaceKind.Tables ? settings.Tables : 0,
            [.. participants],
            [.. wanted.Select(w => new ProblemMeeting(w.Id, w.A, w.B, w.Session))]);
    }

    // The slots a person cannot take. People cannot mark their own free slots yet (another branch
    // brings that): for now, the slots of meetings they already have booked.
    private static async Task<IEnumerable<DateTimeOffset>> UnavailableAsync(IGrainFactory grains, string slug, string email, MatchSettings settings, List<DateTimeOffset> slots)
    {
        var mine = await grains.GetGrain<IMatchmakingGrain>(slug).MineAsync(email);
        var booked = mine.Meetings.Where(m => !m.Cancelled).ToList();
        return slots.Where(s => booked.Any(m => m.Start < s.AddMinutes(settings.SlotMinutes) && s < m.Start.AddMinutes(m.Minutes)));
    }
}
