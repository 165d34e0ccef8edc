using Events.Grains.Catalog;
using Events.Grains.Journal;
using Events.Grains.Mail;
using Events.Web.Shared;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Events.Web.Mail;

// Follow-ups outlive the event, and people are not on the site after it: they hear by mail, in
// their own language (tickets, meetings, feedback released, follow-ups, the published schedule).
// The mails carry links only; what they point to is shown to whoever may see it.
//
// Mail is promised by the committing grain (the event's mail outbox holds the promise before the
// promising call is acknowledged); this pump sends what the outbox holds, through the feature that
// handles it (IPromisedMail), and tells it what went, at start-up too, so a process killed before
// sending leaves nothing unsent. A mail is sent again only if the process dies between sending it
// and telling the outbox: the outbox folder then keeps one copy (same id), SMTP receives the same
// Message-ID twice.
public sealed class OutboxMailer(
    GrainEventPublisher publisher,
    IGrainFactory grains,
    JournalReader journal,
    IEnumerable<IPromisedMail> features,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxMailer> logger)
    : GrainEventPump<string>(publisher, logger)
{
    // Another silo's mailer leaves a promise this long before taking it over.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly IPromisedMail[] _features = [.. features];

    protected override string? Select(GrainEvent grainEvent) => grainEvent.Event is MailPromised ? grainEvent.Grain.Key : null;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);

        // Once the silo (another hosted service) runs: look in every event's outbox.
        lifetime.ApplicationStarted.Register(() => _ = CatchUpAsync());
    }

    private async Task CatchUpAsync()
    {
        try
        {
            foreach (var listing in await grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync())
            {
                Enqueue(listing.Slug);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not look for mail left unsent");
        }
    }

    protected override async Task HandleAsync(string slug)
    {
        var outbox = grains.GetGrain<IMailOutboxGrain>(slug);
        foreach (var promise in await outbox.ClaimAsync(Lease))
        {
            try
            {
                var promised = (await journal.ReadEventsAsync(promise.Source, promise.Sequence - 1, 1)).Single();
                if (_features.FirstOrDefault(f => f.Handles(promised.Event)) is { } feature
                    && await feature.ApplyAsync(slug, promise, promised.Event) is { } later)
                {
                    // Batched: it stays promised and this event's outbox is looked at again then
                    // (after the claim lapses); a restart in between finds it at start-up.
                    var wait = later - clock.GetUtcNow();
                    _ = Task.Delay(wait > Lease ? wait : Lease + TimeSpan.FromSeconds(1), clock).ContinueWith(_ => Enqueue(slug), TaskScheduler.Default);
                    continue;
                }

                await outbox.SentAsync(promise.Id);
            }
            catch (Exception ex)
            {
                // One that fails (Stripe or SMTP unreachable) stays promised, to be tried again
                // at the next start or the event's next promise once its claim lapses; the
                // others of the event go on.
                logger.LogWarning(ex, "Could not carry out {Promise}; it stays in the outbox", promise.Id);
            }
        }
    }
}
