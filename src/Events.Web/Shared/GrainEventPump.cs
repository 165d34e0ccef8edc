using System.Threading.Channels;
using Events.Grains.Journal;
using Orleans;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Events.Web.Shared;

// Takes committed grain events off this silo's publisher (which runs inside the grain's turn, so it
// must not wait) and handles the ones a subclass selects, one at a time, in commit order. Live
// pushes take events from every silo; work that must happen once per event takes only what grains
// on this silo committed, so with several silos one handles each event. The queue is in memory: work
// that must survive a crash keeps its own durable record (the mail outbox). Subscribes on
// construction: the host builds every hosted service before starting any, so events committed by
// start-up work (seeding) are not missed. What is queued at shutdown is drained first.
public abstract class GrainEventPump<T> : BackgroundService
    where T : class
{
    private readonly Channel<T> _queue = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;

    protected GrainEventPump(GrainEventPublisher publisher, ILogger logger, bool fromEverySilo = false)
    {
        _logger = logger;
        _subscription = publisher.Subscribe(e =>
        {
            if (Select(e) is { } item)
            {
                _queue.Writer.TryWrite(item);
            }
        }, fromEverySilo);
    }

    protected abstract T? Select(GrainEvent grainEvent);

    // Work that comes from elsewhere than a committed event (catching up at start).
    protected void Enqueue(T item) => _queue.Writer.TryWrite(item);

    protected abstract Task HandleAsync(T item);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var item in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await HandleAsync(item);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "{Pump} could not handle {Item}", GetType().Name, item);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription.Dispose();
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}
