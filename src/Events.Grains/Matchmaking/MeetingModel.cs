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
}

// From and To are email addresses: they never leave the server (pages show names from profiles).
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
    string? MeetingId);

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
