using Events.Grains.People;
using Events.Grains.Pitches;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Localization;
using Events.Web.Mail;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Events.Web.Pitches;

// Follow-ups outlive the event, and people are not on the site after it: the other side hears by
// mail, in their own language, when feedback is released, a meeting is requested or a request
// is accepted. The mails carry links only; what they point to is shown to whoever may see it.
public sealed class PitchMailer(GrainEventPublisher publisher, IGrainFactory grains, IMailSender mail, IOptions<SiteOptions> site, ILogger<PitchMailer> logger)
    : GrainEventPump<GrainEvent>(publisher, logger)
{
    protected override GrainEvent? Select(GrainEvent grainEvent) => grainEvent.Event switch
    {
        PitchControlled { Control: PitchControl.ReleaseFeedback } => grainEvent,
        FollowUpRequested => grainEvent,
        FollowUpUpdated { Status: FollowUpStatus.Accepted } => grainEvent,
        _ => null,
    };

    protected override async Task HandleAsync(GrainEvent grainEvent)
    {
        var slug = grainEvent.Grain.Key.Split('/')[0];
        switch (grainEvent.Event)
        {
            case PitchControlled released:
                var session = grainEvent.Grain.Key.Split('/')[^1];
                await MailTeamAsync(slug, released.Team, "mail.feedback-subject", "mail.feedback-body", $"/events/{slug}/rooms/{session}/pitches/{released.Team}");
                break;
            case FollowUpRequested requested:
                await MailTeamAsync(slug, requested.FollowUp.Team, "mail.follow-up-subject", "mail.follow-up-body", $"/events/{slug}/follow-ups#{requested.FollowUp.Id}");
                break;
            case FollowUpUpdated accepted:
                var followUp = (await grains.GetGrain<IFollowUpsGrain>(slug).ListAsync()).FirstOrDefault(f => f.Id == accepted.Id);
                if (followUp is not null)
                {
                    await SendAsync(followUp.Investor, "mail.accepted-subject", "mail.accepted-body", $"/events/{slug}/follow-ups#{followUp.Id}", followUp.TeamName);
                }

                break;
        }
    }

    private async Task MailTeamAsync(string slug, string team, string subjectKey, string bodyKey, string path)
    {
        var card = await grains.GetGrain<IPitchCardsGrain>(slug).GetAsync(team);
        var members = await grains.GetGrain<IEventAccessGrain>(slug).ListMembersAsync();
        foreach (var member in members.Where(m => m.Roles.HasFlag(EventRole.Presenter) && m.Team is { } name && TeamKey.From(name) == team))
        {
            await SendAsync(member.Email, subjectKey, bodyKey, path, card?.Current.Content.TeamName ?? team);
        }
    }

    private async Task SendAsync(string email, string subjectKey, string bodyKey, string path, string teamName)
    {
        var account = await grains.GetGrain<IAccountGrain>(email).GetAsync();
        var language = account is not null && Text.Languages.Contains(account.Language) ? account.Language : "en";
        var body = Text.Format(language, bodyKey, teamName, site.Value.Link(path));
        await mail.SendAsync(new OutgoingMail(email, Text.Format(language, subjectKey, teamName), body), CancellationToken.None);
    }
}
