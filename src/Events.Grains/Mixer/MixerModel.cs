using System.Collections.Immutable;

namespace Events.Grains.Mixer;

[GenerateSerializer]
public enum InterventionStatus
{
    Proposed,
    Accepted,
    Declined,
}

[GenerateSerializer]
public enum MixerPhase
{
    NotStarted,
    Running,
    Paused,
    Ended,
}

[GenerateSerializer, Immutable]
public sealed record Intervention(
    string Id,
    string Presenter,
    string City,
    string Title,
    string SummaryMarkdown,
    int Minutes,
    InterventionStatus Status,
    string? DeclineReason,
    string ProposedBy);

[GenerateSerializer, Immutable]
public sealed record ProposeIntervention(string Presenter, string City, string Title, string SummaryMarkdown, int Minutes);

// The server owns the timeline: it records when things happened, and browsers count down from
// timestamps on their own, so there are no per-second messages.
[GenerateSerializer, Immutable]
public sealed record MixerTimeline(
    MixerPhase Phase,
    DateTimeOffset? SlotStartedAt,
    int Current,
    DateTimeOffset? CurrentStartedAt,
    int ExtraMinutes,
    TimeSpan PausedBefore,
    DateTimeOffset? PausedAt,
    ImmutableHashSet<string> Skipped,
    DateTimeOffset? EndedAt)
{
    public static MixerTimeline NotStarted { get; } = new(MixerPhase.NotStarted, null, -1, null, 0, TimeSpan.Zero, null, ImmutableHashSet<string>.Empty, null);
}

// Where the slot stands at one instant, computed from the timeline; what pages and deltas show.
[GenerateSerializer, Immutable]
public sealed record MixerNow(
    MixerPhase Phase,
    Intervention? Current,
    Intervention? Next,
    DateTimeOffset? CurrentEndsAt,
    TimeSpan Remaining,
    bool OverTime,
    DateTimeOffset ProjectedEnd,
    int RemainingSlotMinutes);

[GenerateSerializer, Immutable]
public sealed record MixerView(
    string Key,
    long Version,
    int SlotMinutes,
    ImmutableArray<Intervention> LineUp,
    ImmutableArray<Intervention> Proposals,
    ImmutableArray<Intervention> Declined,
    MixerNow Now);
