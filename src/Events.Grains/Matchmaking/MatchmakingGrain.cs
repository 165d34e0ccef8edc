using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;
using Events.Grains.People;

namespace Events.Grains.Matchmaking;

// An event's matchmaking settings, meeting requests and meetings, keyed by the event's slug. It is
// the one place where meetings are booked: Orleans keeps a single activation per key in the
// cluster and runs its calls one at a time, and each call's events are appended conditionally, so
// two accepts (from any silo, at any moment) are decided one after the other on the state the
// first left, and nobody and no table ends up in two meetings at once.
public interface IMatchmakingGrain : IGrainWithStringKey
{
    Task<MatchSettings> GetSettingsAsync();

    Task<MatchSettings> SetSettingsAsync(string actor, MatchSettings settings);

    Task<MyMeetings> MineAsync(string email);

    // The window slots still free for both people, in time order.
    Task<ImmutableArray<DateTimeOffset>> FreeSlotsAsync(string email, string otherEmail);

    // People this person already met, has a meeting with, or who declined them (or they declined):
    // suggestions leave them out.
    Task<ImmutableHashSet<string>> KnownAsync(string email);

    Task<MeetingRequest> RequestAsync(string from, string to, string message, ImmutableArray<DateTimeOffset> slots);

    Task<Meeting> AcceptAsync(string email, string requestId, DateTimeOffset slot);

    Task<MeetingRequest> DeclineAsync(string email, string requestId, string? reason);

    // Withdraws a pending request (its sender) or cancels a booked meeting (either side).
    Task<MeetingRequest> CancelAsync(string email, string requestId, string? note);
}

// The stored names below are part of the database format: add new ones, never rename.
[JsonPolymorphic]
[JsonDerivedType(typeof(MatchSettingsChanged), "match-settings-changed")]
[JsonDerivedType(typeof(MeetingRequested), "meeting-requested")]
[JsonDerivedType(typeof(MeetingRequestAnswered), "meeting-request-answered")]
[JsonDerivedType(typeof(MeetingBooked), "meeting-booked")]
[JsonDerivedType(typeof(MeetingCancelled), "meeting-cancelled")]
[GenerateSerializer, Immutable]
public abstract record MatchmakingEvent;

[GenerateSerializer, Immutable]
public sealed record MatchSettingsChanged(string Actor, MatchSettings Settings) : MatchmakingEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("match-settings", Settings.Themes.Length, Settings.Windows.Length, Settings.SlotMinutes, Settings.Place, Settings.MaxOutgoing);
}

[GenerateSerializer, Immutable]
public sealed record MeetingRequested(MeetingRequest Request) : MatchmakingEvent;

// Declined, cancelled (withdrawn) or expired; Reason as the person gave it.
[GenerateSerializer, Immutable]
public sealed record MeetingRequestAnswered(string RequestId, RequestStatus Status, string? Reason) : MatchmakingEvent;

[GenerateSerializer, Immutable]
public sealed record MeetingBooked(Meeting Meeting) : MatchmakingEvent;

[GenerateSerializer, Immutable]
public sealed record MeetingCancelled(string MeetingId, string By, string? Note) : MatchmakingEvent;

[GenerateSerializer, Immutable]
public sealed record MatchmakingState(
    MatchSettings Settings,
    ImmutableDictionary<string, MeetingRequest> Requests,
    ImmutableDictionary<string, Meeting> Meetings) : IJournaledState<MatchmakingState, MatchmakingEvent>
{
    public static MatchmakingState Initial { get; } = new(MatchSettings.Default, ImmutableDictionary<string, MeetingRequest>.Empty, ImmutableDictionary<string, Meeting>.Empty);

    public MatchmakingState Apply(MatchmakingEvent @event) => @event switch
    {
        MatchSettingsChanged changed => this with { Settings = changed.Settings },
        MeetingRequested requested => this with { Requests = Requests.SetItem(requested.Request.Id, requested.Request) },
        MeetingRequestAnswered answered when Requests.TryGetValue(answered.RequestId, out var r) =>
            this with { Requests = Requests.SetItem(r.Id, r with { Status = answered.Status, Reason = answered.Reason }) },
        MeetingBooked booked when Requests.TryGetValue(booked.Meeting.RequestId, out var r) => this with
        {
            Meetings = Meetings.SetItem(booked.Meeting.Id, booked.Meeting),
            Requests = Requests.SetItem(r.Id, r with { Status = RequestStatus.Accepted, MeetingId = booked.Meeting.Id }),
        },
        MeetingCancelled cancelled when Meetings.TryGetValue(cancelled.MeetingId, out var m) => this with
        {
            Meetings = Meetings.SetItem(m.Id, m with { Cancelled = true, Note = cancelled.Note }),
            Requests = Requests.TryGetValue(m.RequestId, out var r) ? Requests.SetItem(r.Id, r with { Status = RequestStatus.Cancelled, Reason = cancelled.Note }) : Requests,
        },
        _ => this,
    };
}

[GrainType("matchmaking")]
public sealed class MatchmakingGrain(TimeProvider clock) : JournalGrain<MatchmakingState, MatchmakingEvent>, IMatchmakingGrain
{
    public const int MaxMessage = 500;
    public const int MaxSlotsPerRequest = 3;

    public Task<MatchSettings> GetSettingsAsync() => Task.FromResult(State.Settings);

    public Task<MatchSettings> SetSettingsAsync(string actor, MatchSettings settings)
    {
        var themes = (settings.Themes.IsDefault ? [] : settings.Themes).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToImmutableArray();
        var windows = settings.Windows.IsDefault ? [] : settings.Windows;
        var valid = settings.SlotMinutes is >= 10 and <= 60
            && settings.MaxOutgoing is >= 1 and <= 100
            && settings.RequestHours is >= 1 and <= 24 * 14
            && settings.Tables is >= 0 and <= 1_000
            && themes.Length <= 64 && themes.All(t => t.Length <= 60 && !t.Any(char.IsControl) && t.AsSpan().IndexOfAny('<', '>') < 0)
            && windows.Length <= 30 && windows.All(w => w.End > w.Start && w.End - w.Start <= TimeSpan.FromHours(24))
            && Enum.IsDefined(settings.Place)
            && (settings.Place != MeetingPlaceKind.Tables || settings.Tables > 0)
            && (settings.Place != MeetingPlaceKind.Virtual || settings.RoomTemplate is null || (settings.RoomTemplate.Contains("{room}", StringComparison.Ordinal) && Input.Link(settings.RoomTemplate.Replace("{room}", "r", StringComparison.Ordinal)) is not null));
        if (!valid)
        {
            throw new ValidationFailedException(Problem.MatchSettingsInvalid);
        }

        var clean = settings with { Themes = themes, Windows = windows };
        RaiseEvent(new MatchSettingsChanged(actor, clean));
        return Task.FromResult(clean);
    }

    public Task<MyMeetings> MineAsync(string email)
    {
        var now = clock.GetUtcNow();
        var requests = State.Requests.Values.Select(r => Effective(r, now)).OrderByDescending(r => r.CreatedAt).ToList();
        return Task.FromResult(new MyMeetings(
            [.. requests.Where(r => r.To == email)],
            [.. requests.Where(r => r.From == email)],
            [.. State.Meetings.Values.Where(m => m.Involves(email)).OrderBy(m => m.Start)],
            OutgoingUsed(email, now),
            State.Settings.MaxOutgoing));
    }

    public Task<ImmutableArray<DateTimeOffset>> FreeSlotsAsync(string email, string otherEmail) =>
        Task.FromResult(FreeFor(email, otherEmail));

    public Task<ImmutableHashSet<string>> KnownAsync(string email) => Task.FromResult(
        State.Meetings.Values.Where(m => m.Involves(email) && !m.Cancelled).Select(m => m.Other(email))
            .Concat(State.Requests.Values.Where(r => r.Status == RequestStatus.Declined && (r.From == email || r.To == email)).Select(r => r.From == email ? r.To : r.From))
            .ToImmutableHashSet());

    public async Task<MeetingRequest> RequestAsync(string from, string to, string message, ImmutableArray<DateTimeOffset> slots)
    {
        if (from == to)
        {
            throw new ValidationFailedException(Problem.MeetingSelf);
        }

        var now = clock.GetUtcNow();
        ExpireLapsed(now);
        var used = OutgoingUsed(from, now);
        if (used >= State.Settings.MaxOutgoing)
        {
            throw new ValidationFailedException(Problem.MeetingLimit, used, State.Settings.MaxOutgoing);
        }

        var text = Input.Optional(message, MaxMessage, Problem.MeetingMessageTooLong);
        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\r'))
        {
            throw new ValidationFailedException(Problem.ProfileControlCharacters, ProfileField.Intro);
        }

        var proposed = (slots.IsDefault ? [] : slots).Select(s => s.ToUniversalTime()).Distinct().Order().ToImmutableArray();
        if (proposed.Length is < 1 or > MaxSlotsPerRequest)
        {
            throw new ValidationFailedException(Problem.MeetingSlotsCount, MaxSlotsPerRequest);
        }

        var free = FreeFor(from, to);
        if (proposed.FirstOrDefault(s => !free.Contains(s)) is var busy && busy != default)
        {
            throw new ValidationFailedException(Problem.MeetingSlotInvalid, State.Settings.Label(busy));
        }

        var request = new MeetingRequest($"r{Version + 1}", from, to, text, proposed, now, now.AddHours(State.Settings.RequestHours), RequestStatus.Pending, null, null);
        RaiseEvent(new MeetingRequested(request));
        return await Notified(request, from, to);
    }

    public async Task<Meeting> AcceptAsync(string email, string requestId, DateTimeOffset slot)
    {
        var now = clock.GetUtcNow();
        ExpireLapsed(now);
        var request = Find(requestId);
        if (request.To != email || request.Status != RequestStatus.Pending)
        {
            throw new ValidationFailedException(Problem.MeetingRequestNotNow, request.Status);
        }

        var start = slot.ToUniversalTime();
        if (!request.Slots.Contains(start))
        {
            throw new ValidationFailedException(Problem.MeetingSlotInvalid, State.Settings.Label(start));
        }

        var place = Place(start);
        if (Busy(request.From, start) || Busy(request.To, start) || place is null)
        {
            var free = FreeFor(request.From, request.To);
            throw new ValidationFailedException(Problem.MeetingSlotTaken, State.Settings.Label(start),
                free.IsEmpty ? "-" : string.Join(", ", free.Take(6).Select(State.Settings.Label)));
        }

        var meeting = new Meeting($"m{Version + 1}", request.Id, request.From, request.To, start, State.Settings.SlotMinutes, State.Settings.Place, place, false, null);
        RaiseEvent(new MeetingBooked(meeting));
        return await Notified(meeting, request.From, request.To);
    }

    public async Task<MeetingRequest> DeclineAsync(string email, string requestId, string? reason)
    {
        var now = clock.GetUtcNow();
        ExpireLapsed(now);
        var request = Find(requestId);
        if (request.To != email || request.Status != RequestStatus.Pending)
        {
            throw new ValidationFailedException(Problem.MeetingRequestNotNow, request.Status);
        }

        RaiseEvent(new MeetingRequestAnswered(request.Id, RequestStatus.Declined, Note(reason)));
        return await Notified(State.Requests[request.Id], request.From, request.To);
    }

    public async Task<MeetingRequest> CancelAsync(string email, string requestId, string? note)
    {
        var now = clock.GetUtcNow();
        ExpireLapsed(now);
        var request = Find(requestId);
        if (request.Status == RequestStatus.Pending && request.From == email)
        {
            RaiseEvent(new MeetingRequestAnswered(request.Id, RequestStatus.Cancelled, Note(note)));
        }
        else if (request is { Status: RequestStatus.Accepted, MeetingId: { } meetingId } && (request.From == email || request.To == email))
        {
            RaiseEvent(new MeetingCancelled(meetingId, email, Note(note)));
        }
        else
        {
            throw new ValidationFailedException(Problem.MeetingRequestNotNow, request.Status);
        }

        return await Notified(State.Requests[request.Id], request.From, request.To);
    }

    // Both people's open pages hear that something changed (no detail: they refetch their own view).
    // This runs inside the call, before its events are appended; a page that refetches at once
    // reaches this grain after the call, so it sees the change. A call refused at the append
    // leaves a notice with nothing new behind, which costs one refetch.
    private async Task<T> Notified<T>(T result, params string[] people)
    {
        await Task.WhenAll(people.Select(p => GrainFactory.GetGrain<IMeetingInboxGrain>(MeetingInbox.Key(Key, p)).NoteAsync()));
        return result;
    }

    private static string? Note(string? text)
    {
        var note = Input.Optional(text, MaxMessage, Problem.MeetingMessageTooLong);
        return note.Length == 0 ? null : new string([.. note.Where(c => !char.IsControl(c) || c is '\n')]);
    }

    private MeetingRequest Find(string requestId) =>
        State.Requests.GetValueOrDefault(requestId) ?? throw new ValidationFailedException(Problem.MeetingRequestMissing);

    // A pending request past its time counts as expired at once; the next write records it.
    private static MeetingRequest Effective(MeetingRequest request, DateTimeOffset now) =>
        request.Status == RequestStatus.Pending && request.ExpiresAt <= now ? request with { Status = RequestStatus.Expired } : request;

    private void ExpireLapsed(DateTimeOffset now)
    {
        foreach (var request in State.Requests.Values.Where(r => r.Status == RequestStatus.Pending && r.ExpiresAt <= now).ToList())
        {
            RaiseEvent(new MeetingRequestAnswered(request.Id, RequestStatus.Expired, null));
        }
    }

    // Cancelled requests and meetings go back to the allowance; expired ones too.
    private int OutgoingUsed(string email, DateTimeOffset now) => State.Requests.Values.Count(r =>
        r.From == email && Effective(r, now).Status is RequestStatus.Pending or RequestStatus.Accepted);

    private bool Busy(string email, DateTimeOffset start) =>
        State.Meetings.Values.Any(m => !m.Cancelled && m.Involves(email) && m.Start < start.AddMinutes(State.Settings.SlotMinutes) && start < m.Start.AddMinutes(m.Minutes));

    private ImmutableArray<DateTimeOffset> FreeFor(string a, string b)
    {
        var now = clock.GetUtcNow();
        return [.. State.Settings.Slots().Where(s => s > now && !Busy(a, s) && !Busy(b, s) && FreeTable(s) is not null)];
    }

    // Where a meeting at this slot takes place: the lowest table free then, a generated virtual
    // room, or the phone. Null: no table left.
    private string? Place(DateTimeOffset start) => State.Settings switch
    {
        { Place: MeetingPlaceKind.Tables } => FreeTable(start),
        { Place: MeetingPlaceKind.Virtual, RoomTemplate: { } template } => template.Replace("{room}", $"{Key}-{Secrets.NewToken(9)}", StringComparison.Ordinal),
        _ => "",
    };

    // The lowest table number free at this slot ("" when meetings are not at tables), or null.
    private string? FreeTable(DateTimeOffset start)
    {
        var settings = State.Settings;
        if (settings.Place != MeetingPlaceKind.Tables)
        {
            return "";
        }

        var taken = State.Meetings.Values
            .Where(m => !m.Cancelled && m.PlaceKind == MeetingPlaceKind.Tables && m.Start < start.AddMinutes(settings.SlotMinutes) && start < m.Start.AddMinutes(m.Minutes))
            .Select(m => m.Place).ToHashSet();
        return Enumerable.Range(1, settings.Tables).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(t => !taken.Contains(t));
    }
}
