using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;
using Events.Grains.Mail;

namespace Events.Grains.Pitches;

[GenerateSerializer]
public enum PitchPhase
{
    Waiting,
    Pitching,
    Questions,
    ScoringOpen,
    Closed,
}

[GenerateSerializer]
public enum PitchControl
{
    StartPitch,
    StartQuestions,
    OpenScoring,
    CloseScoring,
    ReleaseFeedback,
}

// One team's pitch in a room, as anyone may see it: no scores. Rubric is the event's rubric as it
// was when scoring opened (empty before).
[GenerateSerializer, Immutable]
public sealed record Pitch(
    string Team,
    string TeamName,
    PitchPhase Phase,
    DateTimeOffset? PitchingStartedAt,
    int Minutes,
    ImmutableList<Criterion> Rubric,
    DateTimeOffset? ReleasedAt)
{
    public DateTimeOffset? PitchEndsAt => PitchingStartedAt?.AddMinutes(Minutes);

    public bool Released => ReleasedAt is not null;
}

[GenerateSerializer, Immutable]
public sealed record PitchRoomView(string Key, long Version, ImmutableArray<Pitch> Pitches);

[GenerateSerializer, Immutable]
public sealed record ScorecardInput(IReadOnlyDictionary<string, int> Scores, string Comment, string PrivateNote, Interest Interest, bool Conflict);

// The released feedback for one pitch: aggregates and comments, never who gave them.
[GenerateSerializer, Immutable]
public sealed record PitchFeedback(Pitch Pitch, PitchSummary Summary);

[JsonPolymorphic]
[JsonDerivedType(typeof(PitchAdded), "pitch-added")]
[JsonDerivedType(typeof(PitchControlled), "pitch-controlled")]
[JsonDerivedType(typeof(ScorecardSaved), "scorecard-saved")]
[GenerateSerializer, Immutable]
public abstract record PitchRoomEvent;

[GenerateSerializer, Immutable]
public sealed record PitchAdded(string Actor, string Team, string TeamName) : PitchRoomEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("pitch-added", TeamName);
}

[GenerateSerializer, Immutable]
public sealed record PitchControlled(string Actor, string Team, PitchControl Control, DateTimeOffset At, int Minutes, ImmutableList<Criterion>? Rubric)
    : PitchRoomEvent, IAuditedEvent, IPromisesMail
{
    public AuditAction Audit() => AuditAction.Of("pitch-control", Team, Control);

    // The team is told its feedback is out.
    [JsonIgnore]
    public bool PromisesMail => Control == PitchControl.ReleaseFeedback;
}

// Deliberately not audited: the audit trail must not become a second place where scores are read.
// TeamName is absent from scorecards saved before the follow-ups grain followed pitch rooms.
[GenerateSerializer, Immutable]
public sealed record ScorecardSaved(string Team, Scorecard Scorecard, string? IdempotencyKey, string? TeamName = null) : PitchRoomEvent;

[GenerateSerializer, Immutable]
public sealed record KeyedSave(string Key, Scorecard Scorecard);

// RecentSaves is absent from snapshots taken before keys were remembered per person.
[GenerateSerializer, Immutable]
public sealed record PitchRoomState(
    ImmutableList<Pitch> Pitches,
    ImmutableDictionary<string, ImmutableDictionary<string, Scorecard>> Scorecards,
    ImmutableDictionary<string, ImmutableList<KeyedSave>>? RecentSaves = null) : IJournaledState<PitchRoomState, PitchRoomEvent>
{
    // How many of one person's idempotency keys per pitch are remembered.
    public const int RememberedKeys = 20;

    public static PitchRoomState Initial { get; } = new(
        ImmutableList<Pitch>.Empty,
        ImmutableDictionary<string, ImmutableDictionary<string, Scorecard>>.Empty);

    // The scorecard a person's save under this key produced, if the key is still remembered.
    public Scorecard? SavedUnder(string team, string investor, string idempotencyKey) =>
        RecentSaves?.GetValueOrDefault(KeyOf(team, investor))?.FirstOrDefault(s => s.Key == idempotencyKey)?.Scorecard;

    public Pitch? Find(string team) => Pitches.FirstOrDefault(p => p.Team == team);

    public ImmutableDictionary<string, Scorecard> ScorecardsOf(string team) =>
        Scorecards.GetValueOrDefault(team) ?? ImmutableDictionary<string, Scorecard>.Empty;

    public static string KeyOf(string team, string investor) => $"{team}\n{investor}";

    public PitchRoomState Apply(PitchRoomEvent @event) => @event switch
    {
        PitchAdded added => this with { Pitches = Pitches.Add(new Pitch(added.Team, added.TeamName, PitchPhase.Waiting, null, 0, [], null)) },
        PitchControlled controlled => this with { Pitches = Pitches.Select(p => p.Team == controlled.Team ? Control(p, controlled) : p).ToImmutableList() },
        ScorecardSaved saved => this with
        {
            Scorecards = Scorecards.SetItem(saved.Team, ScorecardsOf(saved.Team).SetItem(saved.Scorecard.Investor, saved.Scorecard)),
            RecentSaves = saved.IdempotencyKey is null ? RecentSaves : Remember(saved),
        },
        _ => this,
    };

    private ImmutableDictionary<string, ImmutableList<KeyedSave>> Remember(ScorecardSaved saved)
    {
        var all = RecentSaves ?? ImmutableDictionary<string, ImmutableList<KeyedSave>>.Empty;
        var key = KeyOf(saved.Team, saved.Scorecard.Investor);
        var mine = (all.GetValueOrDefault(key) ?? []).Add(new KeyedSave(saved.IdempotencyKey!, saved.Scorecard));
        return all.SetItem(key, mine.Count > RememberedKeys ? mine.RemoveAt(0) : mine);
    }

    private static Pitch Control(Pitch pitch, PitchControlled controlled) => controlled.Control switch
    {
        PitchControl.StartPitch => pitch with { Phase = PitchPhase.Pitching, PitchingStartedAt = controlled.At, Minutes = controlled.Minutes },
        PitchControl.StartQuestions => pitch with { Phase = PitchPhase.Questions },
        PitchControl.OpenScoring => pitch with { Phase = PitchPhase.ScoringOpen, Rubric = controlled.Rubric ?? [] },
        PitchControl.CloseScoring => pitch with { Phase = PitchPhase.Closed },
        PitchControl.ReleaseFeedback => pitch with { ReleasedAt = controlled.At },
        _ => pitch,
    };
}
