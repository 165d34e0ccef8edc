using Events.Grains.Audit;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Shared;
using Microsoft.Extensions.Logging;

namespace Events.Web.Audit;

// Copies every committed IAuditedEvent into the audit trail of its event. Per-event grains are
// keyed "{slug}" or "{slug}/{thing}", so the slug is the key up to the first '/'.
public sealed class AuditRecorder(GrainEventPublisher publisher, IGrainFactory grains, ILogger<AuditRecorder> logger)
    : GrainEventPump<GrainEvent>(publisher, logger)
{
    protected override GrainEvent? Select(GrainEvent grainEvent) => grainEvent.Event is IAuditedEvent ? grainEvent : null;

    protected override Task HandleAsync(GrainEvent grainEvent)
    {
        var audited = (IAuditedEvent)grainEvent.Event;
        return grains.GetGrain<IAuditTrailGrain>(grainEvent.Grain.Key.Split('/')[0])
            .RecordAsync(new AuditEntry(grainEvent.RecordedAt, audited.Actor, audited.Describe(), grainEvent.Grain.Type));
    }
}
