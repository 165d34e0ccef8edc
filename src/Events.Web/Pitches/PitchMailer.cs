using Events.Grains;
using Events.Grains.Catalog;
using Events.Grains.Mail;
using Events.Grains.People;
using Events.Grains.Pitches;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Localization;
using Events.Web.Mail;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Events.Web.Pitches;

// Follow-ups outlive the event, and people are not on the site after it: the other side hears by
// mail, in their own language, when feedback is released, a meeting is requested or a request
// is accepted. The mails carry links only; what they point to is shown to whoever may see it.
//
// Mail is promised by the committing grain (the event's mail outbox holds the promise before the
// promising call is acknowledged); this pump sends what the outbox holds and tells it what went,
// at start-up too, so a process killed before sending leaves nothing unsent. A mail is sent again
// only if the process dies between sending it and telling the outbox: the outbox folder then
// keeps one copy (same id), SMTP receives the same Message-ID twice.
public sealed class PitchMailer(
    GrainEventPublisher publisher,
    IGrainFactory grains,
    JournalReader journal,
    IMailSender mail,
    IOptions<SiteOptions> site,
    Events.Web.Tickets.TicketMailer tickets,
    Events.Web.Matchmaking.MatchMailer matchmaking,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<PitchMailer> logger)
    : GrainEventPump<string>(publisher, logger)
{
    // Another silo's mailer leaves a promise this long before taking it over.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

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
                if (Events.Web.Matchmaking.MatchMailer.Handles(promised.Event)
                    && await matchmaking.ApplyAsync(slug, promise, promised.Event) is { } later)
                {
                    // Batched: it stays promised and this event's outbox is looked at again then
                    // (after the claim lapses); a restart in between finds it at start-up.
                    var wait = later - clock.GetUtcNow();
                    _ = Task.Delay(wait > Lease ? wait : Lease + TimeSpan.FromSeconds(1), clock).ContinueWith(_ => Enqueue(slug), TaskScheduler.Default);
                    continue;
                }

                await SendAsync(slug, promise, promised.Event);
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

    private async Task SendAsync(string slug, MailPromise promise, object promised)
    {
        if (Events.Web.Tickets.TicketMailer.Handles(promised))
        {
            // The ticket office's promises (and the agenda's cancellation) share the event's outbox.
            await tickets.ApplyAsync(slug, promise, promised);
            return;
        }

        switch (promised)
        {
            case PitchControlled released:
                var session = SessionKey.Parse(promise.Source.Key).SessionId;
                await MailTeamAsync(slug, promise, released.Team, "mail.feedback-subject", "mail.feedback-body", $"/events/{slug}/rooms/{session}/pitches/{released.Team}");
                break;
            case FollowUpRequested requested:
                await MailTeamAsync(slug, promise, requested.FollowUp.Team, "mail.follow-up-subject", "mail.follow-up-body", $"/events/{slug}/follow-ups#{requested.FollowUp.Id}");
                break;
            case Events.Grains.Scheduling.SchedulePublished scheduled:
                var title = (await grains.GetGrain<Events.Grains.Agenda.IAgendaGrain>(slug).GetAsync())?.Title ?? slug;
                foreach (var person in scheduled.People)
                {
                    await SendAsync(promise, person, "mail.schedule-subject", "mail.schedule-body", $"/events/{slug}/meetings", title);
                }

                break;
            case FollowUpUpdated accepted:
                var followUp = (await grains.GetGrain<IFollowUpsGrain>(slug).ListAsync()).FirstOrDefault(f => f.Id == accepted.Id);
                if (followUp is not null)
                {
                    await SendAsync(promise, followUp.Investor, "mail.accepted-subject", "mail.accepted-body", $"/events/{slug}/follow-ups#{followUp.Id}", followUp.TeamName);
                }

                break;
        }
    }

    private async Task MailTeamAsync(string slug, MailPromise promise, string team, string subjectKey, string bodyKey, string path)
    {
        var card = await grains.GetGrain<IPitchCardsGrain>(slug).GetAsync(team);
        var members = await grains.GetGrain<IEventAccessGrain>(slug).ListMembersAsync();
        foreach (var member in members.Where(m => m.Roles.HasFlag(EventRole.Presenter) && m.Team is { } name && TeamKey.From(name) == team))
        {
            await SendAsync(promise, member.Email, subjectKey, bodyKey, path, card?.Current.Content.TeamName ?? team);
        }
    }

    private async Task SendAsync(MailPromise promise, string email, string subjectKey, string bodyKey, string path, string teamName)
    {
        var account = await grains.GetGrain<IAccountGrain>(email).GetAsync();
        var language = account is not null && Text.Languages.Contains(account.Language) ? account.Language : "en";
        var body = Text.Format(language, bodyKey, teamName, site.Value.Link(path));
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{promise.Id}\n{email}")))[..32];
        await mail.SendAsync(new OutgoingMail(email, Text.Format(language, subjectKey, teamName), body, id), CancellationToken.None);
    }
}
