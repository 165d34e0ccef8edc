using Events.Grains.People;
using Events.Grains.Pitches;
using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

public sealed class PitchRoomBrowserTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{
    private string RoomPath => $"/events/{Slug}/rooms/s4";

    // The run's server; every test works on its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    private IPitchRoomGrain Room => _host.Grains.GetGrain<IPitchRoomGrain>($"{Slug}/s4");

    private static Task WaitUntilLiveAsync(IPage page) => page.Locator("#live-status[data-state=live]").WaitForAsync();

    [Fact]
    public async Task An_investor_scores_with_no_signal_the_scorecard_arrives_once_on_reconnection_and_the_room_follows_the_phases_live()
    {
        using var investor = new TestBrowser(_host);
        var email = $"investor-{Guid.NewGuid():N}@fund.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Investor, null);
        await investor.SignInAsync(email);

        await using var attendeeContext = await chromium.NewContextAsync(_host);
        var roomPage = await attendeeContext.NewPageAsync();
        await roomPage.GotoAsync(new Uri(_host.BaseAddress, RoomPath).ToString());
        await WaitUntilLiveAsync(roomPage);

        await Room.ControlAsync("moderator@example.org", "kampala", PitchControl.StartPitch, 8);
        await roomPage.Locator("#pitch-kampala .countdown").WaitForAsync();
        await Room.ControlAsync("moderator@example.org", "kampala", PitchControl.OpenScoring, 0);
        await roomPage.Locator("#pitch-kampala .phase", new() { HasText = "Scoring open" }).WaitForAsync();

        await using var cable = new NetworkCut(_host.BaseAddress);
        await using var investorContext = await chromium.NewContextAsync(_host, investor);
        var page = await investorContext.NewPageAsync();
        await page.GotoAsync(new Uri(cable.Address, $"{RoomPath}/pitches/kampala").ToString());
        await WaitUntilLiveAsync(page);

        cable.Cut();
        await page.Locator("#live-status:not([data-state=live])").WaitForAsync();
        foreach (var (criterion, score) in new[] { ("c1", 4), ("c2", 5), ("c3", 3), ("c4", 4), ("c5", 2) })
        {
            await page.CheckAsync($"input[name=score-{criterion}][value='{score}']");
        }

        await page.FillAsync("#comment", "Scored with no signal: strong evidence");
        await page.CheckAsync("input[name=interest][value=FollowUp]");
        await page.ClickAsync("#score-kampala button[type=submit]");
        await page.Locator("[data-queue] li.queued", new() { HasText = "Scored with no signal" }).WaitForAsync();
        // The same queued item twice, as after a crash mid-send.
        await page.EvaluateAsync("() => { const q = JSON.parse(localStorage.getItem('events.queue')); localStorage.setItem('events.queue', JSON.stringify([...q, ...q])); }");
        Assert.Null(await Room.GetScorecardAsync("kampala", email));

        cable.Restore();
        await page.Locator("[data-queue] li").First.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        var saved = await Room.GetScorecardAsync("kampala", email);
        Assert.NotNull(saved);
        Assert.Equal(("Scored with no signal: strong evidence", Interest.FollowUp), (saved.Comment, saved.Interest));
        Assert.Equal([4, 5, 3, 4, 2], saved.Scores.OrderBy(s => s.Key).Select(s => s.Value));
        Assert.Single(await _host.Grains.GetGrain<IFollowUpsGrain>(Slug).ListAsync());
        // The form still shows what the investor chose, ready for a change of mind.
        Assert.Equal("Scored with no signal: strong evidence", await page.InputValueAsync("#comment"));
        Assert.True(await page.IsCheckedAsync("input[name=score-c2][value='5']"));

        await Room.ControlAsync("moderator@example.org", "kampala", PitchControl.CloseScoring, 0);
        await roomPage.Locator("#pitch-kampala .phase", new() { HasText = "Scoring closed" }).WaitForAsync();
        Assert.DoesNotContain("strong evidence", await roomPage.ContentAsync());
    }
}
