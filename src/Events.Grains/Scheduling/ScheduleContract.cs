using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Events.Grains.Scheduling;

// The problem and schedule as JSON (the bench reads and writes these, so any other tool can check a
// schedule), and as the records the scheduling grain keeps. Slots are in time order; a slot's
// Session is "morning" or "afternoon"; a meeting's Session is one of those or "any".
[GenerateSerializer, Immutable]
public sealed record SchedulingProblem(
    ImmutableArray<ProblemSlot> Slots,
    int Tables,
    ImmutableArray<ProblemParticipant> Participants,
    ImmutableArray<ProblemMeeting> Meetings);

[GenerateSerializer, Immutable]
public sealed record ProblemSlot(string Id, string Session);

[GenerateSerializer, Immutable]
public sealed record ProblemParticipant(string Id, ImmutableArray<string> Unavailable);

// Published: where the meeting already stands in people's agendas. It stays there while that slot
// is still possible for both people; otherwise it is placed again like any other.
[GenerateSerializer, Immutable]
public sealed record ProblemMeeting(string Id, string A, string B, string Session, PlacedAt? Published = null);

[GenerateSerializer, Immutable]
public sealed record PlacedAt(string Slot, int Table);

[GenerateSerializer, Immutable]
public sealed record ScheduledMeeting(string Meeting, string Slot, int Table);

[GenerateSerializer, Immutable]
public sealed record UnscheduledMeeting(string Meeting, string Reason);

// Moved: published meetings that had to leave their slot (it stopped being possible for them).
// LowerBound: a proven floor on the gaps of any schedule that places every meeting that can be
// placed (0 when not all of them are); Optimal when Gaps reaches it or CP-SAT proves it.
[GenerateSerializer, Immutable]
public sealed record Schedule(
    ImmutableArray<ScheduledMeeting> Scheduled,
    ImmutableArray<UnscheduledMeeting> Unscheduled,
    int Gaps,
    int Spread,
    bool Optimal,
    double Seconds,
    int Moved = 0,
    int LowerBound = 0);

public static class UnscheduledReasons
{
    // The two have no slot both are free in (whatever the half-day).
    public const string NoCommonFreeSlot = "no-common-free-slot";

    // They share free slots, but none in the half-day the meeting is restricted to.
    public const string NoCommonFreeSlotInSession = "no-common-free-slot-in-session";

    // Their shared free slots are all taken by their other meetings or every table there is used.
    public const string NoRoomLeft = "no-room-left";
}

public static class SchedulingJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static SchedulingProblem ReadProblem(string json) =>
        JsonSerializer.Deserialize<SchedulingProblem>(json, Options) ?? throw new ProblemInvalidException("the problem is empty");

    public static string Write(Schedule schedule) => JsonSerializer.Serialize(schedule, Options);

    public static string Write(SchedulingProblem problem) => JsonSerializer.Serialize(problem, Options);
}

public sealed class ProblemInvalidException(string message) : Exception(message);
