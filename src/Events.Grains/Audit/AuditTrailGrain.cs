using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Audit;

// An event an organiser or moderator caused. Every grain event that implements this is copied
// into the audit trail of the event it belongs to once it is committed (see the web's AuditRecorder).
public interface IAuditedEvent
{
    string Actor { get; }

    string Describe();
}

[GenerateSerializer, Immutable]
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string Source);

// The audit trail of one event, keyed by the event's slug. Append-only.
public interface IAuditTrailGrain : IGrainWithStringKey
{
    Task RecordAsync(AuditEntry entry);

    Task<IReadOnlyList<AuditEntry>> ListAsync(int max);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(AuditRecorded), "audit-recorded")]
[GenerateSerializer, Immutable]
public abstract record AuditEvent;

[GenerateSerializer, Immutable]
public sealed record AuditRecorded(AuditEntry Entry) : AuditEvent;

[GenerateSerializer, Immutable]
public sealed record AuditState(ImmutableList<AuditEntry> Entries) : IJournaledState<AuditState, AuditEvent>
{
    public static AuditState Initial { get; } = new(ImmutableList<AuditEntry>.Empty);

    public AuditState Apply(AuditEvent @event) => @event switch
    {
        AuditRecorded recorded => new(Entries.Add(recorded.Entry)),
        _ => this,
    };
}

[GrainType("audit")]
public sealed class AuditTrailGrain : JournalGrain<AuditState, AuditEvent>, IAuditTrailGrain
{
    public Task RecordAsync(AuditEntry entry)
    {
        RaiseEvent(new AuditRecorded(entry));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(int max) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>([.. State.Entries.Reverse().Take(max)]);
}
