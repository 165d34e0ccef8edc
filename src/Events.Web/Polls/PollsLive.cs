using System.Collections.Concurrent;
using Events.Grains.Journal;
using Events.Grains.Polls;
using Events.Web.Live;
using Events.Web.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Events.Web.Polls;

// "polls:{slug}/{session}": preparing, launching, closing and moderating make pages refetch their
// region (each viewer's own rendering); answers are pushed by PollResultsCoalescer. No delta names anyone.
public sealed class PollsTopic : ILiveTopic
{
    public const string Kind = "poll";
    public const string CountsKind = "pollcounts";

    public string Prefix => "polls";

    public string GrainType => "polls";

    public string? Policy => null;

    public string RefreshUrl(string key) => key.Split('/') is [var slug, var session] ? $"/events/{slug}/polls/{session}/live" : "/";

    public bool IsCoalesced(GrainEvent grainEvent) => grainEvent.Event is PollAnswered;

    public LiveDelta? Project(string topic, GrainEvent grainEvent) =>
        grainEvent.Event is PollEvent ? new LiveDelta(topic, grainEvent.Sequence, Kind, new { }) : null;
}

// At most one push per poll per second, whatever the rate of answers: for choice and ranking polls
// whose results are shown, the counts themselves (under 200 bytes for five options, patched in
// place); for other kinds with results shown, a refetch; with results hidden, only how many answered.
public sealed class PollResultsCoalescer(GrainEventPublisher publisher, IGrainFactory grains, IHubContext<LiveHub, ILiveClient> hub, ILogger<PollResultsCoalescer> logger)
    : GrainEventPump<GrainEvent>(publisher, logger, fromEverySilo: true)
{
    private readonly ConcurrentDictionary<string, long> _dirty = new();
    private readonly ILogger<PollResultsCoalescer> _logger = logger;

    protected override GrainEvent? Select(GrainEvent grainEvent) => grainEvent.Event is PollAnswered ? grainEvent : null;

    protected override Task HandleAsync(GrainEvent grainEvent)
    {
        _dirty.AddOrUpdate(grainEvent.Grain.Key, grainEvent.Sequence, (_, seen) => Math.Max(seen, grainEvent.Sequence));
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var flushing = FlushAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
        await flushing;
    }

    private async Task FlushAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Questions.VoteCoalescer.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var key in _dirty.Keys)
                {
                    if (_dirty.TryRemove(key, out var sequence))
                    {
                        try
                        {
                            await PushAsync(key, sequence);
                        }
                        catch (Exception ex)
                        {
                            _logger.LogWarning(ex, "Could not push poll results for {Key}", key);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PushAsync(string key, long sequence)
    {
        var topic = LiveTopics.Name("polls", key);
        var view = await grains.GetGrain<IPollsGrain>(key).GetAsync(null, false);
        if (view.Live is not { } live)
        {
            return;
        }

        var delta = live.Results switch
        {
            { } results when live.Poll.Kind is PollKind.SingleChoice or PollKind.MultipleChoice or PollKind.Ranking =>
                new LiveDelta(topic, sequence, PollsTopic.CountsKind, new { p = live.Poll.Id, n = results.Respondents, c = results.Counts, r = live.Poll.Kind == PollKind.Ranking ? 1 : 0 }),
            { } => new LiveDelta(topic, sequence, PollsTopic.Kind, new { }),
            null => new LiveDelta(topic, sequence, PollsTopic.CountsKind, new { p = live.Poll.Id, n = live.Respondents }),
        };
        await hub.Clients.Group(topic).Delta(delta);
    }
}
