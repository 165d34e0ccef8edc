using System.Collections.Immutable;
using System.Globalization;

namespace Events.Grains.Matchmaking;

[GenerateSerializer]
public enum MeetingPlaceKind
{
    Virtual,
    Tables,
    Phone,
}

[GenerateSerializer, Immutable]
public sealed record MeetingWindow(DateTimeOffset Start, DateTimeOffset End);

// What organisers set for an event's matchmaking. RoomTemplate: a link with "{room}" where a
// generated room name goes (their Jitsi or BigBlueButton server).
[GenerateSerializer, Immutable]
public sealed record MatchSettings(
    ImmutableArray<string> Themes,
    ImmutableArray<MeetingWindow> Windows,
    int SlotMinutes,
    MeetingPlaceKind Place,
    string? RoomTemplate,
    int Tables,
    int MaxOutgoing,
    int RequestHours,
    string TimeZoneId)
{
    public const int DefaultSlotMinutes = 20;
    public const int DefaultMaxOutgoing = 10;
    public const int DefaultRequestHours = 48;

    public static MatchSettings Default { get; } = new([], [], DefaultSlotMinutes, MeetingPlaceKind.Virtual, null, 0, DefaultMaxOutgoing, DefaultRequestHours, "UTC");

    // Every slot of every window, in time order: a window is cut into whole slots from its start.
    public IEnumerable<DateTimeOffset> Slots() => (Windows.IsDefault ? [] : Windows)
        .SelectMany(w => Enumerable.Range(0, Math.Max(0, (int)((w.End - w.Start).TotalMinutes / SlotMinutes))).Select(i => w.Start.AddMinutes(i * SlotMinutes)))
        .Distinct().Order();

    public bool IsSlot(DateTimeOffset start) => Slots().Contains(start);

    // How a slot is named in refusals: the event's own clock, which every attendee's page shows too.
    public string Label(DateTimeOffset slot)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneId, out var found) ? found : TimeZoneInfo.Utc;
        return TimeZoneInfo.ConvertTime(slot, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    }
}

[GenerateSerializer]
public enum RequestStatus
{
    Pending,
    Accepted,
    Declined,
    Cancelled,
    Expired,

    // The invitee answered with other times: a new request goes the other way (its Counters).
    Countered,

    // The invitee accepted and left the time to the organisers' "Schedule all" (issue 19): a
    // meeting wanted, with no time yet. Publishing the schedule books it on this request.
    ToSchedule,
}

// From and To are email addresses: they never leave the server (pages show names from profiles).
// Counters: the request this one answers with other times. Replaces: the meeting this one
// proposes to move (it stays booked until the new time is accepted). BookedBy: the organiser who
// booked it for both. Only a plain request (none of the three) counts against the sender's limit.
[GenerateSerializer, Immutable]
public sealed record MeetingRequest(
    string Id,
    string From,
    string To,
    string Message,
    ImmutableArray<DateTimeOffset> Slots,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    RequestStatus Status,
    string? Reason,
    string? MeetingId,
    string? Counters = null,
    string? Replaces = null,
    string? BookedBy = null)
{
    public bool CountsAgainstLimit => Counters is null && Replaces is null && BookedBy is null;
}

// A person's own meeting choices. Custom false: free at every window slot that does not clash with
// a session they speak at (the default); true: exactly the slots in Free. Refused: profile types
// whose requests they do not take. Phone: shown only to the people they have a meeting with.
[GenerateSerializer, Immutable]
public sealed record MeetingPrefs(bool Custom, ImmutableArray<DateTimeOffset> Free, ImmutableArray<OrgType> Refused, string? Phone = null)
{
    public const int MaxPhone = 30;

    public static MeetingPrefs Default { get; } = new(false, [], []);
}

// One meeting as one of its two people sees it: the other's phone number only while it is booked;
// LaterAsked: organisers have asked what came of meetings since (AskLaterAsync).
[GenerateSerializer, Immutable]
public sealed record MeetingDetail(Meeting Meeting, MeetingRequest? Request, string? OtherPhone, MeetingAfter After, bool LaterAsked);

// A meeting as organisers' statistics and exports see it.
[GenerateSerializer, Immutable]
public sealed record MeetingRecord(Meeting Meeting, MeetingRequest? Request, MeetingAfter After);

// Everything organisers count: requests by their status and every meeting with what came of it.
[GenerateSerializer, Immutable]
public sealed record MatchmakingReport(ImmutableArray<MeetingRequest> Requests, ImmutableArray<MeetingRecord> Meetings, DateTimeOffset? LaterAskedAt);

// What the availability form shows: every window slot, those the person is free at, and those the
// default leaves out because they speak at a session then.
[GenerateSerializer, Immutable]
public sealed record MyAvailability(
    ImmutableArray<DateTimeOffset> Slots,
    ImmutableArray<DateTimeOffset> Free,
    ImmutableArray<DateTimeOffset> Speaking,
    MeetingPrefs Prefs);

[GenerateSerializer, Immutable]
public sealed record Meeting(
    string Id,
    string RequestId,
    string A,
    string B,
    DateTimeOffset Start,
    int Minutes,
    MeetingPlaceKind PlaceKind,
    string Place,
    bool Cancelled,
    string? Note)
{
    public bool Involves(string email) => A == email || B == email;

    public string Other(string email) => A == email ? B : A;
}

// One person's requests and meetings. OutgoingUsed counts against Limit: pending and booked
// requests they sent.
[GenerateSerializer, Immutable]
public sealed record MyMeetings(
    ImmutableArray<MeetingRequest> Incoming,
    ImmutableArray<MeetingRequest> Outgoing,
    ImmutableArray<Meeting> Meetings,
    int OutgoingUsed,
    int Limit);

// How a meeting went, one tap per side. DidNotTakePlace from either side makes it a no-show.
[GenerateSerializer]
public enum MeetingFeedback
{
    DidNotTakePlace,
    NotEnoughInterest,
    UsefulNoCooperation,
    CooperationPossible,
}

// What came of a meeting months later, when organisers ask again.
[GenerateSerializer]
public enum LaterOutcome
{
    NoneYet,
    NegotiationStarted,
    CooperationAgreed,
    PilotStarted,
}

[GenerateSerializer]
public enum MeetingHeld
{
    NotYetSaid,
    Held,
    NoShow,
}

// Each side's answers about one meeting, keyed by email.
[GenerateSerializer, Immutable]
public sealed record MeetingAfter(ImmutableDictionary<string, MeetingFeedback> Feedback, ImmutableDictionary<string, LaterOutcome> Later)
{
    public static MeetingAfter None { get; } = new(ImmutableDictionary<string, MeetingFeedback>.Empty, ImmutableDictionary<string, LaterOutcome>.Empty);

    public MeetingHeld Held => Feedback.Values.Any(f => f == MeetingFeedback.DidNotTakePlace) ? MeetingHeld.NoShow
        : Feedback.IsEmpty ? MeetingHeld.NotYetSaid
        : MeetingHeld.Held;

    // The furthest either side has got: the outcome the network counts.
    public LaterOutcome? Outcome => Later.IsEmpty ? null : Later.Values.Max();
}
