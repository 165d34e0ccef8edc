using System.Globalization;
using System.Text.Json;
using Events.Grains.Announcements;
using Events.Silo;
using Events.Web.Announcements;
using Events.Web.Tests.Live;

namespace Events.Web.Tests.Announcements;

// The page script inserts a live delta's html into the list as it is, so a reader who saw an
// announcement arrive live and one who loaded the page afterwards must get the very same markup.
public sealed class AnnouncementItemTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    [Fact]
    public async Task An_announcement_pushed_caught_up_and_on_the_page_is_the_same_markup_byte_for_byte()
    {
        var grain = _host.Grains.GetGrain<IAnnouncementsGrain>(Slug);
        var before = (await grain.GetActiveAsync()).Version;
        object[] subscription = [new[] { new { topic = AnnouncementsTopic.Of(Slug), after = before } }];
        await using var pushedTo = await LiveClient.ConnectAsync(_host);
        await pushedTo.InvokeAsync("Subscribe", subscription);

        var expiring = await grain.PostAsync(DemoEvent.OrganiserEmail, new PostAnnouncement(
            "Room B: see [the programme](https://example.org/programme?day=2&room=b), **bring** \"questions\" & <b>pens</b>",
            TimeSpan.FromMinutes(30),
            Guid.NewGuid().ToString("N")));
        var lasting = await grain.PostAsync(DemoEvent.OrganiserEmail, new PostAnnouncement("Lunch is served", null, Guid.NewGuid().ToString("N")));

        var pushed = new[] { await pushedTo.NextDeltaAsync(Eventually.DefaultTimeout), await pushedTo.NextDeltaAsync(Eventually.DefaultTimeout) };
        await using var caughtUpBy = await LiveClient.ConnectAsync(_host);
        var caughtUp = (await caughtUpBy.InvokeAsync("Subscribe", subscription))[0].GetProperty("deltas").EnumerateArray().ToArray();
        using var browser = new TestBrowser(_host);
        var region = await browser.GetPageAsync($"/events/{Slug}/announcements");
        var page = await browser.GetPageAsync($"/events/{Slug}");

        // The markup as it was written before it became a component, character for character, but
        // for the instant's "+00:00", now "Z" (Razor would encode the "+" as "&#x2B;").
        var expected = new[]
        {
            $"<li id=\"{expiring.Id}\" data-expires=\"{expiring.ExpiresAt!.Value.ToUnixTimeMilliseconds()}\">{Time(expiring)} "
                + "<p>Room B: see <a href=\"https://example.org/programme?day=2&amp;room=b\">the programme</a>, <strong>bring</strong> &quot;questions&quot; &amp; &lt;b&gt;pens&lt;/b&gt;</p>\n</li>",
            $"<li id=\"{lasting.Id}\">{Time(lasting)} <p>Lunch is served</p>\n</li>",
        };
        Assert.Equal(expected, pushed.Select(Html));
        Assert.Equal(expected, caughtUp.Select(Html));
        Assert.All(expected, item => Assert.Contains(item, region));
        Assert.All(expected, item => Assert.Contains(item, page));
    }

    private static string Time(Announcement announcement) =>
        $"<time datetime=\"{announcement.PostedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\">{announcement.PostedAt.ToString("HH:mm", CultureInfo.InvariantCulture)} UTC</time>";

    private static string Html(JsonElement delta) => delta.GetProperty("d").GetProperty("html").GetString()!;
}
