using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Mixer;

[JsonPolymorphic]
[JsonDerivedType(typeof(InterventionProposed), "intervention-proposed")]
[JsonDerivedType(typeof(InterventionAccepted), "intervention-accepted")]
[JsonDerivedType(typeof(InterventionDeclined), "intervention-declined")]
[JsonDerivedType(typeof(InterventionMoved), "intervention-moved")]
[JsonDerivedType(typeof(MixerControlled), "mixer-controlled")]
[GenerateSerializer, Immutable]
public abstract record MixerEvent;

[GenerateSerializer, Immutable]
public sealed record InterventionProposed(Intervention Intervention) : MixerEvent;

[GenerateSerializer, Immutable]
public sealed record InterventionAccepted(string Actor, string InterventionId) : MixerEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("mixer-accepted", InterventionId);
}

[GenerateSerializer, Immutable]
public sealed record InterventionDeclined(string Actor, string InterventionId, string Reason) : MixerEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("mixer-declined", InterventionId, Reason);
}

[GenerateSerializer, Immutable]
public sealed record InterventionMoved(string Actor, ImmutableList<string> LineUp) : MixerEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("mixer-reordered", string.Join(", ", LineUp));
}

[GenerateSerializer]
public enum MixerControl
{
    StartSlot,
    Next,
    Extend,
    Pause,
    Resume,
    Skip,
    End,
}

// IdempotencyKey is absent from controls made before the console sent them over the live hub.
[GenerateSerializer, Immutable]
public sealed record MixerControlled(string Actor, MixerControl Control, DateTimeOffset At, string? IdempotencyKey = null) : MixerEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("mixer-control", Control);
}

[GenerateSerializer, Immutable]
public sealed record KeyedControl(string Key, MixerControl Control);

// RecentControls is absent from snapshots taken before controls carried keys.
[GenerateSerializer, Immutable]
public sealed record MixerState(
    ImmutableList<Intervention> Interventions,
    ImmutableList<string> LineUp,
    MixerTimeline Timeline,
    ImmutableList<KeyedControl>? RecentControls = null) : IJournaledState<MixerState, MixerEvent>
{
    // How many of the console's last idempotency keys are remembered: a resend comes after a
    // reconnection, within a few presses of the original.
    public const int RememberedKeys = 20;

    public static MixerState Initial { get; } = new(ImmutableList<Intervention>.Empty, ImmutableList<string>.Empty, MixerTimeline.NotStarted);

    public Intervention? Find(string id) => Interventions.FirstOrDefault(i => i.Id == id);

    public MixerState Apply(MixerEvent @event) => @event switch
    {
        InterventionProposed proposed => this with { Interventions = Interventions.Add(proposed.Intervention) },
        InterventionAccepted accepted => Update(accepted.InterventionId, i => i with { Status = InterventionStatus.Accepted }) with { LineUp = LineUp.Add(accepted.InterventionId) },
        InterventionDeclined declined => Update(declined.InterventionId, i => i with { Status = InterventionStatus.Declined, DeclineReason = declined.Reason }),
        InterventionMoved moved => this with { LineUp = moved.LineUp },
        MixerControlled controlled => this with
        {
            Timeline = MixerClock.Apply(this, controlled.Control, controlled.At),
            RecentControls = controlled.IdempotencyKey is null ? RecentControls : Remember(new KeyedControl(controlled.IdempotencyKey, controlled.Control)),
        },
        _ => this,
    };

    public KeyedControl? ControlledUnder(string idempotencyKey) => RecentControls?.FirstOrDefault(c => c.Key == idempotencyKey);

    private ImmutableList<KeyedControl> Remember(KeyedControl control)
    {
        var recent = (RecentControls ?? []).Add(control);
        return recent.Count > RememberedKeys ? recent.RemoveAt(0) : recent;
    }

    private MixerState Update(string id, Func<Intervention, Intervention> change) =>
        this with { Interventions = Interventions.Select(i => i.Id == id ? change(i) : i).ToImmutableList() };
}
