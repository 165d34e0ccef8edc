using System.Globalization;
using System.Net;
using Events.Grains;
using Events.Grains.Announcements;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Live;
using Events.Web.Markdown;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Announcements;

public sealed record PostedAnnouncement(string Id);

// "announcements:{slug}": each new announcement, already rendered, for everyone on the event's pages.
public sealed class AnnouncementsTopic(MarkdownRenderer markdown) : ILiveTopic
{
    public const string Kind = "announcement";

    public const string Name = "announcements";

    public string Prefix => Name;

    public string GrainType => AnnouncementsGrain.TypeName;

    public static string Of(string slug) => LiveTopics.Name(Name, slug);

    public LiveDelta? Project(string topic, GrainEvent grainEvent) => grainEvent.Event switch
    {
        AnnouncementPosted posted => new LiveDelta(topic, grainEvent.Sequence, Kind, new
        {
            id = posted.Announcement.Id,
            html = AnnouncementHtml.Item(posted.Announcement, markdown),
            exp = posted.Announcement.ExpiresAt?.ToUnixTimeMilliseconds(),
        }),
        _ => null,
    };
}

// One rendering of an announcement, shared by the page and the live delta so both look the same.
public static class AnnouncementHtml
{
    public static string Item(Announcement announcement, MarkdownRenderer markdown)
    {
        var expires = announcement.ExpiresAt is { } at ? $" data-expires=\"{at.ToUnixTimeMilliseconds()}\"" : "";
        var posted = announcement.PostedAt.ToString("O", CultureInfo.InvariantCulture);
        return $"<li id=\"{announcement.Id}\"{expires}><time datetime=\"{posted}\">{announcement.PostedAt.ToString("HH:mm", CultureInfo.InvariantCulture)} UTC</time> {markdown.Render(announcement.Markdown).Value}</li>";
    }
}


public static class AnnouncementLimits
{
    public static TimeSpan? ValidFor(int? minutes) => minutes is > 0 ? TimeSpan.FromMinutes(minutes.Value) : null;
}
