using System.Collections.Immutable;

namespace Events.Grains.Agenda;

public enum SessionKind
{
    Talk,
    Panel,
    GlobalMixer,
    PitchRoom,
}

public sealed record Speaker(string Name, string City);

public sealed record AgendaSession(
    string Id,
    string Title,
    SessionKind Kind,
    DateTimeOffset Start,
    DateTimeOffset End,
    string AbstractMarkdown,
    ImmutableArray<Speaker> Speakers);

// What a page needs to render an event's agenda.
public sealed record AgendaView(
    string Slug,
    long Version,
    string Title,
    string SummaryMarkdown,
    string TimeZoneId,
    ImmutableArray<AgendaSession> Sessions);

public sealed record OpenEvent(string Title, string SummaryMarkdown, string TimeZoneId);

public sealed record ScheduleSession(
    string Title,
    SessionKind Kind,
    DateTimeOffset Start,
    DateTimeOffset End,
    string AbstractMarkdown,
    ImmutableArray<Speaker> Speakers);
