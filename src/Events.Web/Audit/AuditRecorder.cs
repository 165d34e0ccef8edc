using System.Threading.Channels;
using Events.Grains.Audit;
using Events.Grains.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Events.Web.Audit;

// Copies every committed IAuditedEvent into the audit trail of its event. Per-event grains are
// keyed "{slug}" or "{slug}/{thing}", so the slug is the key up to the first '/'.
public sealed class AuditRecorder : BackgroundService
{
    private readonly Channel<GrainEvent> _queue = Channel.CreateUnbounded<GrainEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IGrainFactory _grains;
    private readonly ILogger<AuditRecorder> _logger;
    private readonly IDisposable _subscription;

    // Subscribes on construction: the host builds every hosted service before starting any, so
    // events committed by start-up work (seeding) are not missed.
    public AuditRecorder(GrainEventPublisher publisher, IGrainFactory grains, ILogger<AuditRecorder> logger)
    {
        _grains = grains;
        _logger = logger;
        _subscription = publisher.Subscribe(e =>
        {
            if (e.Event is IAuditedEvent)
            {
                _queue.Writer.TryWrite(e);
            }
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var grainEvent in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            var audited = (IAuditedEvent)grainEvent.Event;
            var slug = grainEvent.Grain.Key.Split('/')[0];
            try
            {
                await _grains.GetGrain<IAuditTrailGrain>(slug).RecordAsync(new AuditEntry(grainEvent.RecordedAt, audited.Actor, audited.Describe(), grainEvent.Grain.Type));
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Could not record {Grain} #{Sequence} in the audit trail", grainEvent.Grain, grainEvent.Sequence);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain what was committed before shutdown, then stop.
        _subscription.Dispose();
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}
