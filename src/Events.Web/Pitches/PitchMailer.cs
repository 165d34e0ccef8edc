using Events.Grains;
using Events.Grains.Mail;
using Events.Grains.People;
using Events.Grains.Pitches;
using Orleans;
using Events.Web.Localization;
using Events.Web.Mail;
using Events.Web.Security;
using Microsoft.Extensions.Options;

namespace Events.Web.Pitches;

// The pitches' mails, carried out by the outbox's mailer (OutboxMailer): the team hears when
// feedback is released or an investor asks for a follow-up, the investor when the team accepts,
// and everyone scheduled when the meeting schedule is published.
public sealed class PitchMailer(IGrainFactory grains, IMailSender mail, IOptions<SiteOptions> site) : IPromisedMail
{
    public bool Handles(object promised) => promised is PitchControlled or FollowUpRequested or Events.Grains.Scheduling.SchedulePublished or FollowUpUpdated;

    public async Task<DateTimeOffset?> ApplyAsync(string slug, MailPromise promise, object promised)
    {
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

        return null;
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
        var language = await PromisedMails.LanguageAsync(grains, email);
        var body = Text.Format(language, bodyKey, teamName, site.Value.Link(path));
        await mail.SendAsync(new OutgoingMail(email, Text.Format(language, subjectKey, teamName), body, PromisedMails.Id(promise, email)), CancellationToken.None);
    }
}
