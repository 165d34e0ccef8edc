using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Announcements;
using Events.Web.Announcements;
using Events.Web.Localization;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

public sealed partial class LiveHub
{
    // Sent by the page script's offline-safe input: the idempotency key makes a resend harmless.
    [Authorize(Policy = Policies.EventModerator)]
    public async Task<PostedAnnouncement> PostAnnouncement(string slug, string markdown, int? validMinutes, string idempotencyKey)
    {
        if (await Grains.GetGrain<IAgendaGrain>(slug).GetAsync() is null)
        {
            throw new HubException(Text.Format(Text.LanguageOf(Context.GetHttpContext()), "message.no-event", slug));
        }

        var posted = await Grains.GetGrain<IAnnouncementsGrain>(slug)
            .PostAsync(Viewer.SignedInEmail, new PostAnnouncement(markdown, AnnouncementLimits.ValidFor(validMinutes), idempotencyKey));
        return new PostedAnnouncement(posted.Id);
    }
}
