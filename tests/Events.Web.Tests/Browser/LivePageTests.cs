using System.Text.Json;
using Events.Grains.Announcements;
using Events.Grains.People;
using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

public sealed class LivePageTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{
    private string AgendaPath => $"/events/{Slug}";

    private readonly EventsHost _host = run.Host;

    private IAnnouncementsGrain Announcements => _host.Grains.GetGrain<IAnnouncementsGrain>(Slug);

    private Task PostAsync(string text) =>
        Announcements.PostAsync(DemoEvent.OrganiserEmail, new PostAnnouncement(text, null, Guid.NewGuid().ToString("N")));

    private async Task<TestBrowser> ModeratorAsync()
    {
        var browser = new TestBrowser(_host);
        var email = $"moderator-{Guid.NewGuid():N}@kampala.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Moderator, null);
        await browser.SignInAsync(email);
        return browser;
    }

    // The context's generous default deadline: on a busy machine the connection can take long.
    private static Task WaitUntilLiveAsync(IPage page) => page.Locator("#live-status[data-state=live]").WaitForAsync();

    private static Task<string> AnnouncementsTextAsync(IPage page) => page.Locator("#announcements").InnerTextAsync();

    [Fact]
    public async Task A_second_browser_sees_an_announcement_without_reloading()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await WaitUntilLiveAsync(page);
        await page.EvaluateAsync("() => window.sameDocument = true");

        await PostAsync("Pitch room A opens now");

        await page.Locator("#announcements li", new() { HasText = "Pitch room A opens now" }).WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
    }

    [Theory]
    [InlineData("websockets")]
    [InlineData("sse")]
    [InlineData("longpolling")]
    public async Task Each_transport_forced_in_turn_receives_a_live_update(string transport)
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, $"{AgendaPath}?transport={transport}").ToString());
        await WaitUntilLiveAsync(page);

        await PostAsync($"Delivered over {transport}");

        await page.Locator("#announcements li", new() { HasText = $"Delivered over {transport}" }).WaitForAsync();
    }

    [Fact]
    public async Task A_browser_cut_off_for_a_minute_converges_without_a_reload_while_another_changed_state()
    {
        await using var cable = new NetworkCut(_host.BaseAddress);
        await using var context = await chromium.NewContextAsync(_host);
        var follower = await context.NewPageAsync();
        // The follower's timers (its reconnection back-off) run on a clock the test moves, so the
        // minute offline passes without waiting a minute.
        await follower.Clock.InstallAsync();
        await follower.GotoAsync(new Uri(cable.Address, AgendaPath).ToString());
        await WaitUntilLiveAsync(follower);
        await follower.EvaluateAsync("() => window.sameDocument = true");

        // A moderator in a second browser posts while the first one's network is down.
        using var moderator = await ModeratorAsync();
        await using var moderatorContext = await chromium.NewContextAsync(_host, moderator);
        var moderatorPage = await moderatorContext.NewPageAsync();
        await moderatorPage.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await WaitUntilLiveAsync(moderatorPage);

        cable.Cut();
        await follower.Locator("#live-status:not([data-state=live])").WaitForAsync();
        await moderatorPage.FillAsync("#markdown", "Room B moved to the main hall");
        await moderatorPage.ClickAsync("#announce button[type=submit]");
        await moderatorPage.Locator("#announcements li", new() { HasText = "Room B moved to the main hall" }).WaitForAsync();
        // A minute on the follower's clock, a quarter at a time, each quarter ending in a refused
        // reconnection attempt (the back-off doubles from 1 s: 1, 2, 4 and 8 s fit in a minute).
        for (var quarter = 0; quarter < 4; quarter++)
        {
            var refused = cable.Refused;
            await follower.Clock.FastForwardAsync(15_000);
            await Eventually.UntilAsync("the follower's next reconnection attempt", () => cable.Refused, seen => seen > refused);
        }

        Assert.DoesNotContain("Room B moved", await AnnouncementsTextAsync(follower));

        cable.Restore();
        // The next attempt is due at most 16 s later on the follower's clock.
        await follower.Clock.FastForwardAsync(30_000);

        await follower.Locator("#announcements li", new() { HasText = "Room B moved to the main hall" }).WaitForAsync();
        await WaitUntilLiveAsync(follower);
        Assert.True(await follower.EvaluateAsync<bool>("() => window.sameDocument === true"));
    }

    [Fact]
    public async Task An_announcement_written_offline_is_queued_and_published_once_even_when_resent()
    {
        using var moderator = await ModeratorAsync();
        await using var cable = new NetworkCut(_host.BaseAddress);
        await using var context = await chromium.NewContextAsync(_host, moderator);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(cable.Address, AgendaPath).ToString());
        await WaitUntilLiveAsync(page);

        cable.Cut();
        await page.Locator("#live-status:not([data-state=live])").WaitForAsync();
        await page.FillAsync("#markdown", "Written on a train with no signal");
        await page.ClickAsync("#announce button[type=submit]");
        await page.Locator("[data-queue] li.queued", new() { HasText = "Written on a train" }).WaitForAsync();
        // The browser sends it again (the same queued item twice, as after a crash mid-send).
        await page.EvaluateAsync("() => { const q = JSON.parse(localStorage.getItem('events.queue')); localStorage.setItem('events.queue', JSON.stringify([...q, ...q])); }");

        cable.Restore();

        await page.Locator("#announcements li", new() { HasText = "Written on a train with no signal" }).WaitForAsync();
        await page.Locator("[data-queue] li").First.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Single((await Announcements.GetActiveAsync()).Active, a => a.Markdown == "Written on a train with no signal");
        Assert.Equal("[]", await page.EvaluateAsync<string>("() => localStorage.getItem('events.queue')"));
    }

    [Fact]
    public async Task Without_javascript_a_moderator_posts_through_the_form_and_an_attendee_sees_it_after_refreshing()
    {
        using var moderator = await ModeratorAsync();
        await using var moderatorContext = await chromium.NewContextAsync(_host, moderator, javaScript: false);
        await using var attendeeContext = await chromium.NewContextAsync(_host, javaScript: false);
        var attendee = await attendeeContext.NewPageAsync();
        await attendee.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        var page = await moderatorContext.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());

        await page.FillAsync("#markdown", "Coffee break: *15 minutes*");
        await page.ClickAsync("#announce button[type=submit]");

        Assert.EndsWith($"{AgendaPath}#announcements", page.Url);
        Assert.Contains("Coffee break: 15 minutes", await AnnouncementsTextAsync(page));
        Assert.DoesNotContain("Coffee break", await AnnouncementsTextAsync(attendee));
        await attendee.ClickAsync("text=Refresh");
        Assert.Contains("Coffee break: 15 minutes", await AnnouncementsTextAsync(attendee));

        await attendee.ClickAsync("text=Refresh every minute");
        Assert.Equal("60", await attendee.Locator("meta[http-equiv=refresh]").GetAttributeAsync("content"));
    }

    [Fact]
    public async Task Without_javascript_an_empty_announcement_is_refused_with_the_reason_and_nothing_is_posted()
    {
        using var moderator = await ModeratorAsync();
        await using var context = await chromium.NewContextAsync(_host, moderator, javaScript: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());

        // Spaces pass the browser's "required" check; the server is the one that refuses them.
        await page.FillAsync("#markdown", "   ");
        await page.ClickAsync("#announce button[type=submit]");

        Assert.Contains("it is empty", await page.Locator("#announce .error").InnerTextAsync());
        Assert.Empty((await Announcements.GetActiveAsync()).Active);
    }
}
