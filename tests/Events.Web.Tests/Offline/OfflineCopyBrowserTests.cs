using Events.Grains.Announcements;
using Events.Silo;
using Events.Web.Tests.Browser;
using Microsoft.Playwright;

namespace Events.Web.Tests.Offline;

// Reading offline after one visit, as a phone whose link or power went away would: the service
// worker's copies, what they must never show, and a live page that spends nothing while offline.
// On the run's server (RunHost); each test reads its own copy of the demo event, in browser contexts
// of its own (no shared cookies, caches or service workers).
public sealed class OfflineCopyBrowserTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private string AgendaPath => $"/events/{Slug}";

    private string Url(string path) => new Uri(_host.BaseAddress, path).ToString();

    private Task PostAsync(string text) =>
        _host.Grains.GetGrain<IAnnouncementsGrain>(Slug).PostAsync(DemoEvent.OrganiserEmail, new PostAnnouncement(text, null, Guid.NewGuid().ToString("N")));

    private static Task WaitUntilLiveAsync(IPage page) => page.Locator("#live-status[data-state=live]").WaitForAsync();

    // The worker is running and holds a copy of the page at this address.
    private static async Task WaitUntilKeptAsync(IPage page, string cache = "pages-1")
    {
        await page.WaitForFunctionAsync(
            "async ([name]) => !!navigator.serviceWorker.controller && !!(await (await caches.open(name)).match(location.href))",
            new object[] { cache },
            new() { PollingInterval = 200 });
    }

    [Fact]
    public async Task An_agenda_seen_once_reads_offline_with_the_time_of_its_copy_and_catches_up_when_the_link_returns()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url(AgendaPath));
        await WaitUntilLiveAsync(page);
        await WaitUntilKeptAsync(page);
        Assert.False(await page.Locator("#offline-copy").IsVisibleAsync());

        await context.SetOfflineAsync(true);
        await page.ReloadAsync();

        var note = page.Locator("#offline-copy");
        await note.WaitForAsync();
        Assert.Matches(@"^Offline: this is the copy saved at \d\d:\d\d\.", await note.InnerTextAsync());
        Assert.Equal("City Pilots Pitch Day", await page.Locator("h1").InnerTextAsync());
        Assert.True(await page.Locator("#agenda ol.sessions > li").CountAsync() > 0);
        await page.EvaluateAsync("() => window.sameDocument = true");

        await PostAsync("Written while the phone was offline");
        await context.SetOfflineAsync(false);

        await page.Locator("#announcements li", new() { HasText = "Written while the phone was offline" }).WaitForAsync();
        await WaitUntilLiveAsync(page);
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
    }

    [Fact]
    public async Task After_sign_out_a_private_page_is_no_longer_served_from_the_copies()
    {
        using var person = new TestBrowser(_host);
        await person.SignInAsync($"attendee-{Guid.NewGuid():N}@niamey.example.org");
        await using var context = await chromium.NewContextAsync(_host, person);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url(AgendaPath));
        await WaitUntilLiveAsync(page);
        await page.GotoAsync(Url("/my/tickets"));
        await WaitUntilKeptAsync(page, "private-1");

        // While signed in, the person's own copy is what they read offline.
        await context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await page.Locator("#offline-copy").WaitForAsync();
        Assert.Equal("My tickets", await page.Locator("h1").InnerTextAsync());
        await context.SetOfflineAsync(false);

        await page.GotoAsync(Url("/my/tickets"));
        await page.ClickAsync("header form[action='/signout'] button");
        await page.WaitForURLAsync(url => !url.Contains("/my/tickets", StringComparison.Ordinal));

        await context.SetOfflineAsync(true);
        await Assert.ThrowsAnyAsync<PlaywrightException>(() => page.GotoAsync(Url("/my/tickets")));
        // The agenda was kept as this person saw it (with their own controls): gone with them.
        await Assert.ThrowsAnyAsync<PlaywrightException>(() => page.GotoAsync(Url(AgendaPath)));
    }

    [Fact]
    public async Task A_new_release_stylesheet_replaces_the_kept_one_at_the_next_visit_online()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url(AgendaPath));
        await WaitUntilLiveAsync(page);
        await WaitUntilKeptAsync(page);
        var current = await page.Locator("link[rel=stylesheet]").EvaluateAsync<string>("link => link.href");
        await page.WaitForFunctionAsync("async ([href]) => !!(await (await caches.open('assets-1')).match(href))", new object[] { current });

        // What the phone kept from the release before this one: the same stylesheet under its old fingerprint.
        var previous = System.Text.RegularExpressions.Regex.Replace(current, @"\.[a-z0-9]{6,}\.css$", ".0ldrelease1.css");
        Assert.NotEqual(current, previous);
        await page.EvaluateAsync(
            "async ([current, previous]) => { const c = await caches.open('assets-1'); await c.delete(current); await c.put(previous, new Response('body{}', { headers: { 'Content-Type': 'text/css' } })); }",
            new object[] { current, previous });

        await page.GotoAsync(Url(AgendaPath));
        await WaitUntilLiveAsync(page);

        await page.WaitForFunctionAsync("async ([href]) => !!(await (await caches.open('assets-1')).match(href))", new object[] { current });
        var stylesheets = await page.EvaluateAsync<string[]>("async () => (await (await caches.open('assets-1')).keys()).map(r => r.url).filter(u => u.endsWith('.css'))");
        Assert.Equal([current], stylesheets);
    }

    [Fact]
    public async Task A_connection_that_dies_silently_is_shown_as_not_live_within_two_minutes()
    {
        await using var cable = new NetworkCut(_host.BaseAddress);
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        await page.Clock.InstallAsync();
        await page.GotoAsync(new Uri(cable.Address, $"{AgendaPath}?transport=websockets").ToString());
        await WaitUntilLiveAsync(page);

        cable.Stall();
        await page.Clock.RunForAsync(121_000);

        await page.Locator("#live-status:not([data-state=live])").WaitForAsync();
    }

    [Fact]
    public async Task Offline_for_five_minutes_a_live_page_sends_nothing_then_reconnects_once()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        // Five minutes pass on the page's clock (every timer of SignalR and live.js runs), not the test's.
        await page.Clock.InstallAsync();
        var sockets = 0;
        var sent = 0;
        var requests = 0;
        page.WebSocket += (_, socket) =>
        {
            Interlocked.Increment(ref sockets);
            socket.FrameSent += (_, _) => Interlocked.Increment(ref sent);
        };
        page.Request += (_, _) => Interlocked.Increment(ref requests);
        await page.GotoAsync(Url($"{AgendaPath}?transport=websockets"));
        await WaitUntilLiveAsync(page);

        await context.SetOfflineAsync(true);
        await page.Locator("#live-status[data-state=offline]").WaitForAsync();
        await page.WaitForFunctionAsync("() => !navigator.onLine");
        Interlocked.Exchange(ref sockets, 0);
        Interlocked.Exchange(ref sent, 0);
        Interlocked.Exchange(ref requests, 0);

        await page.Clock.RunForAsync(5 * 60 * 1000);

        Assert.Equal(0, Volatile.Read(ref sent));
        Assert.Equal(0, Volatile.Read(ref requests));
        Assert.Equal(0, Volatile.Read(ref sockets));

        await context.SetOfflineAsync(false);
        await WaitUntilLiveAsync(page);
        await PostAsync("Back after five minutes");
        await page.Locator("#announcements li", new() { HasText = "Back after five minutes" }).WaitForAsync();

        Assert.Equal(1, Volatile.Read(ref sockets));
    }
}
