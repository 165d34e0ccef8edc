using System.Collections.Concurrent;
using Events.Grains.Questions;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Live;
using Events.Web.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Events.Web.Questions;

// "qa:{slug}/{session}": a question asked, changed or moderated makes pages refetch their list (each
// viewer's own rendering, so pending questions and anonymous authors never travel to the wrong
// people). Votes travel as counts, coalesced by VoteCoalescer. No delta names anyone.
public sealed class QuestionsTopic : ILiveTopic
{
    public const string Kind = "qa";
    public const string VotesKind = "votes";

    public string Prefix => "qa";

    public string GrainType => "questions";

    public string? Policy => null;

    public string RefreshUrl(string key) => key.Split('/') is [var slug, var session] ? $"/events/{slug}/qa/{session}/live" : "/";

    public bool IsCoalesced(GrainEvent grainEvent) => grainEvent.Event is QuestionVoted;

    public LiveDelta? Project(string topic, GrainEvent grainEvent) => grainEvent.Event switch
    {
        QuestionVoted voted => new LiveDelta(topic, grainEvent.Sequence, VotesKind, new Dictionary<string, int> { [voted.QuestionId] = voted.Count }),
        BoardEvent => new LiveDelta(topic, grainEvent.Sequence, Kind, new { }),
        _ => null,
    };
}

// At most one count update per question per second per board: a burst of votes on a popular
// question becomes one small frame a second for everyone on a slow link. The last count wins.
public sealed class VoteCoalescer(GrainEventPublisher publisher, IHubContext<LiveHub, ILiveClient> hub, ILogger<VoteCoalescer> logger)
    : GrainEventPump<GrainEvent>(publisher, logger, fromEverySilo: true)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (long Sequence, Dictionary<string, int> Counts)> _pending = new();
    private readonly ILogger<VoteCoalescer> _logger = logger;

    protected override GrainEvent? Select(GrainEvent grainEvent) => grainEvent.Event is QuestionVoted ? grainEvent : null;

    protected override Task HandleAsync(GrainEvent grainEvent)
    {
        var voted = (QuestionVoted)grainEvent.Event;
        var topic = LiveTopics.Name("qa", grainEvent.Grain.Key);
        _pending.AddOrUpdate(
            topic,
            _ => (grainEvent.Sequence, new Dictionary<string, int> { [voted.QuestionId] = voted.Count }),
            (_, existing) =>
            {
                existing.Counts[voted.QuestionId] = voted.Count;
                return (Math.Max(existing.Sequence, grainEvent.Sequence), existing.Counts);
            });
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
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var topic in _pending.Keys)
                {
                    if (_pending.TryRemove(topic, out var batch))
                    {
                        try
                        {
                            await hub.Clients.Group(topic).Delta(new LiveDelta(topic, batch.Sequence, QuestionsTopic.VotesKind, batch.Counts));
                        }
                        catch (Exception ex)
                        {
                            _logger.LogWarning(ex, "Could not push vote counts for {Topic}", topic);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
