using System.Threading.Channels;
using Events.Grains.Runtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Events.Web.Live;

// The thin web-side piece between grains and browsers: every committed event that a topic projects
// is pushed to that topic's group, in commit order. Grains never see SignalR.
public sealed class LiveForwarder : BackgroundService
{
    private readonly Channel<LiveDelta> _queue = Channel.CreateUnbounded<LiveDelta>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IHubContext<LiveHub, ILiveClient> _hub;
    private readonly ILogger<LiveForwarder> _logger;
    private readonly IDisposable _subscription;

    public LiveForwarder(GrainEventPublisher publisher, LiveTopics topics, IHubContext<LiveHub, ILiveClient> hub, ILogger<LiveForwarder> logger)
    {
        _hub = hub;
        _logger = logger;
        _subscription = publisher.Subscribe(e =>
        {
            if (topics.Project(e) is { } delta)
            {
                _queue.Writer.TryWrite(delta);
            }
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var delta in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await _hub.Clients.Group(delta.Topic).Delta(delta);
            }
            catch (Exception ex)
            {
                // Subscribers that miss it catch up by sequence number when they next subscribe.
                _logger.LogWarning(ex, "Could not push {Topic} #{Sequence}", delta.Topic, delta.Sequence);
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
