using Events.Grains;
using Events.Grains.Announcements;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Live;
using Events.Web.Shared;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Announcements;

public sealed record PostedAnnouncement(string Id);

// "announcements:{slug}": each new announcement, rendered by the component the page's list uses
// (AnnouncementItem), for everyone on the event's pages.
public sealed class AnnouncementsTopic(ComponentHtml html) : ILiveTopic
{
    public const string Kind = "announcement";

    public const string Name = "announcements";

    public string Prefix => Name;

    public string GrainType => AnnouncementsGrain.TypeName;

    public static string Of(string slug) => LiveTopics.Name(Name, slug);

    public async ValueTask<LiveDelta?> Project(string topic, GrainEvent grainEvent) => grainEvent.Event is AnnouncementPosted posted
        ? new LiveDelta(topic, grainEvent.Sequence, Kind, new
        {
            id = posted.Announcement.Id,
            html = await html.RenderAsync(new AnnouncementItem { Announcement = posted.Announcement }),
            exp = posted.Announcement.ExpiresAt?.ToUnixTimeMilliseconds(),
        })
        : null;
}

public static class AnnouncementLimits
{
    public static TimeSpan? ValidFor(int? minutes) => minutes is > 0 ? TimeSpan.FromMinutes(minutes.Value) : null;
}
