using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Agenda;
using Events.Grains.Audit;
using Events.Grains.Journal;
using Events.Grains.Mail;
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

    // The slots this person is free at for meetings, and the types whose requests they refuse.
    Task<MyAvailability> AvailabilityAsync(string email);

    Task<MyAvailability> SetAvailabilityAsync(string email, MeetingPrefs prefs);

    // A meeting of this person's, or null (not theirs, or no such meeting).
    Task<MeetingDetail?> MeetingAsync(string email, string meetingId);

    // One side says how a meeting went, once it has started (again to change it).
    Task<MeetingDetail> FeedbackAsync(string email, string meetingId, MeetingFeedback feedback);

    // Organisers ask, months later, what came of the meetings that took place (audited).
    Task AskLaterAsync(string actor);

    // One side answers that later question for a meeting that took place.
    Task<MeetingDetail> LaterAsync(string email, string meetingId, LaterOutcome outcome);

    // Organisers' view for statistics and exports.
    Task<MatchmakingReport> ReportAsync();

    // When this person was last mailed about new requests (the mailer sends at most one such mail
    // per 15 minutes), and noting one was sent.
    Task<DateTimeOffset?> RequestsMailedAtAsync(string email);

    Task NoteRequestsMailedAsync(string email, DateTimeOffset at);

    // The invitee answers a pending request with other times: it becomes Countered and a new
    // request goes back to the sender.
    Task<MeetingRequest> ProposeAsync(string email, string requestId, string message, ImmutableArray<DateTimeOffset> slots);

    // Either side of a booked meeting proposes other times; the meeting stands until the other
    // accepts one (then it moves) and stays if they decline or let the request expire.
    Task<MeetingRequest> RescheduleAsync(string email, string requestId, string note, ImmutableArray<DateTimeOffset> slots);

    // An organiser books a meeting for two people at a window slot (audited); the same clash and
    // table rules as an accept apply.
    Task<Meeting> ArrangeAsync(string actor, string a, string b, DateTimeOffset slot, string? note);

    // Books the meetings an organiser's "Schedule all" placed (see Scheduling), in one call: each
    // cancels the meeting it replaces, then is booked unless one of the two is busy then or no
    // table is left. Answers the booked meeting ids in order, "" where one was not booked.
    Task<ImmutableArray<string>> BookScheduledAsync(string actor, ImmutableArray<ScheduledBooking> bookings);

    // The invitee accepts and leaves the time to the organisers' "Schedule all" (RequestStatus.ToSchedule).
    Task<MeetingRequest> AcceptToScheduleAsync(string email, string requestId);

    // Promises the reminder mail of every booked meeting that starts within `lead` and has not had
    // one (each meeting once; a moved meeting is a new one), and answers when the next falls due.
    Task<DateTimeOffset?> RemindAsync(TimeSpan lead);

    // The same three as offline-safe inputs (the live hub): a person's idempotency key answers what
    // it first did, and a resend changes nothing; the key under another request is refused.
    Task<MeetingRequest> RequestOnceAsync(string from, string to, string message, ImmutableArray<DateTimeOffset> slots, string idempotencyKey);

    Task<Meeting> AcceptOnceAsync(string email, string requestId, DateTimeOffset slot, string idempotencyKey);

    Task<MeetingRequest> DeclineOnceAsync(string email, string requestId, string? reason, string idempotencyKey);
}

// Table: the table number the schedule chose (kept when free), for meetings at tables.
[GenerateSerializer, Immutable]
// Request: the request accepted "to schedule" that this booking answers, if any.
public sealed record ScheduledBooking(string A, string B, DateTimeOffset Start, int Table, string? Replaces, string? Request = null);

// The stored names below are part of the database format: add new ones, never rename.
[JsonPolymorphic]
[JsonDerivedType(typeof(MatchSettingsChanged), "match-settings-changed")]
[JsonDerivedType(typeof(MeetingRequested), "meeting-requested")]
[JsonDerivedType(typeof(MeetingRequestAnswered), "meeting-request-answered")]
[JsonDerivedType(typeof(MeetingBooked), "meeting-booked")]
[JsonDerivedType(typeof(MeetingCancelled), "meeting-cancelled")]
[JsonDerivedType(typeof(MeetingPrefsSet), "meeting-prefs-set")]
[JsonDerivedType(typeof(MeetingArranged), "meeting-arranged")]
[JsonDerivedType(typeof(MeetingFeedbackGiven), "meeting-feedback-given")]
[JsonDerivedType(typeof(LaterOutcomeAsked), "later-outcome-asked")]
[JsonDerivedType(typeof(LaterOutcomeGiven), "later-outcome-given")]
[JsonDerivedType(typeof(RequestsMailed), "requests-mailed")]
[JsonDerivedType(typeof(MeetingReminderDue), "meeting-reminder-due")]
[JsonDerivedType(typeof(MatchInputKeyed), "match-input-keyed")]
[GenerateSerializer, Immutable]
public abstract record MatchmakingEvent;

[GenerateSerializer, Immutable]
public sealed record MatchSettingsChanged(string Actor, MatchSettings Settings) : MatchmakingEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("match-settings", Settings.Themes.Length, Settings.Windows.Length, Settings.SlotMinutes, Settings.Place, Settings.MaxOutgoing);
}

// The invitee hears of it by mail (batched: at most one mail about new requests per 15 minutes).
// Each mail-promising event below derives from MatchmakingEvent itself: the journal's JSON names
// its type against that base.
[GenerateSerializer, Immutable]
// A request the organisers' "Schedule all" made (BookedBy) is not mailed: publishing mails each person once.
public sealed record MeetingRequested(MeetingRequest Request) : MatchmakingEvent, IPromisesMail
{
    [JsonIgnore]
    public bool PromisesMail => Request.BookedBy is null;
}

// Declined, cancelled (withdrawn) or expired; Reason as the person gave it. Only a decline is
// mailed (to the requester).
[GenerateSerializer, Immutable]
public sealed record MeetingRequestAnswered(string RequestId, RequestStatus Status, string? Reason) : MatchmakingEvent, IPromisesMail
{
    [JsonIgnore]
    public bool PromisesMail => Status == RequestStatus.Declined;
}

// The requester is told the invitee accepted; not for a meeting "Schedule all" placed (Scheduled),
// whose publication mails each person once.
[GenerateSerializer, Immutable]
public sealed record MeetingBooked(Meeting Meeting, bool Scheduled = false) : MatchmakingEvent, IPromisesMail
{
    [JsonIgnore]
    public bool PromisesMail => !Scheduled;
}

// The other side is told; not when "Schedule all" moves a meeting it placed (Scheduled).
[GenerateSerializer, Immutable]
public sealed record MeetingCancelled(string MeetingId, string By, string? Note, bool Scheduled = false) : MatchmakingEvent, IPromisesMail
{
    [JsonIgnore]
    public bool PromisesMail => !Scheduled;
}

// Both people are reminded, unless the meeting is cancelled or moved before the mail goes.
[GenerateSerializer, Immutable]
public sealed record MeetingReminderDue(string MeetingId) : MatchmakingEvent, IPromisesMail
{
    [JsonIgnore]
    public bool PromisesMail => true;
}

// What an offline-safe input with this key (a person's, for one kind of input) did: the request
// sent, or the meeting booked or request declined.
[GenerateSerializer, Immutable]
public sealed record MatchInputKeyed(string Key, string Result) : MatchmakingEvent;

[GenerateSerializer, Immutable]
public sealed record RequestsMailed(string Email, DateTimeOffset At) : MatchmakingEvent;

[GenerateSerializer, Immutable]
public sealed record MeetingPrefsSet(string Email, MeetingPrefs Prefs) : MatchmakingEvent;

// A meeting an organiser booked for two people: its request is born accepted.
[GenerateSerializer, Immutable]
public sealed record MeetingArranged(string Actor, MeetingRequest Request, Meeting Meeting) : MatchmakingEvent, IAuditedEvent, IPromisesMail
{
    // Both people are told.
    [JsonIgnore]
    public bool PromisesMail => true;

    public AuditAction Audit() => AuditAction.Of("meeting-arranged", Meeting.Id, Meeting.Start, Meeting.A, Meeting.B);
}

[GenerateSerializer, Immutable]
public sealed record MeetingFeedbackGiven(string MeetingId, string Email, MeetingFeedback Feedback) : MatchmakingEvent;

[GenerateSerializer, Immutable]
public sealed record LaterOutcomeAsked(string Actor, DateTimeOffset At) : MatchmakingEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("later-outcome-asked");
}

[GenerateSerializer, Immutable]
public sealed record LaterOutcomeGiven(string MeetingId, string Email, LaterOutcome Outcome) : MatchmakingEvent;

// Prefs, After, LaterAskedAt, Reminded and Keyed are null in snapshots written before they existed.
[GenerateSerializer, Immutable]
public sealed record MatchmakingState(
    MatchSettings Settings,
    ImmutableDictionary<string, MeetingRequest> Requests,
    ImmutableDictionary<string, Meeting> Meetings,
    ImmutableDictionary<string, MeetingPrefs>? Prefs = null,
    ImmutableDictionary<string, MeetingAfter>? After = null,
    DateTimeOffset? LaterAskedAt = null,
    ImmutableDictionary<string, DateTimeOffset>? RequestsMailedAt = null,
    ImmutableHashSet<string>? Reminded = null,
    ImmutableDictionary<string, string>? Keyed = null) : IJournaledState<MatchmakingState, MatchmakingEvent>
{
    public MeetingAfter AfterOf(string meetingId) => After?.GetValueOrDefault(meetingId) ?? MeetingAfter.None;

    private MatchmakingState WithAfter(string meetingId, Func<MeetingAfter, MeetingAfter> change) =>
        this with { After = (After ?? ImmutableDictionary<string, MeetingAfter>.Empty).SetItem(meetingId, change(AfterOf(meetingId))) };

    public static MatchmakingState Initial { get; } = new(MatchSettings.Default, ImmutableDictionary<string, MeetingRequest>.Empty, ImmutableDictionary<string, Meeting>.Empty, ImmutableDictionary<string, MeetingPrefs>.Empty);

    public MeetingPrefs PrefsOf(string email) => Prefs?.GetValueOrDefault(email) ?? MeetingPrefs.Default;

    public MatchmakingState Apply(MatchmakingEvent @event) => @event switch
    {
        MatchSettingsChanged changed => this with { Settings = changed.Settings },
        MeetingRequested requested => this with { Requests = Requests.SetItem(requested.Request.Id, requested.Request) },
        MeetingRequestAnswered answered when Requests.TryGetValue(answered.RequestId, out var r) =>
            this with { Requests = Requests.SetItem(r.Id, r with { Status = answered.Status, Reason = answered.Reason }) },
        MeetingBooked booked => this with
        {
            Meetings = Meetings.SetItem(booked.Meeting.Id, booked.Meeting),
            Requests = Requests.TryGetValue(booked.Meeting.RequestId, out var r) ? Requests.SetItem(r.Id, r with { Status = RequestStatus.Accepted, MeetingId = booked.Meeting.Id }) : Requests,
        },
        MeetingArranged arranged => this with
        {
            Meetings = Meetings.SetItem(arranged.Meeting.Id, arranged.Meeting),
            Requests = Requests.SetItem(arranged.Request.Id, arranged.Request),
        },
        MeetingFeedbackGiven given => WithAfter(given.MeetingId, a => a with { Feedback = a.Feedback.SetItem(given.Email, given.Feedback) }),
        LaterOutcomeAsked asked => this with { LaterAskedAt = asked.At },
        RequestsMailed mailed => this with { RequestsMailedAt = (RequestsMailedAt ?? ImmutableDictionary<string, DateTimeOffset>.Empty).SetItem(mailed.Email, mailed.At) },
        LaterOutcomeGiven later => WithAfter(later.MeetingId, a => a with { Later = a.Later.SetItem(later.Email, later.Outcome) }),
        MeetingReminderDue due => this with { Reminded = (Reminded ?? ImmutableHashSet<string>.Empty).Add(due.MeetingId) },
        MatchInputKeyed keyed => this with { Keyed = (Keyed ?? ImmutableDictionary<string, string>.Empty).SetItem(keyed.Key, keyed.Result) },
        MeetingPrefsSet set => this with { Prefs = (Prefs ?? ImmutableDictionary<string, MeetingPrefs>.Empty).SetItem(set.Email, set.Prefs) },
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
    protected override IReadOnlyList<Follower> Followers => [.. base.Followers, MailOutbox.Follower];

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

    public Task<ImmutableArray<DateTimeOffset>> FreeSlotsAsync(string email, string otherEmail) => FreeForAsync(email, otherEmail, null);

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

        if (State.PrefsOf(to).Refused is { IsEmpty: false } refused && await ProfileOfAsync(from) is { } asker && refused.Contains(asker.Type))
        {
            throw new ValidationFailedException(Problem.MeetingTypeRefused, asker.Type);
        }

        var proposed = await ProposedAsync(from, to, slots, null);
        return await SendAsync(new MeetingRequest($"r{Version + 1}", from, to, text, proposed, now, now.AddHours(State.Settings.RequestHours), RequestStatus.Pending, null, null));
    }

    public async Task<MeetingRequest> ProposeAsync(string email, string requestId, string message, ImmutableArray<DateTimeOffset> slots)
    {
        var now = clock.GetUtcNow();
        ExpireLapsed(now);
        var request = Find(requestId);
        if (request.To != email || request.Status != RequestStatus.Pending)
        {
            throw new ValidationFailedException(Problem.MeetingRequestNotNow, request.Status);
        }

        var text = Note(message);
        var proposed = await ProposedAsync(email, request.From, slots, request.Replaces);
        RaiseEvent(new MeetingRequestAnswered(request.Id, RequestStatus.Countered, text));
        return await SendAsync(new MeetingRequest($"r{Version + 1}", email, request.From, text ?? "", proposed, now, now.AddHours(State.Settings.RequestHours), RequestStatus.Pending, null, null, Counters: request.Id, Replaces: request.Replaces));
    }

    public async Task<MeetingRequest> RescheduleAsync(string email, string requestId, string note, ImmutableArray<DateTimeOffset> slots)
    {
        var now = clock.GetUtcNow();
        ExpireLapsed(now);
        var request = Find(requestId);
        if (request is not { Status: RequestStatus.Accepted, MeetingId: { } meetingId } || !State.Meetings[meetingId].Involves(email))
        {
            throw new ValidationFailedException(Problem.MeetingRequestNotNow, request.Status);
        }

        var other = State.Meetings[meetingId].Other(email);
        var text = Note(note);
        var proposed = await ProposedAsync(email, other, slots, meetingId);

        // One open proposal per meeting: an earlier one still waiting is withdrawn.
        foreach (var earlier in State.Requests.Values.Where(r => r.Replaces == meetingId && r.Status == RequestStatus.Pending).ToList())
        {
            RaiseEvent(new MeetingRequestAnswered(earlier.Id, RequestStatus.Cancelled, text));
        }

        return await SendAsync(new MeetingRequest($"r{Version + 1}", email, other, text ?? "", proposed, now, now.AddHours(State.Settings.RequestHours), RequestStatus.Pending, null, null, Replaces: meetingId));
    }

    public async Task<MyAvailability> AvailabilityAsync(string email)
    {
        var speaking = await SpeakingAsync(email);
        var prefs = State.PrefsOf(email);
        return new MyAvailability([.. State.Settings.Slots()], [.. Available(email, speaking).Order()], speaking, prefs);
    }

    public async Task<MyAvailability> SetAvailabilityAsync(string email, MeetingPrefs prefs)
    {
        var slots = State.Settings.Slots().ToHashSet();
        var free = (prefs.Free.IsDefault ? [] : prefs.Free).Select(s => s.ToUniversalTime()).Distinct().Order().ToImmutableArray();
        var refused = (prefs.Refused.IsDefault ? [] : prefs.Refused).Distinct().Order().ToImmutableArray();
        if (free.Any(s => !slots.Contains(s)) || refused.Any(t => !Enum.IsDefined(t)))
        {
            throw new ValidationFailedException(Problem.MeetingFreeSlotsInvalid);
        }

        var phone = prefs.Phone?.Trim() is { Length: > 0 } typed ? typed : null;
        if (phone is not null && (phone.Length > MeetingPrefs.MaxPhone || !phone.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.') || phone.Count(char.IsAsciiDigit) < 6))
        {
            throw new ValidationFailedException(Problem.MeetingPhoneInvalid);
        }

        var clean = new MeetingPrefs(prefs.Custom, prefs.Custom ? free : [], refused, phone);
        var before = State.PrefsOf(email);
        if (clean.Custom != before.Custom || clean.Phone != before.Phone || !clean.Free.SequenceEqual(before.Free) || !clean.Refused.SequenceEqual(before.Refused))
        {
            RaiseEvent(new MeetingPrefsSet(email, clean));
        }

        return await AvailabilityAsync(email);
    }

    public Task<MeetingDetail?> MeetingAsync(string email, string meetingId) => Task.FromResult(
        State.Meetings.GetValueOrDefault(meetingId) is { } meeting && meeting.Involves(email) ? Detail(meeting, email) : null);

    public async Task<MeetingDetail> FeedbackAsync(string email, string meetingId, MeetingFeedback feedback)
    {
        var meeting = Mine(email, meetingId);
        if (meeting.Cancelled || clock.GetUtcNow() < meeting.Start || !Enum.IsDefined(feedback))
        {
            throw new ValidationFailedException(Problem.MeetingFeedbackNotNow);
        }

        RaiseEvent(new MeetingFeedbackGiven(meeting.Id, email, feedback));
        return await Notified(Detail(meeting, email), meeting.A, meeting.B);
    }

    public Task AskLaterAsync(string actor)
    {
        RaiseEvent(new LaterOutcomeAsked(actor, clock.GetUtcNow()));
        return Task.CompletedTask;
    }

    public async Task<MeetingDetail> LaterAsync(string email, string meetingId, LaterOutcome outcome)
    {
        var meeting = Mine(email, meetingId);
        if (State.LaterAskedAt is null || State.AfterOf(meeting.Id).Held != MeetingHeld.Held || !Enum.IsDefined(outcome))
        {
            throw new ValidationFailedException(Problem.MeetingFeedbackNotNow);
        }

        RaiseEvent(new LaterOutcomeGiven(meeting.Id, email, outcome));
        return await Notified(Detail(meeting, email), meeting.A, meeting.B);
    }

    public Task<MatchmakingReport> ReportAsync()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(new MatchmakingReport(
            [.. State.Requests.Values.Select(r => Effective(r, now)).OrderBy(r => r.CreatedAt)],
            [.. State.Meetings.Values.OrderBy(m => m.Start).Select(m => new MeetingRecord(m, State.Requests.GetValueOrDefault(m.RequestId), State.AfterOf(m.Id)))],
            State.LaterAskedAt));
    }

    public Task<DateTimeOffset?> RequestsMailedAtAsync(string email) =>
        Task.FromResult(State.RequestsMailedAt?.TryGetValue(email, out var at) == true ? at : (DateTimeOffset?)null);

    public Task NoteRequestsMailedAsync(string email, DateTimeOffset at)
    {
        RaiseEvent(new RequestsMailed(email, at));
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> RemindAsync(TimeSpan lead)
    {
        var now = clock.GetUtcNow();
        var waiting = State.Meetings.Values.Where(m => !m.Cancelled && m.Start > now && State.Reminded?.Contains(m.Id) != true).ToList();
        foreach (var meeting in waiting.Where(m => m.Start - lead <= now))
        {
            RaiseEvent(new MeetingReminderDue(meeting.Id));
        }

        return Task.FromResult(waiting.Where(m => m.Start - lead > now).Select(m => (DateTimeOffset?)(m.Start - lead)).Min());
    }

    public async Task<MeetingRequest> RequestOnceAsync(string from, string to, string message, ImmutableArray<DateTimeOffset> slots, string idempotencyKey)
    {
        var key = InputKey(from, "request", idempotencyKey);
        if (State.Keyed?.GetValueOrDefault(key) is { } sent)
        {
            return State.Requests[sent] is { } earlier && earlier.To == to ? Effective(earlier, clock.GetUtcNow()) : throw new ValidationFailedException(Problem.IdempotencyKeyReused);
        }

        var request = await RequestAsync(from, to, message, slots);
        RaiseEvent(new MatchInputKeyed(key, request.Id));
        return request;
    }

    public async Task<Meeting> AcceptOnceAsync(string email, string requestId, DateTimeOffset slot, string idempotencyKey)
    {
        var key = InputKey(email, "accept", idempotencyKey);
        if (State.Keyed?.GetValueOrDefault(key) is { } booked)
        {
            return State.Meetings[booked] is { } earlier && earlier.RequestId == requestId ? earlier : throw new ValidationFailedException(Problem.IdempotencyKeyReused);
        }

        var meeting = await AcceptAsync(email, requestId, slot);
        RaiseEvent(new MatchInputKeyed(key, meeting.Id));
        return meeting;
    }

    public async Task<MeetingRequest> DeclineOnceAsync(string email, string requestId, string? reason, string idempotencyKey)
    {
        var key = InputKey(email, "decline", idempotencyKey);
        if (State.Keyed?.GetValueOrDefault(key) is { } declined)
        {
            return declined == requestId ? State.Requests[declined] : throw new ValidationFailedException(Problem.IdempotencyKeyReused);
        }

        var request = await DeclineAsync(email, requestId, reason);
        RaiseEvent(new MatchInputKeyed(key, request.Id));
        return request;
    }

    // Keys come from the person's browser: one person's key never answers for another.
    private static string InputKey(string email, string kind, string idempotencyKey)
    {
        var key = (idempotencyKey ?? "").Trim();
        if (key.Length is 0 or > 64)
        {
            throw new ValidationFailedException(Problem.IdempotencyKeyInvalid);
        }

        return $"{email}\n{kind}\n{key}";
    }

    private Meeting Mine(string email, string meetingId) =>
        State.Meetings.GetValueOrDefault(meetingId) is { } meeting && meeting.Involves(email) ? meeting : throw new ValidationFailedException(Problem.MeetingRequestMissing);

    private MeetingDetail Detail(Meeting meeting, string email) => new(
        meeting,
        State.Requests.GetValueOrDefault(meeting.RequestId),
        meeting.Cancelled ? null : State.PrefsOf(meeting.Other(email)).Phone,
        State.AfterOf(meeting.Id),
        State.LaterAskedAt is not null);

    public async Task<Meeting> ArrangeAsync(string actor, string a, string b, DateTimeOffset slot, string? note)
    {
        if (a == b)
        {
            throw new ValidationFailedException(Problem.MeetingSelf);
        }

        var now = clock.GetUtcNow();
        ExpireLapsed(now);
        var start = slot.ToUniversalTime();
        if (start <= now || !State.Settings.IsSlot(start))
        {
            throw new ValidationFailedException(Problem.MeetingSlotInvalid, State.Settings.Label(start));
        }

        var place = await BookableAsync(a, b, start, null);
        var meeting = new Meeting($"m{Version + 1}", $"r{Version + 1}", a, b, start, State.Settings.SlotMinutes, State.Settings.Place, place, false, null);
        var request = new MeetingRequest(meeting.RequestId, a, b, Note(note) ?? "", [start], now, now, RequestStatus.Accepted, null, meeting.Id, BookedBy: actor);
        RaiseEvent(new MeetingArranged(actor, request, meeting));
        return await Notified(meeting, a, b);
    }

    private async Task<MeetingRequest> SendAsync(MeetingRequest request)
    {
        RaiseEvent(new MeetingRequested(request));
        return await Notified(request, request.From, request.To);
    }

    // The proposed slots, cleaned: one to three, each free for both people (a meeting being
    // rescheduled does not count as busy).
    private async Task<ImmutableArray<DateTimeOffset>> ProposedAsync(string from, string to, ImmutableArray<DateTimeOffset> slots, string? except)
    {
        var proposed = (slots.IsDefault ? [] : slots).Select(s => s.ToUniversalTime()).Distinct().Order().ToImmutableArray();
        if (proposed.Length is < 1 or > MaxSlotsPerRequest)
        {
            throw new ValidationFailedException(Problem.MeetingSlotsCount, MaxSlotsPerRequest);
        }

        var free = await FreeForAsync(from, to, except);
        if (proposed.FirstOrDefault(s => !free.Contains(s)) is var busy && busy != default)
        {
            throw new ValidationFailedException(Problem.MeetingSlotInvalid, State.Settings.Label(busy));
        }

        return proposed;
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

        // A meeting being moved no longer counts once its new time is accepted.
        var moving = request.Replaces is { } old && State.Meetings.TryGetValue(old, out var m) && !m.Cancelled ? m : null;
        var place = await BookableAsync(request.From, request.To, start, moving?.Id);
        if (moving is not null)
        {
            RaiseEvent(new MeetingCancelled(moving.Id, email, request.Message.Length > 0 ? request.Message : null));
        }

        var meeting = new Meeting($"m{Version + 1}", request.Id, request.From, request.To, start, State.Settings.SlotMinutes, State.Settings.Place, place, false, null);
        RaiseEvent(new MeetingBooked(meeting));
        return await Notified(meeting, request.From, request.To);
    }

    // Where a meeting of these two at this slot takes place, or the refusal that tells them the
    // time was just taken and which remain free for both.
    private async Task<string> BookableAsync(string a, string b, DateTimeOffset start, string? except)
    {
        if (!Busy(a, start, except) && !Busy(b, start, except) && Place(start, except) is { } place)
        {
            return place;
        }

        var free = await FreeForAsync(a, b, except);
        throw new ValidationFailedException(Problem.MeetingSlotTaken, State.Settings.Label(start),
            free.IsEmpty ? "-" : string.Join(", ", free.Take(6).Select(State.Settings.Label)));
    }

    public async Task<MeetingRequest> AcceptToScheduleAsync(string email, string requestId)
    {
        ExpireLapsed(clock.GetUtcNow());
        var request = Find(requestId);
        if (request.To != email || request.Status != RequestStatus.Pending)
        {
            throw new ValidationFailedException(Problem.MeetingRequestNotNow, request.Status);
        }

        RaiseEvent(new MeetingRequestAnswered(request.Id, RequestStatus.ToSchedule, null));
        return await Notified(State.Requests[request.Id], request.From, request.To);
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
        else if (request.Status == RequestStatus.ToSchedule && (request.From == email || request.To == email))
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

    public async Task<ImmutableArray<string>> BookScheduledAsync(string actor, ImmutableArray<ScheduledBooking> bookings)
    {
        var now = clock.GetUtcNow();
        var booked = ImmutableArray.CreateBuilder<string>();
        var people = new HashSet<string>();
        foreach (var booking in bookings)
        {
            if (booking.Replaces is { } old && State.Meetings.TryGetValue(old, out var replaced) && !replaced.Cancelled)
            {
                RaiseEvent(new MeetingCancelled(old, actor, null, Scheduled: true));
            }

            var start = booking.Start.ToUniversalTime();
            var table = booking.Table.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var place = State.Settings.Place == MeetingPlaceKind.Tables && FreeTables(start).Contains(table) ? table : Place(start, null);
            if (booking.A == booking.B || Busy(booking.A, start, null) || Busy(booking.B, start, null) || place is null)
            {
                booked.Add("");
                continue;
            }

            // A request accepted "to schedule" is booked on itself, also when this run moves its
            // meeting; one its people cancelled since the run stays cancelled.
            var answered = booking.Request is { } id ? State.Requests.GetValueOrDefault(id) : null;
            if (booking.Request is not null && answered is not { Status: RequestStatus.ToSchedule }
                && !(answered is { Status: RequestStatus.Cancelled, MeetingId: { } was } && was == booking.Replaces))
            {
                booked.Add("");
                continue;
            }

            var request = answered ?? new MeetingRequest($"r{Version + 1}", booking.A, booking.B, "", [start], now, now, RequestStatus.Pending, null, null, BookedBy: actor);
            if (answered is null)
            {
                RaiseEvent(new MeetingRequested(request));
            }

            var meeting = new Meeting($"m{Version + 1}", request.Id, booking.A, booking.B, start, State.Settings.SlotMinutes, State.Settings.Place, place, false, null);
            RaiseEvent(new MeetingBooked(meeting, Scheduled: true));
            booked.Add(meeting.Id);
            people.Add(booking.A);
            people.Add(booking.B);
        }

        return await Notified(booked.ToImmutable(), [.. people]);
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
        r.From == email && r.CountsAgainstLimit && Effective(r, now).Status is RequestStatus.Pending or RequestStatus.Accepted or RequestStatus.ToSchedule);

    private bool Busy(string email, DateTimeOffset start, string? except) =>
        State.Meetings.Values.Any(m => !m.Cancelled && m.Id != except && m.Involves(email) && Overlaps(m, start));

    private bool Overlaps(Meeting m, DateTimeOffset start) => m.Start < start.AddMinutes(State.Settings.SlotMinutes) && start < m.Start.AddMinutes(m.Minutes);

    // Slots ahead where both are free by their own choice, neither has a meeting and a place is left.
    private async Task<ImmutableArray<DateTimeOffset>> FreeForAsync(string a, string b, string? except)
    {
        var now = clock.GetUtcNow();
        var availableA = Available(a, await SpeakingAsync(a));
        var availableB = Available(b, await SpeakingAsync(b));
        return [.. State.Settings.Slots().Where(s => s > now && availableA.Contains(s) && availableB.Contains(s) && !Busy(a, s, except) && !Busy(b, s, except) && FreeTable(s, except) is not null)];
    }

    private HashSet<DateTimeOffset> Available(string email, ImmutableArray<DateTimeOffset> speaking)
    {
        var prefs = State.PrefsOf(email);
        var slots = State.Settings.Slots();
        return prefs.Custom ? slots.Intersect(prefs.Free).ToHashSet() : slots.Except(speaking).ToHashSet();
    }

    // Window slots that clash with a session this person speaks at: the agenda names speakers, not
    // addresses, so a speaker whose name is the person's profile name is taken to be them.
    private async Task<ImmutableArray<DateTimeOffset>> SpeakingAsync(string email)
    {
        if (await ProfileOfAsync(email) is not { } profile || await GrainFactory.GetGrain<IAgendaGrain>(Key).GetAsync() is not { } agenda)
        {
            return [];
        }

        var name = profile.Name.Trim();
        var sessions = agenda.Sessions
            .Where(s => s.Status != SessionStatus.Cancelled && s.Speakers.Any(p => string.Equals(p.Name.Trim(), name, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var minutes = State.Settings.SlotMinutes;
        return [.. State.Settings.Slots().Where(slot => sessions.Any(s => s.Start < slot.AddMinutes(minutes) && slot < s.End))];
    }

    // The directory follows profiles and never calls this grain, so asking it cannot deadlock
    // (a profile grain saving asks this grain for its themes).
    private async Task<ProfileDraft?> ProfileOfAsync(string email) =>
        (await GrainFactory.GetGrain<IDirectoryGrain>(Key).FindAsync(PersonIds.Of(Key, email), organiser: true))?.Profile;

    // Where a meeting at this slot takes place: the lowest table free then, a generated virtual
    // room, or the phone. Null: no table left.
    private string? Place(DateTimeOffset start, string? except) => State.Settings switch
    {
        { Place: MeetingPlaceKind.Tables } => FreeTable(start, except),
        { Place: MeetingPlaceKind.Virtual, RoomTemplate: { } template } => template.Replace("{room}", $"{Key}-{Secrets.NewToken(9)}", StringComparison.Ordinal),
        _ => "",
    };

    // The lowest table number free at this slot ("" when meetings are not at tables), or null.
    private string? FreeTable(DateTimeOffset start, string? except = null) => FreeTables(start, except).FirstOrDefault();

    private IEnumerable<string> FreeTables(DateTimeOffset start, string? except = null)
    {
        var settings = State.Settings;
        if (settings.Place != MeetingPlaceKind.Tables)
        {
            return [""];
        }

        var taken = State.Meetings.Values
            .Where(m => !m.Cancelled && m.Id != except && m.PlaceKind == MeetingPlaceKind.Tables && Overlaps(m, start))
            .Select(m => m.Place).ToHashSet();
        return Enumerable.Range(1, settings.Tables).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Where(t => !taken.Contains(t));
    }
}
