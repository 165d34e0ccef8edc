using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Audit;

// An event an organiser or moderator caused. Every grain event that implements this is recorded
// in the audit trail of the event it belongs to by the grain that committed it, before the call
// that caused it returns (see AuditTrail): an acknowledged action always has its entry.
public interface IAuditedEvent
{
    string Actor { get; }

    string Describe();
}

[GenerateSerializer, Immutable]
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string Source);

// The audit trail of one event, keyed by the event's slug. Append-only. It follows the journals of
// the event's grains and takes their audited events (see IJournalFollower).
public interface IAuditTrailGrain : IJournalFollower
{
    Task<IReadOnlyList<AuditEntry>> ListAsync(int max);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(AuditRecorded), "audit-recorded")]
[JsonDerivedType(typeof(AuditSourceFollowed), "audit-source-followed")]
[GenerateSerializer, Immutable]
public abstract record AuditEvent;

// Source and Sequence are absent from entries recorded before the trail followed sources.
[GenerateSerializer, Immutable]
public sealed record AuditRecorded(AuditEntry Entry, string? Source = null, long Sequence = 0) : AuditEvent;

[GenerateSerializer, Immutable]
public sealed record AuditSourceFollowed(string Source, long UpTo) : AuditEvent;

[GenerateSerializer, Immutable]
public sealed record AuditState(ImmutableList<AuditEntry> Entries, FollowedSources? Followed = null, bool Legacy = false)
    : IJournaledState<AuditState, AuditEvent>
{
    public static AuditState Initial { get; } = new(ImmutableList<AuditEntry>.Empty);

    public FollowedSources Sources => Followed ?? FollowedSources.None;

    // A trail with entries from before it followed sources cannot tell which events of a source it
    // lacks: a source it does not know yet starts from where its journal is now.
    public long? FollowedUpTo(string source) => Sources.UpTo.TryGetValue(source, out var upTo) ? upTo : Legacy ? null : 0;

    public AuditState Apply(AuditEvent @event) => @event switch
    {
        AuditRecorded { Source: null } recorded => this with { Entries = Entries.Add(recorded.Entry), Legacy = true },
        AuditRecorded recorded => new(Entries.Add(recorded.Entry), Sources.With(recorded.Source, recorded.Sequence), Legacy),
        AuditSourceFollowed followed => this with { Followed = Sources.With(followed.Source, followed.UpTo) },
        _ => this,
    };
}

[GrainType("audit")]
public sealed class AuditTrailGrain : JournalGrain<AuditState, AuditEvent>, IAuditTrailGrain
{
    public Task<long?> FollowedUpToAsync(JournalKey source) => Task.FromResult(State.FollowedUpTo(source.ToString()));

    public Task FollowAsync(JournalKey source, long upTo, ImmutableArray<GrainEvent> events)
    {
        var name = source.ToString();
        foreach (var e in State.Sources.New(source, events))
        {
            if (e.Event is IAuditedEvent audited)
            {
                RaiseEvent(new AuditRecorded(new AuditEntry(e.RecordedAt, audited.Actor, audited.Describe(), source.Type), name, e.Sequence));
            }
        }

        if (upTo > State.Sources.Of(name))
        {
            RaiseEvent(new AuditSourceFollowed(name, upTo));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(int max) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>([.. State.Entries.Reverse().Take(max)]);
}
