using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Agenda;

// The stored names below are part of the database format: add new ones, never rename.
[JsonPolymorphic]
[JsonDerivedType(typeof(EventOpened), "event-opened")]
[JsonDerivedType(typeof(SessionScheduled), "session-scheduled")]
[JsonDerivedType(typeof(SessionChanged), "session-changed")]
[JsonDerivedType(typeof(SessionEdited), "session-edited")]
[JsonDerivedType(typeof(EventDetailsSet), "event-details-set")]
[JsonDerivedType(typeof(EventCancelled), "event-cancelled")]
[JsonDerivedType(typeof(EventArchived), "event-archived")]
[GenerateSerializer, Immutable]
public abstract record AgendaEvent;

[GenerateSerializer, Immutable]
public sealed record EventOpened(string Title, string SummaryMarkdown, string TimeZoneId) : AgendaEvent;

// Raised when an organiser creates the event and on every edit of its details.
[GenerateSerializer, Immutable]
public sealed record EventDetailsSet(string Actor, EventDetails Details, DateTimeOffset At) : AgendaEvent, IAuditedEvent
{
    public AuditAction Audit() => Details.Capacity is { } capacity
        ? AuditAction.Of("event-details", Details.Title, Details.StartsAt, Details.Visibility, capacity)
        : AuditAction.Of("event-details-unlimited", Details.Title, Details.StartsAt, Details.Visibility);
}

// Registrants are told and paid orders refunded by those who follow the journal, not by the agenda:
// the event's outbox holds the promise before the cancellation is acknowledged, and the web's
// mailer cancels every ticket from it (which promises each registrant's mail and refund in turn).
[GenerateSerializer, Immutable]
public sealed record EventCancelled(string Actor, string Reason, DateTimeOffset At) : AgendaEvent, IAuditedEvent, Mail.IPromisesMail
{
    public AuditAction Audit() => AuditAction.Of("event-cancelled", Reason);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool PromisesMail => true;
}

[GenerateSerializer, Immutable]
public sealed record EventArchived(string Actor, DateTimeOffset At) : AgendaEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("event-archived");
}

[GenerateSerializer, Immutable]
public sealed record SessionScheduled(AgendaSession Session) : AgendaEvent;

// An organiser rewrote a session's details (the id, status and change log stay).
[GenerateSerializer, Immutable]
public sealed record SessionEdited(string Actor, ScheduleSession Details, DateTimeOffset At) : AgendaEvent, IAuditedEvent
{
    [Id(0)]
    public string SessionId { get; init; } = "";

    public AuditAction Audit() => AuditAction.Of("session-edited", SessionId);
}

// Start and End are the session's times after the change.
[GenerateSerializer, Immutable]
public sealed record SessionChanged(string Actor, string SessionId, AgendaChangeKind Kind, int Minutes, DateTimeOffset Start, DateTimeOffset End, DateTimeOffset At)
    : AgendaEvent, IAuditedEvent
{
    public AuditAction Audit() => Kind switch
    {
        AgendaChangeKind.Delayed => AuditAction.Of("session-delayed", SessionId, Minutes),
        AgendaChangeKind.Moved => AuditAction.Of("session-moved", SessionId, Start),
        _ => AuditAction.Of("session-marked", SessionId, Kind),
    };
}

[GenerateSerializer, Immutable]
public sealed record AgendaState(
    bool IsOpen,
    string Title,
    string SummaryMarkdown,
    string TimeZoneId,
    ImmutableList<AgendaSession> Sessions,
    ImmutableList<AgendaChange> Changes,
    EventDetails? Details = null,
    EventStatus Status = EventStatus.Active,
    string? CancellationReason = null,
    PartVersions? Parts = null) : IJournaledState<AgendaState, AgendaEvent>
{
    public static AgendaState Initial { get; } = new(false, "", "", "UTC", ImmutableList<AgendaSession>.Empty, ImmutableList<AgendaChange>.Empty);

    // Which session each event last changed (change-log lines carry their own sequence).
    public PartVersions Versions => Parts ?? PartVersions.Initial;

    public AgendaState Apply(AgendaEvent @event) => Fold(@event) with
    {
        Parts = Versions.Folded(@event switch
        {
            SessionScheduled scheduled => [scheduled.Session.Id],
            SessionEdited edited => [edited.SessionId],
            SessionChanged changed => [changed.SessionId],
            _ => [],
        }),
    };

    private AgendaState Fold(AgendaEvent @event) => @event switch
    {
        EventOpened opened => this with
        {
            IsOpen = true,
            Title = opened.Title,
            SummaryMarkdown = opened.SummaryMarkdown,
            TimeZoneId = opened.TimeZoneId,
        },
        EventDetailsSet set => this with
        {
            IsOpen = true,
            Title = set.Details.Title,
            SummaryMarkdown = set.Details.SummaryMarkdown,
            TimeZoneId = set.Details.TimeZoneId,
            Details = set.Details,
        },
        EventCancelled cancelled => this with { Status = EventStatus.Cancelled, CancellationReason = cancelled.Reason },
        EventArchived => this with { Status = EventStatus.Archived },
        SessionScheduled scheduled => this with { Sessions = Sessions.Add(scheduled.Session) },
        SessionEdited edited when Sessions.FirstOrDefault(s => s.Id == edited.SessionId) is { } session => this with
        {
            Sessions = Sessions.Replace(session, session with
            {
                Title = edited.Details.Title,
                Kind = edited.Details.Kind,
                Start = edited.Details.Start,
                End = edited.Details.End,
                AbstractMarkdown = edited.Details.AbstractMarkdown,
                Speakers = edited.Details.Speakers,
                Links = edited.Details.Links,
                Revision = session.Revision + 1,
                LastModified = edited.At,
            }),
        },
        SessionChanged changed when Sessions.FirstOrDefault(s => s.Id == changed.SessionId) is { } session => this with
        {
            Sessions = Sessions.Replace(session, session with
            {
                Start = changed.Start,
                End = changed.End,
                Status = changed.Kind switch
                {
                    AgendaChangeKind.Cancelled => SessionStatus.Cancelled,
                    AgendaChangeKind.Started => SessionStatus.Started,
                    AgendaChangeKind.Ended => SessionStatus.Ended,
                    _ => session.Status,
                },
                Revision = session.Revision + 1,
                LastModified = changed.At,
            }),
            Changes = Changes.Add(new AgendaChange(changed.At, session.Id, session.Title, changed.Kind, changed.Minutes, changed.Start, Versions.Next)),
        },
        _ => this,
    };
}
