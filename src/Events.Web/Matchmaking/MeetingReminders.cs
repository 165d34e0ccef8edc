using System.Collections.Concurrent;
using Events.Grains.Catalog;
using Events.Grains.Journal;
using Events.Grains.Matchmaking;
using Events.Web.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;

namespace Events.Web.Matchmaking;

public sealed class MatchmakingOptions
{
    public const string Section = "Matchmaking";

    // How long before a meeting both people get the reminder mail.
    public TimeSpan ReminderLead { get; set; } = TimeSpan.FromMinutes(60);

    // How often this silo looks whether an event's next reminder has fallen due.
    public TimeSpan ReminderCheck { get; set; } = TimeSpan.FromMinutes(1);
}

// Asks each event's matchmaking grain, when its next reminder falls due, to promise it. The grain
// records which meetings were reminded and the promise sits in the event's mail outbox, so a
// restart neither resends nor skips one, and with several silos the grain's one-call-at-a-time
// turn lets only the first ask promise it. This piece keeps only when to ask next (in memory): at
// start, and after this silo may have missed events, it asks every event; a booking anywhere in
// the cluster makes it ask that event at its next look.
public sealed class MeetingReminders : BackgroundService
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly IOptions<MatchmakingOptions> _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<MeetingReminders> _logger;
    private readonly GrainEventPublisher _publisher;
    private readonly IDisposable _subscription;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _askAt = new(StringComparer.Ordinal);
    private volatile bool _askEveryEvent = true;

    public MeetingReminders(GrainEventPublisher publisher, IGrainFactory grains, TimeProvider clock, IOptions<MatchmakingOptions> options, IHostApplicationLifetime lifetime, ILogger<MeetingReminders> logger)
    {
        _grains = grains;
        _clock = clock;
        _options = options;
        _lifetime = lifetime;
        _logger = logger;
        _publisher = publisher;
        _subscription = publisher.Subscribe(e =>
        {
            if (e.Event is MeetingBooked or MeetingArranged)
            {
                _askAt[e.Grain.Key] = DateTimeOffset.MinValue;
            }
        }, fromEverySilo: true);
        publisher.Gap += OnGap;
    }

    private void OnGap() => _askEveryEvent = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await LookAsync();
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not look for meeting reminders due");
            }

            await Task.Delay(_options.Value.ReminderCheck, _clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task LookAsync()
    {
        if (_askEveryEvent)
        {
            _askEveryEvent = false;
            foreach (var listing in await _grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync())
            {
                _askAt[listing.Slug] = DateTimeOffset.MinValue;
            }
        }

        var now = _clock.GetUtcNow();
        foreach (var (slug, at) in _askAt.Where(e => e.Value <= now).ToList())
        {
            try
            {
                var next = await _grains.GetGrain<IMatchmakingGrain>(slug).RemindAsync(_options.Value.ReminderLead);

                // A booking heard meanwhile (it set MinValue) wins over the answer.
                _askAt.TryUpdate(slug, next ?? DateTimeOffset.MaxValue, at);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not ask {Slug} for meeting reminders due; asking again at the next look", slug);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription.Dispose();
        _publisher.Gap -= OnGap;
        await base.StopAsync(cancellationToken);
    }
}

public static class MatchmakingServices
{
    public static IServiceCollection AddMatchmaking(this IServiceCollection services)
    {
        services.AddOptions<MatchmakingOptions>().BindConfiguration(MatchmakingOptions.Section);
        services.AddHostedService<MeetingReminders>();
        services.AddSingleton<IPromisedMail, MatchMailer>();
        return services;
    }
}
