using Events.Grains.Matchmaking;
using Events.Grains.People;
using Events.Silo;
using Events.Web.Tests.Browser;
using Microsoft.Playwright;

namespace Events.Web.Tests.Matchmaking;

public sealed class MatchmakingBrowserTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{

    // The run's server; every test works on its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    private static Task LiveAsync(IPage page) => page.Locator("#live-status[data-state=live]").WaitForAsync();

    private async Task<(TestBrowser Browser, MatchProfile Profile)> PersonAsync(string name, OrgType type, string city, string offer)
    {
        var browser = new TestBrowser(_host);
        var email = $"{city.ToLowerInvariant()}-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Attendee, null);
        await browser.SignInAsync(email);
        var profile = await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{email}").SaveAsync(new ProfileDraft(
            name, $"{city} team", type, city, "Kenya", ["en"], "We pilot *things*.", ["Mobility"],
            [new NeedOffer("Mobility", "Mobility data", "Trip counts")], [new NeedOffer("Mobility", offer, "Open source")]), listed: true);
        return (browser, profile);
    }

    // Meeting settings and two people with profiles: Kofi of Kumasi (a city) and Achieng of Kisumu (an investor).
    private async Task<(TestBrowser Kumasi, TestBrowser Kisumu, MatchProfile KisumuProfile)> TwoPeopleAsync()
    {
        await SettingsAsync();
        var (kumasi, _) = await PersonAsync("Kofi Mensah", OrgType.City, "Kumasi", "Market app");
        var (kisumu, kisumuProfile) = await PersonAsync("Achieng Otieno", OrgType.Investor, "Kisumu", "Parking data platform");
        return (kumasi, kisumu, kisumuProfile);
    }

    private async Task SettingsAsync()
    {
        var nine = new DateTimeOffset(_host.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2).AddHours(9), TimeSpan.Zero);
        await _host.Grains.GetGrain<IMatchmakingGrain>(Slug).SetSettingsAsync("organiser@example.org", MatchSettings.Default with
        {
            Themes = ["Mobility"],
            Windows = [new MeetingWindow(nine, nine.AddHours(1))],
            RoomTemplate = "https://meet.example.org/{room}",
        });
    }

    [Fact]
    public async Task A_request_appears_on_the_invitee_s_open_page_without_reload_and_the_acceptance_on_the_requester_s()
    {
        var (kumasi, kisumu, kisumuProfile) = await TwoPeopleAsync();
        using var a = kumasi;
        using var b = kisumu;
        await using var requesterContext = await chromium.NewContextAsync(_host, kumasi);
        await using var inviteeContext = await chromium.NewContextAsync(_host, kisumu);
        var invitee = await inviteeContext.NewPageAsync();
        await invitee.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/meetings").ToString());
        await LiveAsync(invitee);
        await invitee.EvaluateAsync("() => window.sameDocument = true");

        // With JavaScript the request goes through the live connection: the page stays and says it was sent.
        var requester = await requesterContext.NewPageAsync();
        await requester.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/directory/{kisumuProfile.PersonId}").ToString());
        await LiveAsync(requester);
        await requester.EvaluateAsync("() => window.sameDocument = true");
        await requester.FillAsync("#message", "Could we talk about parking data?");
        await requester.Locator("input[name=slot]").First.CheckAsync();
        await requester.ClickAsync("form[action$='/meetings/requests'] button[type=submit]");
        await requester.Locator("[data-sent]").WaitForAsync();
        Assert.True(await requester.EvaluateAsync<bool>("() => window.sameDocument === true"));
        await requester.ClickAsync("[data-sent] a");
        await LiveAsync(requester);
        await requester.EvaluateAsync("() => window.sameDocument = true");

        await invitee.Locator("#incoming ~ ul li", new() { HasText = "Could we talk about parking data?" }).WaitForAsync();
        Assert.True(await invitee.EvaluateAsync<bool>("() => window.sameDocument === true"));
        await invitee.Locator("#meetings button:has-text('Accept')").First.ClickAsync();

        await requester.Locator("#booked ~ ul li a:has-text('Join the room')").WaitForAsync();
        await invitee.Locator("#booked ~ ul li a:has-text('Join the room')").WaitForAsync();
        Assert.True(await requester.EvaluateAsync<bool>("() => window.sameDocument === true"));
        Assert.True(await invitee.EvaluateAsync<bool>("() => window.sameDocument === true"));
        Assert.StartsWith("https://meet.example.org/", await requester.Locator("#booked ~ ul li a:has-text('Join the room')").GetAttributeAsync("href"));
        Assert.Single((await _host.Grains.GetGrain<IMatchmakingGrain>(Slug).MineAsync(kisumu.Email!)).Meetings);
        await BothHaveItAsync(requester, invitee);
    }

    [Fact]
    public async Task With_javascript_off_the_same_request_and_acceptance_work_with_plain_forms()
    {
        var (kumasi, kisumu, kisumuProfile) = await TwoPeopleAsync();
        using var a = kumasi;
        using var b = kisumu;
        await using var requesterContext = await chromium.NewContextAsync(_host, kumasi, javaScript: false);
        await using var inviteeContext = await chromium.NewContextAsync(_host, kisumu, javaScript: false);
        var requester = await requesterContext.NewPageAsync();
        var invitee = await inviteeContext.NewPageAsync();

        await requester.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/directory/{kisumuProfile.PersonId}").ToString());
        await requester.FillAsync("#message", "Could we talk about parking data?");
        await requester.Locator("input[name=slot]").First.CheckAsync();
        await requester.ClickAsync("form[action$='/meetings/requests'] button[type=submit]");
        await requester.WaitForURLAsync("**/meetings#outgoing");
        await invitee.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/meetings").ToString());
        await invitee.Locator("#incoming ~ ul li", new() { HasText = "Could we talk about parking data?" }).WaitForAsync();
        await invitee.Locator("#meetings button:has-text('Accept')").First.ClickAsync();
        await invitee.Locator("#booked ~ ul li a:has-text('Join the room')").WaitForAsync();
        await requester.ReloadAsync();

        Assert.Contains("/meetings", requester.Url);
        Assert.Equal(1, await requester.Locator("#booked ~ ul li a:has-text('Join the room')").CountAsync());
        await BothHaveItAsync(requester, invitee);
    }

    // Both find the meeting in their agenda and in their calendar file.
    private async Task BothHaveItAsync(IPage requester, IPage invitee)
    {
        foreach (var (page, other) in new[] { (requester, "Achieng Otieno"), (invitee, "Kofi Mensah") })
        {
            await page.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/my-agenda").ToString());
            await page.Locator(".my-meeting a", new() { HasText = other }).WaitForAsync();
            var ics = await (await page.APIRequest.GetAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/meetings/calendar.ics").ToString())).TextAsync();
            Assert.Contains($"SUMMARY:Meeting with {other}", ics);
        }
    }

    [Fact]
    public async Task The_matchmaking_pages_have_no_serious_or_critical_accessibility_violations()
    {
        var (kumasi, kisumu, kisumuProfile) = await TwoPeopleAsync();
        using var a = kumasi;
        using var b = kisumu;
        using var organiser = new TestBrowser(_host);
        await organiser.SignInAsync(DemoEvent.OrganiserEmail);
        await using var context = await chromium.NewContextAsync(_host, kumasi, bypassCsp: true);
        await using var organiserContext = await chromium.NewContextAsync(_host, organiser, bypassCsp: true);

        var matchmaking = _host.Grains.GetGrain<IMatchmakingGrain>(Slug);
        var kumasiEmail = kumasi.Email!;
        var kisumuEmail = kisumu.Email!;
        var slots = (await matchmaking.GetSettingsAsync()).Slots().ToList();
        var booked = await matchmaking.RequestAsync(kisumuEmail, kumasiEmail, "Parking?", [slots[0]]);
        var meeting = await matchmaking.AcceptAsync(kumasiEmail, booked.Id, slots[0]);
        var pending = await matchmaking.RequestAsync(kisumuEmail, kumasiEmail, "Later too?", [slots[1]]);

        var violations = new List<string>();
        foreach (var path in new[] { "profile", "directory", $"directory/{kisumuProfile.PersonId}", "suggestions", "meetings", "meetings/availability", "my-agenda", $"meetings/m/{meeting.Id}", $"meetings/requests/{pending.Id}/propose", $"meetings/requests/{booked.Id}/reschedule" })
        {
            violations.AddRange(await AccessibilityTests.ViolationsAsync(context, _host.BaseAddress, $"/events/{Slug}/{path}"));
        }

        foreach (var path in new[] { "matchmaking", "directory", $"directory/{kisumuProfile.PersonId}" })
        {
            violations.AddRange(await AccessibilityTests.ViolationsAsync(organiserContext, _host.BaseAddress, $"/events/{Slug}/{path}"));
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
