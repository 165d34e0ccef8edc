using System.Collections.Immutable;
using Events.Grains.Runtime;

namespace Events.Grains.Agenda;

// One event's agenda, keyed by the event's slug.
public interface IAgendaGrain : IGrain
{
    Task<AgendaView?> GetAsync();

    Task<AgendaView> OpenAsync(OpenEvent command);

    Task<AgendaSession> ScheduleSessionAsync(ScheduleSession command);
}

[GrainType("agenda")]
public sealed class AgendaGrain : JournaledGrain<AgendaState, AgendaEvent>, IAgendaGrain
{
    public const int MaxTitleLength = 200;
    public const int MaxMarkdownLength = 20_000;

    public Task<AgendaView?> GetAsync() => Task.FromResult(State.IsOpen ? View() : null);

    public Task<AgendaView> OpenAsync(OpenEvent command)
    {
        if (State.IsOpen)
        {
            throw new ValidationFailedException(Problem.EventExists, Key);
        }

        RequireTitle(command.Title);
        RequireMarkdown(command.SummaryMarkdown);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(command.TimeZoneId, out _))
        {
            throw new ValidationFailedException(Problem.TimeZoneUnknown, command.TimeZoneId);
        }

        RaiseEvent(new EventOpened(command.Title.Trim(), command.SummaryMarkdown, command.TimeZoneId));
        return Task.FromResult(View());
    }

    public Task<AgendaSession> ScheduleSessionAsync(ScheduleSession command)
    {
        if (!State.IsOpen)
        {
            throw new ValidationFailedException(Problem.EventMissing, Key);
        }

        RequireTitle(command.Title);
        RequireMarkdown(command.AbstractMarkdown);
        if (command.End <= command.Start)
        {
            throw new ValidationFailedException(Problem.SessionEndsBeforeStart);
        }

        // The id is the sequence number of the event that scheduled it: unique within the agenda and short in URLs.
        var session = new AgendaSession(
            $"s{Version + 1}",
            command.Title.Trim(),
            command.Kind,
            command.Start,
            command.End,
            command.AbstractMarkdown,
            command.Speakers.IsDefault ? [] : command.Speakers);
        RaiseEvent(new SessionScheduled(session));
        return Task.FromResult(session);
    }

    private AgendaView View() => new(
        Key,
        Version,
        State.Title,
        State.SummaryMarkdown,
        State.TimeZoneId,
        [.. State.Sessions.OrderBy(s => s.Start).ThenBy(s => s.Title, StringComparer.Ordinal)]);

    private static void RequireTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new ValidationFailedException(Problem.TitleRequired);
        }

        if (title.Length > MaxTitleLength)
        {
            throw new ValidationFailedException(Problem.TitleTooLong, MaxTitleLength, title.Length);
        }
    }

    private static void RequireMarkdown(string markdown)
    {
        if (markdown.Length > MaxMarkdownLength)
        {
            throw new ValidationFailedException(Problem.DescriptionTooLong, MaxMarkdownLength, markdown.Length);
        }
    }
}
