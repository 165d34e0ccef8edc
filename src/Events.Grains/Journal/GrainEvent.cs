using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Events.Grains.Journal;

// Where a grain's journal lives: the grain type name ([GrainType]) and its string key. The type
// names are part of the database format and never change.
[GenerateSerializer, Immutable]
public readonly record struct JournalKey(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}

// What a grain appended, as it is published and read back by sequence number.
[GenerateSerializer, Immutable]
public sealed record GrainEvent(JournalKey Grain, long Sequence, object Event, DateTimeOffset RecordedAt);

// One silo's fan-out of committed events; a grain's own events arrive in commit order (those relayed
// from another silo in the order the relay delivered them). Two audiences: work that must
// happen once per event (the mailer) sees only what grains on this silo committed; live pushes see
// what any silo committed. Handlers run inside a grain's turn or the relay's callback, so they must
// be quick (hand off to a queue) and must not call back into the grain.
public sealed class GrainEventPublisher(ILogger<GrainEventPublisher> logger)
{
    private ImmutableArray<(Action<GrainEvent> Handler, bool FromEverySilo)> _handlers = [];

    public IDisposable Subscribe(Action<GrainEvent> handler, bool fromEverySilo)
    {
        var entry = (handler, fromEverySilo);
        ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Add(h), entry);
        return new Subscription(this, entry);
    }

    // Raised when this silo may have missed events committed elsewhere (see JournalRelay).
    public event Action? Gap;

    internal void PublishGap()
    {
        try
        {
            Gap?.Invoke();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A gap subscriber failed");
        }
    }

    internal void PublishCommittedHere(IReadOnlyList<GrainEvent> events) => Publish(events, committedHere: true);

    internal void PublishCommittedElsewhere(IReadOnlyList<GrainEvent> events) => Publish(events, committedHere: false);

    private void Publish(IReadOnlyList<GrainEvent> events, bool committedHere)
    {
        var handlers = _handlers;
        foreach (var grainEvent in events)
        {
            foreach (var (handler, fromEverySilo) in handlers)
            {
                if (!committedHere && !fromEverySilo)
                {
                    continue;
                }

                try
                {
                    handler(grainEvent);
                }
                catch (Exception ex)
                {
                    // The event is committed already; a failing subscriber must not fail the caller.
                    logger.LogError(ex, "A subscriber failed on {Grain} #{Sequence}", grainEvent.Grain, grainEvent.Sequence);
                }
            }
        }
    }

    private sealed class Subscription(GrainEventPublisher owner, (Action<GrainEvent>, bool) entry) : IDisposable
    {
        public void Dispose() =>
            ImmutableInterlocked.Update(ref owner._handlers, static (list, h) => list.Remove(h), entry);
    }
}
