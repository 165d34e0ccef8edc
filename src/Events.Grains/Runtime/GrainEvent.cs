using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Events.Grains.Runtime;

// What a grain appended, as it is published in-process and read back by sequence number.
public sealed record GrainEvent(GrainId Grain, long Sequence, object Event, DateTimeOffset RecordedAt);

// In-process fan-out of every committed event, in commit order per grain. Subscribers run inside
// the grain's turn, so they must be quick (hand off to a queue) and must not call back into the grain.
public sealed class GrainEventPublisher(ILogger<GrainEventPublisher> logger)
{
    private ImmutableArray<Action<GrainEvent>> _handlers = [];

    public IDisposable Subscribe(Action<GrainEvent> handler)
    {
        ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Add(h), handler);
        return new Subscription(this, handler);
    }

    internal void Publish(IReadOnlyList<GrainEvent> events)
    {
        var handlers = _handlers;
        foreach (var grainEvent in events)
        {
            foreach (var handler in handlers)
            {
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

    private sealed class Subscription(GrainEventPublisher owner, Action<GrainEvent> handler) : IDisposable
    {
        public void Dispose() =>
            ImmutableInterlocked.Update(ref owner._handlers, static (list, h) => list.Remove(h), handler);
    }
}
