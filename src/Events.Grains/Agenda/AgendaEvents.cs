using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Runtime;

namespace Events.Grains.Agenda;

// The stored names below are part of the database format: add new ones, never rename.
[JsonPolymorphic]
[JsonDerivedType(typeof(EventOpened), "event-opened")]
[JsonDerivedType(typeof(SessionScheduled), "session-scheduled")]
public abstract record AgendaEvent;

public sealed record EventOpened(string Title, string SummaryMarkdown, string TimeZoneId) : AgendaEvent;

public sealed record SessionScheduled(AgendaSession Session) : AgendaEvent;

public sealed record AgendaState(
    bool IsOpen,
    string Title,
    string SummaryMarkdown,
    string TimeZoneId,
    ImmutableList<AgendaSession> Sessions) : IJournaledState<AgendaState, AgendaEvent>
{
    public static AgendaState Initial { get; } = new(false, "", "", "UTC", ImmutableList<AgendaSession>.Empty);

    public AgendaState Apply(AgendaEvent @event) => @event switch
    {
        EventOpened opened => this with
        {
            IsOpen = true,
            Title = opened.Title,
            SummaryMarkdown = opened.SummaryMarkdown,
            TimeZoneId = opened.TimeZoneId,
        },
        SessionScheduled scheduled => this with { Sessions = Sessions.Add(scheduled.Session) },
        _ => this,
    };
}
