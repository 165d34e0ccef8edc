using Events.Grains.Journal;
using Events.Web.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Events.Web.Live;

// The thin web-side piece between grains and browsers: every committed event that a topic projects
// is pushed to that topic's group, in commit order. Grains never see SignalR. A subscriber that
// misses a push catches up by sequence number when it next subscribes; when this silo may have
// missed events committed elsewhere, every page connected here is asked to do so now.
public sealed class LiveForwarder : GrainEventPump<LiveDelta>
{
    private readonly LiveTopics _topics;
    private readonly IHubContext<LiveHub, ILiveClient> _hub;
    private readonly GrainEventPublisher _publisher;
    private readonly ILogger<LiveForwarder> _logger;

    public LiveForwarder(GrainEventPublisher publisher, LiveTopics topics, IHubContext<LiveHub, ILiveClient> hub, ILogger<LiveForwarder> logger)
        : base(publisher, logger, fromEverySilo: true)
    {
        _topics = topics;
        _hub = hub;
        _publisher = publisher;
        _logger = logger;
        _publisher.Gap += AskEveryPageToCatchUp;
    }

    protected override LiveDelta? Select(GrainEvent grainEvent) => _topics.ProjectLive(grainEvent);

    protected override Task HandleAsync(LiveDelta delta) => _hub.Clients.Group(delta.Topic).Delta(delta);

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _publisher.Gap -= AskEveryPageToCatchUp;
        return base.StopAsync(cancellationToken);
    }

    private void AskEveryPageToCatchUp() => _ = Task.Run(async () =>
    {
        try
        {
            await _hub.Clients.All.CatchUp();
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Could not ask pages to catch up");
        }
    });
}
