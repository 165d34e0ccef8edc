using Events.Grains.Announcements;
using Events.Grains.People;
using Events.Web.Shared;
using Microsoft.AspNetCore.Components;

namespace Events.Web.Announcements;

// The announcements on an event's page: the live list for everyone, and the form for those who may
// post, with what they typed when their post was refused (the refusal sets an AnnouncementDraft).
public sealed class AnnouncementsPart : IEventPagePart
{
    public async Task<RenderFragment> RenderAsync(EventPageContext page)
    {
        var region = Pages.Fragment(new AnnouncementsRegion
        {
            Slug = page.Slug,
            View = await page.Grains.GetGrain<IAnnouncementsGrain>(page.Slug).GetActiveAsync(),
        });
        if (!page.CanModerate)
        {
            return region;
        }

        var draft = page.Http.Features.Get<AnnouncementDraft>();
        var form = Pages.Fragment(new AnnouncementForm { Slug = page.Slug, IdempotencyKey = Secrets.NewToken(16), Typed = draft?.Text, Error = draft?.Error });
        return builder =>
        {
            builder.AddContent(0, region);
            builder.AddContent(1, form);
        };
    }
}
