using Events.Grains.Journal;
using Orleans;
using Events.Web.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Events.Web.Live;

// The thin web-side piece between grains and browsers: every committed event that a topic projects
// is pushed to that topic's group, in commit order. Grains never see SignalR. A subscriber that
// misses a push catches up by sequence number when it next subscribes.
public sealed class LiveForwarder(GrainEventPublisher publisher, LiveTopics topics, IHubContext<LiveHub, ILiveClient> hub, ILogger<LiveForwarder> logger)
    : GrainEventPump<LiveDelta>(publisher, logger, fromEverySilo: true)
{
    protected override LiveDelta? Select(GrainEvent grainEvent) => topics.ProjectLive(grainEvent);

    protected override Task HandleAsync(LiveDelta delta) => hub.Clients.Group(delta.Topic).Delta(delta);
}
