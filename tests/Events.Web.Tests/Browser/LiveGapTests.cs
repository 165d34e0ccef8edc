using Events.Grains.Announcements;
using Events.Silo;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

// A push lost or overtaken on its way: the page sees, from the next push's "previous" sequence, that
// it missed something, and fetches it by sequence number instead of skipping it.
public sealed class LiveGapTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private Task PostAsync(string text) =>
        _host.Grains.GetGrain<IAnnouncementsGrain>(Slug).PostAsync(DemoEvent.OrganiserEmail, new PostAnnouncement(text, null, Guid.NewGuid().ToString("N")));

    [Fact]
    public async Task A_page_that_never_received_one_push_shows_it_after_the_next_one()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var dropped = 0;
        // Between the page and the server: the message carrying the first announcement never arrives.
        await page.RouteWebSocketAsync("**/live?*", socket =>
        {
            var server = socket.ConnectToServer();
            socket.OnMessage(frame => server.Send(frame.Text ?? ""));
            // One frame can carry several SignalR messages (each ends with 0x1E) when they are sent
            // close together: only the message with the first announcement is taken out of it.
            server.OnMessage(frame =>
            {
                var messages = Regex.Split(frame.Text ?? "", "(?<=\u001e)").Where(m => m.Length > 0).ToList();
                var lost = messages.FindIndex(m => m.Contains("Dropped on the way", StringComparison.Ordinal));
                if (lost >= 0 && Interlocked.Exchange(ref dropped, 1) == 0)
                {
                    messages.RemoveAt(lost);
                }

                if (messages.Count > 0)
                {
                    socket.Send(string.Concat(messages));
                }
            });
        });
        await page.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}?transport=websockets").ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();

        await PostAsync("Dropped on the way");
        await PostAsync("Arrived after the gap");

        await page.Locator("#announcements li", new() { HasText = "Arrived after the gap" }).WaitForAsync();
        await page.Locator("#announcements li", new() { HasText = "Dropped on the way" }).WaitForAsync();
        Assert.Equal(1, Volatile.Read(ref dropped));
    }
}
