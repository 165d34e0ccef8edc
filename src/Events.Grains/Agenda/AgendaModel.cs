using System.Collections.Immutable;
using Events.Grains.Journal;

namespace Events.Grains.Agenda;

[GenerateSerializer]
public enum SessionKind
{
    Talk,
    Panel,
    GlobalMixer,
    PitchRoom,
}

[GenerateSerializer, Immutable]
public sealed record Speaker(string Name, string City);

[GenerateSerializer]
public enum SessionStatus
{
    Scheduled,
    Started,
    Ended,
    Cancelled,
}

[GenerateSerializer]
public enum AgendaChangeKind
{
    Delayed,
    Moved,
    Cancelled,
    Started,
    Ended,
}

// Revision counts the changes since scheduling: calendar feeds publish it as SEQUENCE, so calendar
// apps update the entry instead of adding a second one.
[GenerateSerializer, Immutable]
public sealed record AgendaSession(
    string Id,
    string Title,
    SessionKind Kind,
    DateTimeOffset Start,
    DateTimeOffset End,
    string AbstractMarkdown,
    ImmutableArray<Speaker> Speakers,
    SessionStatus Status = SessionStatus.Scheduled,
    int Revision = 0,
    DateTimeOffset? LastModified = null,
    SessionLinks? Links = null);

// Where to follow a session: the stream, and lighter alternatives for slow links.
[GenerateSerializer, Immutable]
public sealed record SessionLinks(string? Stream, string? AudioOnly, string? Slides);

// One line of the public change log; Sequence: the journal's number of the change.
[GenerateSerializer, Immutable]
public sealed record AgendaChange(DateTimeOffset At, string SessionId, string SessionTitle, AgendaChangeKind Kind, int Minutes, DateTimeOffset Start, long Sequence = 0);

// A moderator's or organiser's change to one session. Minutes for Delayed; NewStart for Moved.
[GenerateSerializer, Immutable]
public sealed record SessionChange(string SessionId, AgendaChangeKind Kind, int Minutes = 0, DateTimeOffset? NewStart = null);

// Who finds an event: listed on the home page, unlisted (anyone with the address), or private
// (only people with a role in it see more than its title).
[GenerateSerializer]
public enum EventVisibility
{
    Listed,
    Unlisted,
    Private,
}

// Cancelled and archived events are read-only; exports still work.
[GenerateSerializer]
public enum EventStatus
{
    Active,
    Cancelled,
    Archived,
}

// What an organiser sets when creating or editing an event. Capacity null: no limit beyond
// each ticket type's quantity. Languages: the codes of the languages the sessions are held in.
[GenerateSerializer, Immutable]
public sealed record EventDetails(
    string Title,
    string SummaryMarkdown,
    string TimeZoneId,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    ImmutableArray<string> Languages,
    EventVisibility Visibility,
    int? Capacity);

// What a page needs to render an event's agenda. StartsAt/EndsAt are the organiser's dates, or
// for an event opened without them (the demo) the span of its sessions.
[GenerateSerializer, Immutable]
public sealed record AgendaView(
    string Slug,
    long Version,
    string Title,
    string SummaryMarkdown,
    string TimeZoneId,
    ImmutableArray<AgendaSession> Sessions,
    ImmutableArray<AgendaChange> Changes,
    DateTimeOffset? StartsAt = null,
    DateTimeOffset? EndsAt = null,
    ImmutableArray<string> Languages = default,
    EventVisibility Visibility = EventVisibility.Listed,
    int? Capacity = null,
    EventStatus Status = EventStatus.Active,
    string? CancellationReason = null,
    PartVersions? Parts = null)
{
    public bool IsReadOnly => Status != EventStatus.Active;

    // The sequence number of the change that last touched this session (for partial refetches).
    public long VersionOf(AgendaSession session) => (Parts ?? PartVersions.Initial).Of(session.Id);
}

[GenerateSerializer, Immutable]
public sealed record OpenEvent(string Title, string SummaryMarkdown, string TimeZoneId);

[GenerateSerializer, Immutable]
public sealed record ScheduleSession(
    string Title,
    SessionKind Kind,
    DateTimeOffset Start,
    DateTimeOffset End,
    string AbstractMarkdown,
    ImmutableArray<Speaker> Speakers,
    SessionLinks? Links = null);
