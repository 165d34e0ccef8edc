using System.Security.Claims;
using Events.Grains;
using Events.Grains.Journal;
using Events.Grains.Matchmaking;
using Events.Web.Live;
using Events.Web.Security;

namespace Events.Web.Matchmaking;

// "meetings:{slug}/{person id}": one person's doorbell. Only that person may follow it, and its
// deltas carry nothing but "changed" (the region refetches the viewer's own view), so neither
// names, messages nor addresses travel on it.
public sealed class MeetingsTopic : ILiveTopic
{
    public const string Kind = "meetings";

    public string Prefix => "meetings";

    public string GrainType => MeetingInbox.GrainType;

    public string? Policy => Policies.EventMember;

    public string RefreshUrl(string key) => key.Split('/') is [var slug, _] ? $"/events/{slug}/meetings/live" : "/";

    public bool MayFollow(ClaimsPrincipal user, string key) =>
        PersonKey.TryParse(key, out var person) && user.Email() is { } email && PersonIds.Of(person.Slug, email) == person.PersonId;

    public LiveDelta? Project(string topic, GrainEvent grainEvent) =>
        grainEvent.Event is InboxNoted ? new LiveDelta(topic, grainEvent.Sequence, Kind, new { }) : null;
}
