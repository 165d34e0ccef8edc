using System.Collections.Immutable;
using Events.Grains.Journal;

namespace Events.Grains.Agenda;

// One event's agenda, keyed by the event's slug.
public interface IAgendaGrain : IGrainWithStringKey
{
    Task<AgendaView?> GetAsync();

    Task<AgendaView> OpenAsync(OpenEvent command);

    // Opens the event with an organiser's details; the slug (the key) must be a valid address.
    Task<AgendaView> CreateAsync(string actor, EventDetails details);

    Task<AgendaView> EditDetailsAsync(string actor, EventDetails details);

    Task<AgendaView> CancelAsync(string actor, string reason);

    Task<AgendaView> ArchiveAsync(string actor);

    Task<AgendaSession> ScheduleSessionAsync(ScheduleSession command);

    Task<AgendaSession> ChangeSessionAsync(string actor, SessionChange change);

    Task<AgendaSession> EditSessionAsync(string actor, string sessionId, ScheduleSession details);
}

[GrainType(TypeName)]
public sealed class AgendaGrain(TimeProvider clock) : JournalGrain<AgendaState, AgendaEvent>, IAgendaGrain
{
    // Part of the database format (journal rows name it) and of the live topic that follows this grain.
    public const string TypeName = "agenda";

    // A cancellation promises every registrant a mail and a refund: the outbox holds it.
    protected override IReadOnlyList<Follower> Followers => [.. base.Followers, Mail.MailOutbox.Follower];

    public const int MaxDelayMinutes = 600;
    public const int MaxTitleLength = 200;
    public const int MaxMarkdownLength = 20_000;
    public const int MaxCapacity = 1_000_000;
    public const int MaxReasonLength = 1_000;
    public const int MaxSlugLength = 60;

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

    public Task<AgendaView> CreateAsync(string actor, EventDetails details)
    {
        // The key is the address an organiser chose for the new event.
        if (State.IsOpen)
        {
            throw new ValidationFailedException(Problem.EventAddressTaken, Key);
        }

        if (!IsValidSlug(Key))
        {
            throw new ValidationFailedException(Problem.EventAddressInvalid, MaxSlugLength);
        }

        RaiseEvent(new EventDetailsSet(actor, Validated(details), clock.GetUtcNow()));
        return Task.FromResult(View());
    }

    public Task<AgendaView> EditDetailsAsync(string actor, EventDetails details)
    {
        RequireWritable();
        RaiseEvent(new EventDetailsSet(actor, Validated(details), clock.GetUtcNow()));
        return Task.FromResult(View());
    }

    public Task<AgendaView> CancelAsync(string actor, string reason)
    {
        RequireWritable();
        reason = reason.Trim();
        if (reason.Length == 0)
        {
            throw new ValidationFailedException(Problem.ReasonMissing);
        }

        if (reason.Length > MaxReasonLength)
        {
            throw new ValidationFailedException(Problem.ReasonTooLong, MaxReasonLength);
        }

        RaiseEvent(new EventCancelled(actor, reason, clock.GetUtcNow()));
        return Task.FromResult(View());
    }

    // A cancelled event can still be archived; an archived one is final.
    public Task<AgendaView> ArchiveAsync(string actor)
    {
        if (!State.IsOpen)
        {
            throw new ValidationFailedException(Problem.EventMissing, Key);
        }

        if (State.Status == EventStatus.Archived)
        {
            throw new ValidationFailedException(Problem.EventReadOnly, State.Title);
        }

        RaiseEvent(new EventArchived(actor, clock.GetUtcNow()));
        return Task.FromResult(View());
    }

    // Lowercase letters, digits and single hyphens: the address is part of every URL and file name.
    // "new" is the address of the form that creates events.
    public static bool IsValidSlug(string slug) =>
        slug.Length is >= 3 and <= MaxSlugLength
        && slug != "new"
        && slug.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && slug[0] != '-' && slug[^1] != '-' && !slug.Contains("--", StringComparison.Ordinal);

    private void RequireWritable()
    {
        if (!State.IsOpen)
        {
            throw new ValidationFailedException(Problem.EventMissing, Key);
        }

        if (State.Status != EventStatus.Active)
        {
            throw new ValidationFailedException(Problem.EventReadOnly, State.Title);
        }
    }

    private static EventDetails Validated(EventDetails details)
    {
        RequireTitle(details.Title);
        RequireMarkdown(details.SummaryMarkdown);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(details.TimeZoneId, out _))
        {
            throw new ValidationFailedException(Problem.TimeZoneUnknown, details.TimeZoneId);
        }

        if (details.EndsAt <= details.StartsAt)
        {
            throw new ValidationFailedException(Problem.EventEndsBeforeStart);
        }

        if (details.Capacity is < 1 or > MaxCapacity)
        {
            throw new ValidationFailedException(Problem.EventCapacity, MaxCapacity);
        }

        var languages = details.Languages.IsDefault ? [] : details.Languages
            .Select(l => l.Trim().ToLowerInvariant())
            .Where(l => l.Length > 0)
            .Distinct()
            .ToImmutableArray();
        if (languages.Length is 0 or > 20 || languages.Any(l => l.Length > 8 || !l.All(c => c is (>= 'a' and <= 'z') or '-')))
        {
            throw new ValidationFailedException(Problem.EventLanguages);
        }

        return details with { Title = details.Title.Trim(), Languages = languages };
    }

    public Task<AgendaSession> ScheduleSessionAsync(ScheduleSession command)
    {
        RequireWritable();

        command = Validated(command);

        // The id is the sequence number of the event that scheduled it: unique within the agenda and short in URLs.
        var session = new AgendaSession(
            $"s{Version + 1}",
            command.Title,
            command.Kind,
            command.Start,
            command.End,
            command.AbstractMarkdown,
            command.Speakers,
            Links: command.Links);
        RaiseEvent(new SessionScheduled(session));
        return Task.FromResult(session);
    }

    public Task<AgendaSession> EditSessionAsync(string actor, string sessionId, ScheduleSession details)
    {
        RequireWritable();
        var session = State.Sessions.FirstOrDefault(s => s.Id == sessionId)
            ?? throw new ValidationFailedException(Problem.SessionMissing, sessionId);
        RaiseEvent(new SessionEdited(actor, Validated(details), clock.GetUtcNow()) { SessionId = session.Id });
        return Task.FromResult(State.Sessions.First(s => s.Id == session.Id));
    }

    private static ScheduleSession Validated(ScheduleSession command)
    {
        RequireTitle(command.Title);
        RequireMarkdown(command.AbstractMarkdown);
        if (command.End <= command.Start)
        {
            throw new ValidationFailedException(Problem.SessionEndsBeforeStart);
        }

        var links = command.Links is { } given
            ? new SessionLinks(Input.Link(given.Stream), Input.Link(given.AudioOnly), Input.Link(given.Slides))
            : null;
        return command with
        {
            Title = command.Title.Trim(),
            Speakers = command.Speakers.IsDefault ? [] : command.Speakers,
            Links = links is { Stream: null, AudioOnly: null, Slides: null } ? null : links,
        };
    }

    public Task<AgendaSession> ChangeSessionAsync(string actor, SessionChange change)
    {
        RequireWritable();
        var session = State.Sessions.FirstOrDefault(s => s.Id == change.SessionId)
            ?? throw new ValidationFailedException(Problem.SessionMissing, change.SessionId);
        if (session.Status is SessionStatus.Cancelled or SessionStatus.Ended)
        {
            throw new ValidationFailedException(Problem.SessionClosed, session.Title);
        }

        var (start, end, minutes) = change.Kind switch
        {
            AgendaChangeKind.Delayed when change.Minutes is >= 1 and <= MaxDelayMinutes =>
                (session.Start.AddMinutes(change.Minutes), session.End.AddMinutes(change.Minutes), change.Minutes),
            AgendaChangeKind.Delayed => throw new ValidationFailedException(Problem.DelayMinutes, MaxDelayMinutes),
            AgendaChangeKind.Moved when change.NewStart is { } newStart =>
                (newStart, newStart + (session.End - session.Start), (int)(newStart - session.Start).TotalMinutes),
            AgendaChangeKind.Moved => throw new ValidationFailedException(Problem.NewStartMissing),
            AgendaChangeKind.Started when session.Status == SessionStatus.Started => throw new ValidationFailedException(Problem.SessionAlreadyStarted, session.Title),
            _ => (session.Start, session.End, 0),
        };

        RaiseEvent(new SessionChanged(actor, session.Id, change.Kind, minutes, start, end, clock.GetUtcNow()));
        return Task.FromResult(State.Sessions.First(s => s.Id == session.Id));
    }

    // Every hub call and form post under an event asks its agenda (is it read-only, does the
    // session exist): the view is built once per state and version, not per call. States are
    // immutable, so the same state object at the same version means the same view.
    private AgendaState? _viewed;
    private AgendaView? _view;

    private AgendaView View()
    {
        var state = State;
        if (!ReferenceEquals(state, _viewed) || _view is null || _view.Version != Version)
        {
            _view = Build(state);
            _viewed = state;
        }

        return _view;
    }

    private AgendaView Build(AgendaState state) => new(
        Key,
        Version,
        state.Title,
        state.SummaryMarkdown,
        state.TimeZoneId,
        [.. state.Sessions.OrderBy(s => s.Start).ThenBy(s => s.Title, StringComparer.Ordinal)],
        [.. state.Changes.Reverse()],
        state.Details?.StartsAt ?? (state.Sessions.IsEmpty ? null : state.Sessions.Min(s => s.Start)),
        state.Details?.EndsAt ?? (state.Sessions.IsEmpty ? null : state.Sessions.Max(s => s.End)),
        state.Details?.Languages ?? ["en"],
        state.Details?.Visibility ?? EventVisibility.Listed,
        state.Details?.Capacity,
        state.Status,
        state.CancellationReason,
        state.Versions);

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
