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

    public const string Name = "meetings";

    public string Prefix => Name;

    public string GrainType => MeetingInbox.GrainType;

    public static string Of(PersonKey person) => LiveTopics.Name(Name, person.ToString());

    public string? Policy => Policies.EventMember;

    public bool MayFollow(ClaimsPrincipal user, string key) =>
        PersonKey.TryParse(key, out var person) && user.Email() is { } email && PersonIds.Of(person.Slug, email) == person.PersonId;

    public ValueTask<LiveDelta?> Project(string topic, GrainEvent grainEvent) =>
        ValueTask.FromResult<LiveDelta?>(grainEvent.Event is InboxNoted ? new LiveDelta(topic, grainEvent.Sequence, Kind, new { }) : null);
}
