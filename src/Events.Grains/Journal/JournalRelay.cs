using System.Collections.Immutable;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Events.Grains.Journal;

// One per silo, the shape of the GPSTracker sample's hub observer: each silo registers an observer
// with the relay grain and refreshes it; a grain's committed events go through the relay grain to
// every other silo's observer, which hands them to that silo's publisher (live pushes only: mail
// is woken once, on the committing silo). The relay grain keeps observers in memory only: if
// its silo dies, other silos miss events until their next refresh. A refresh that finds itself
// forgotten says so, and the silo tells its publisher's gap subscribers (the hub asks its
// browsers to catch up by sequence number).
public interface IJournalObserver : IGrainObserver
{
    [OneWay]
    Task CommittedAsync(ImmutableArray<GrainEvent> events);
}

public interface IJournalRelayGrain : IGrainWithIntegerKey
{
    // False when the relay did not know this silo's observer: events may have gone past it.
    Task<bool> SubscribeAsync(string silo, IJournalObserver observer);

    Task UnsubscribeAsync(string silo);

    [OneWay]
    Task PublishAsync(string fromSilo, ImmutableArray<GrainEvent> events);
}

public sealed class JournalRelayGrain(TimeProvider clock) : Grain, IJournalRelayGrain
{
    private readonly Dictionary<string, (IJournalObserver Observer, DateTimeOffset Seen)> _silos = new(StringComparer.Ordinal);

    public Task<bool> SubscribeAsync(string silo, IJournalObserver observer)
    {
        var known = _silos.TryGetValue(silo, out var entry) && entry.Observer.Equals(observer);
        _silos[silo] = (observer, clock.GetUtcNow());
        return Task.FromResult(known);
    }

    public Task UnsubscribeAsync(string silo)
    {
        _silos.Remove(silo);
        return Task.CompletedTask;
    }

    public Task PublishAsync(string fromSilo, ImmutableArray<GrainEvent> events)
    {
        var stale = clock.GetUtcNow() - JournalRelay.Expiry;
        foreach (var (silo, (observer, seen)) in _silos.ToList())
        {
            if (seen < stale)
            {
                _silos.Remove(silo);
            }
            else if (silo != fromSilo)
            {
                _ = observer.CommittedAsync(events);
            }
        }

        return Task.CompletedTask;
    }
}

public sealed class JournalRelay(IGrainFactory grains, ILocalSiloDetails silo, IClusterMembershipService membership, GrainEventPublisher publisher, ILogger<JournalRelay> logger)
    : BackgroundService, IJournalObserver
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(30);

    private string SiloName => silo.SiloAddress.ToParsableString();

    private IJournalRelayGrain RelayGrain => grains.GetGrain<IJournalRelayGrain>(0);

    public Task CommittedAsync(ImmutableArray<GrainEvent> events)
    {
        publisher.PublishCommittedElsewhere(events);
        return Task.CompletedTask;
    }

    internal void SendToOtherSilos(IReadOnlyList<GrainEvent> committed)
    {
        // Alone in the cluster (SQLite, or one PostgreSQL silo) there is no one to tell: skip the
        // message. A silo that is still joining catches up by sequence number like any browser.
        if (!membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress)))
        {
            return;
        }

        _ = RelayGrain.PublishAsync(SiloName, [.. committed]);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = grains.CreateObjectReference<IJournalObserver>(this);
        var registered = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = Refresh;
                try
                {
                    var known = await RelayGrain.SubscribeAsync(SiloName, reference);
                    if (registered && !known)
                    {
                        logger.LogInformation("The journal relay had forgotten this silo (its silo restarted?): live pages here catch up");
                        publisher.PublishGap();
                    }

                    registered = true;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Early in start-up the silo may not take calls yet: try again soon.
                    logger.LogDebug(ex, "Could not register this silo for other silos' events yet");
                    wait = TimeSpan.FromMilliseconds(250);
                }

                await Task.Delay(wait, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            try
            {
                await RelayGrain.UnsubscribeAsync(SiloName).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Could not unregister from the journal relay while stopping");
            }

            grains.DeleteObjectReference<IJournalObserver>(reference);
        }
    }
}
