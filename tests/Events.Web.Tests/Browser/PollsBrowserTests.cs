using Events.Grains.People;
using Events.Grains.Polls;
using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

public sealed class PollsBrowserTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{
    private string Path => $"/events/{Slug}/polls/s4";

    // The run's server; every test works on its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    private static Task LiveAsync(IPage page) => page.Locator("#live-status[data-state=live]").WaitForAsync();

    [Fact]
    public async Task A_launched_poll_appears_for_the_audience_an_answer_queued_offline_counts_once_and_the_projector_follows_without_reload()
    {
        using var moderator = new TestBrowser(_host);
        await moderator.SignInAsync(DemoEvent.OrganiserEmail);
        using var attendee = new TestBrowser(_host);
        var email = $"voter-{Guid.NewGuid():N}@niamey.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Attendee, null);
        await attendee.SignInAsync(email);

        await using var cable = new NetworkCut(_host.BaseAddress);
        await using var attendeeContext = await chromium.NewContextAsync(_host, attendee);
        var phone = await attendeeContext.NewPageAsync();
        await phone.GotoAsync(new Uri(cable.Address, Path).ToString());
        await LiveAsync(phone);
        await phone.EvaluateAsync("() => window.sameDocument = true");
        await using var projectorContext = await chromium.NewContextAsync(_host);
        var projector = await projectorContext.NewPageAsync();
        await projector.GotoAsync(new Uri(_host.BaseAddress, $"{Path}/projector").ToString());
        await LiveAsync(projector);
        await projector.EvaluateAsync("() => window.sameDocument = true");

        await using var moderatorContext = await chromium.NewContextAsync(_host, moderator);
        var console = await moderatorContext.NewPageAsync();
        await console.GotoAsync(new Uri(_host.BaseAddress, Path).ToString());
        await console.FillAsync("#question", "Which pilot should we follow up first?");
        await console.SelectOptionAsync("#kind", "SingleChoice");
        await console.FillAsync("#options", "Kampala e-tax\nBizerte land\nKumasi markets");
        await console.ClickAsync("form[action$='/polls/s4'] button[type=submit]");
        await console.ClickAsync("button:has-text('Launch')");
        await console.ClickAsync("button:has-text('Show results')");

        await phone.Locator("#polls form[data-live-form]").WaitForAsync();
        await projector.Locator("#poll-projector [data-poll-results]").WaitForAsync();
        cable.Cut();
        await phone.Locator("#live-status:not([data-state=live])").WaitForAsync();
        await phone.CheckAsync("input[name=choice][value='1']");
        await phone.ClickAsync("#polls form[data-live-form] button[type=submit]");
        await phone.Locator("[data-queue] li.queued").WaitForAsync();
        // The same queued answer twice, as after a crash mid-send.
        await phone.EvaluateAsync("() => { const q = JSON.parse(localStorage.getItem('events.queue')); localStorage.setItem('events.queue', JSON.stringify([...q, ...q])); }");
        cable.Restore();
        await phone.Locator("[data-queue] li").First.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        await projector.Locator("[data-poll-figure='1']", new() { HasText = "1 · 100%" }).WaitForAsync();
        var live = (await _host.Grains.GetGrain<IPollsGrain>($"{Slug}/s4").GetAsync(null, true)).Live!;
        Assert.Equal([0, 1, 0], live.Results!.Counts);
        Assert.True(await phone.EvaluateAsync<bool>("() => window.sameDocument === true"));
        Assert.True(await projector.EvaluateAsync<bool>("() => window.sameDocument === true"));
        Assert.True(await phone.IsCheckedAsync("input[name=choice][value='1']"));
    }
}
