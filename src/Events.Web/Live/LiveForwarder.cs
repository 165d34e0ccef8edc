using System.Collections.Concurrent;
using Events.Grains.Journal;
using Events.Web.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Events.Web.Live;

// The thin web-side piece between grains and browsers: every committed event that a topic projects
// is pushed to that topic's group. Grains never see SignalR.
//
// One lane per topic: a topic's pushes leave in sequence order, each naming the sequence of the push
// before it, and a long fan-out on one topic holds no other topic back. Coalesced deltas (vote
// counts) wait in their lane at most Interval and leave before any later delta of the same topic,
// so a count never overtakes a change it followed. A subscriber that misses a push catches up by
// sequence number; when this silo may have missed events committed elsewhere, every page connected
// here is asked to do so now.
public sealed class LiveForwarder : GrainEventPump<GrainEvent>
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly LiveTopics _topics;
    private readonly IHubContext<LiveHub, ILiveClient> _hub;
    private readonly GrainEventPublisher _publisher;
    private readonly ILogger<LiveForwarder> _logger;
    private readonly ConcurrentDictionary<string, Lane> _lanes = new();

    public LiveForwarder(GrainEventPublisher publisher, LiveTopics topics, IHubContext<LiveHub, ILiveClient> hub, ILogger<LiveForwarder> logger)
        : base(publisher, logger, fromEverySilo: true)
    {
        _topics = topics;
        _hub = hub;
        _publisher = publisher;
        _logger = logger;
        _publisher.Gap += AskEveryPageToCatchUp;
    }

    protected override GrainEvent? Select(GrainEvent grainEvent) => _topics.Follows(grainEvent) ? grainEvent : null;

    // Events arrive here one at a time in commit order, so a projection that renders markup is
    // finished before the next event's delta joins its lane: per-topic order is the commit order.
    protected override async Task HandleAsync(GrainEvent grainEvent)
    {
        if (await _topics.ProjectLiveAsync(grainEvent) is not (var delta, var coalesced))
        {
            return;
        }

        var lane = _lanes.GetOrAdd(delta.Topic, topic => new Lane(this, topic));
        if (coalesced)
        {
            lane.Coalesce(delta);
        }
        else
        {
            lane.Push(delta);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var flushing = FlushCoalescedAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
        await flushing;
    }

    private async Task FlushCoalescedAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var lane in _lanes.Values)
                {
                    lane.Flush();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

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

    private sealed class Lane(LiveForwarder owner, string topic)
    {
        private readonly Queue<LiveDelta> _queue = new();
        private Dictionary<string, int>? _counts;
        private string _countsKind = "";
        private long _countsSequence;
        private long? _previous;
        private bool _sending;

        public void Coalesce(LiveDelta delta)
        {
            lock (_queue)
            {
                _counts ??= [];
                _countsKind = delta.Kind;
                foreach (var (id, count) in (IReadOnlyDictionary<string, int>)delta.Data)
                {
                    _counts[id] = count;
                }

                _countsSequence = Math.Max(_countsSequence, delta.Sequence);
            }
        }

        public void Push(LiveDelta delta)
        {
            lock (_queue)
            {
                EnqueueCounts();
                Enqueue(delta);
            }
        }

        public void Flush()
        {
            lock (_queue)
            {
                EnqueueCounts();
            }
        }

        private void EnqueueCounts()
        {
            if (_counts is { } counts)
            {
                _counts = null;
                Enqueue(new LiveDelta(topic, _countsSequence, _countsKind, counts));
            }
        }

        private void Enqueue(LiveDelta delta)
        {
            // Relayed batches may repeat an event; the lane never goes back.
            if (delta.Sequence <= (_previous ?? 0))
            {
                return;
            }

            _queue.Enqueue(delta with { Previous = _previous });
            _previous = delta.Sequence;
            if (!_sending)
            {
                _sending = true;
                _ = Task.Run(SendAsync);
            }
        }

        private async Task SendAsync()
        {
            while (true)
            {
                LiveDelta next;
                lock (_queue)
                {
                    if (!_queue.TryDequeue(out next!))
                    {
                        _sending = false;
                        return;
                    }
                }

                try
                {
                    await owner._hub.Clients.Group(topic).Delta(next);
                }
                catch (Exception ex)
                {
                    owner._logger.LogWarning(ex, "Could not push {Topic} #{Sequence}", topic, next.Sequence);
                }
            }
        }
    }
}
