using System.Collections.Immutable;
using Events.Grains.Matchmaking;

namespace Events.Web.Matchmaking;

// One row of a breakdown (by type, theme or country): how many profiles, requests sent, meetings
// booked and held involve people with that value. A meeting counts once for each side.
public sealed record StatsRow(string Key, int Profiles, int RequestsSent, int MeetingsBooked, int MeetingsHeld);

// What organisers count about an event's matchmaking.
public sealed record MatchStats(
    int Profiles,
    int Listed,
    int Hidden,
    int Verified,
    ImmutableDictionary<RequestStatus, int> Requests,
    int RequestsSent,
    int MeetingsBooked,
    int MeetingsArranged,
    int MeetingsCancelled,
    int MeetingsHeld,
    int NoShows,
    ImmutableDictionary<MeetingFeedback, int> Feedback,
    ImmutableDictionary<LaterOutcome, int> Outcomes,
    ImmutableArray<StatsRow> ByType,
    ImmutableArray<StatsRow> ByTheme,
    ImmutableArray<StatsRow> ByCountry,
    DateTimeOffset? LaterAskedAt)
{
    public static MatchStats From(MatchmakingReport report, ImmutableArray<MatchProfile> profiles)
    {
        var byEmail = profiles.ToDictionary(p => p.Email, StringComparer.Ordinal);
        var sent = report.Requests.Where(r => r.BookedBy is null).ToList();
        var live = report.Meetings.Where(m => !m.Meeting.Cancelled).ToList();

        ImmutableArray<StatsRow> Breakdown(Func<ProfileDraft, IEnumerable<string>> keys)
        {
            IEnumerable<string> Of(string email) => byEmail.TryGetValue(email, out var p) ? keys(p.Draft).Distinct() : [];
            return [.. profiles.SelectMany(p => keys(p.Draft).Distinct()).Distinct().Order(StringComparer.OrdinalIgnoreCase).Select(key => new StatsRow(
                key,
                profiles.Count(p => keys(p.Draft).Contains(key)),
                sent.Count(r => Of(r.From).Contains(key)),
                live.Sum(m => (Of(m.Meeting.A).Contains(key) ? 1 : 0) + (Of(m.Meeting.B).Contains(key) ? 1 : 0)),
                live.Where(m => m.After.Held == MeetingHeld.Held).Sum(m => (Of(m.Meeting.A).Contains(key) ? 1 : 0) + (Of(m.Meeting.B).Contains(key) ? 1 : 0))))];
        }

        return new MatchStats(
            profiles.Length,
            profiles.Count(p => p.Listed),
            profiles.Count(p => p.Hidden),
            profiles.Count(p => p.Verified),
            Enum.GetValues<RequestStatus>().ToImmutableDictionary(s => s, s => sent.Count(r => r.Status == s)),
            sent.Count,
            live.Count,
            live.Count(m => m.Request?.BookedBy is not null),
            report.Meetings.Length - live.Count,
            live.Count(m => m.After.Held == MeetingHeld.Held),
            live.Count(m => m.After.Held == MeetingHeld.NoShow),
            Enum.GetValues<MeetingFeedback>().ToImmutableDictionary(f => f, f => live.Sum(m => m.After.Feedback.Values.Count(v => v == f))),
            Enum.GetValues<LaterOutcome>().ToImmutableDictionary(o => o, o => live.Count(m => m.After.Outcome == o)),
            Breakdown(p => [p.Type.ToString()]),
            Breakdown(p => p.Themes.Concat(p.Needs.Select(n => n.Theme)).Concat(p.Offers.Select(o => o.Theme))),
            Breakdown(p => p.Country.Trim().Length > 0 ? [p.Country.Trim()] : []),
            report.LaterAskedAt);
    }
}
