using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Questions;
using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

public sealed class QuestionsBrowserTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{

    // The run's server; every test works on its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    private async Task<string> SessionIdAsync() =>
        (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Sessions.Single(s => s.Title.StartsWith("Pitch room A", StringComparison.Ordinal)).Id;

    [Fact]
    public async Task A_question_asked_through_the_live_form_shows_for_others_and_on_the_projector_once_pinned()
    {
        var session = await SessionIdAsync();
        var page = new Uri(_host.BaseAddress, $"/events/{Slug}/qa/{session}").ToString();
        using var attendee = new TestBrowser(_host);
        var email = $"asker-{Guid.NewGuid():N}@niamey.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Attendee, null);
        await attendee.SignInAsync(email);

        await using var projectorContext = await chromium.NewContextAsync(_host);
        var projector = await projectorContext.NewPageAsync();
        await projector.GotoAsync($"{page}/projector");
        await projector.Locator("#live-status[data-state=live]").WaitForAsync();
        await using var askerContext = await chromium.NewContextAsync(_host, attendee);
        var asker = await askerContext.NewPageAsync();
        await asker.GotoAsync(page);
        await asker.Locator("#live-status[data-state=live]").WaitForAsync();
        await asker.EvaluateAsync("() => window.sameDocument = true");

        await asker.FillAsync("#text", "Does the register work during power cuts?");
        await asker.CheckAsync("input[name=anonymous]");
        await asker.ClickAsync("#ask button[type=submit]");

        await asker.Locator("#questions li", new() { HasText = "Does the register work during power cuts?" }).WaitForAsync();
        Assert.True(await asker.EvaluateAsync<bool>("() => window.sameDocument === true"));
        var stored = (await _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}").ExportAsync()).Questions.Single();
        Assert.True(stored.Anonymous);

        await _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}").ModerateAsync(DemoEvent.OrganiserEmail, stored.Id, ModerationAction.Pin);
        await projector.Locator(".pinned-big", new() { HasText = "Does the register work during power cuts?" }).WaitForAsync();
        Assert.Contains("Anonymous", await projector.Locator(".pinned-big").InnerTextAsync());

        await _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}").VoteAsync("fan@example.org", stored.Id, true);
        await asker.Locator($"[data-votes=\"{stored.Id}\"]", new() { HasText = "1" }).WaitForAsync();
    }

    // On 2G a vote that posts a form pays for a whole page; with script it is one call over the live
    // connection: the button turns at once, the count follows, and the page is never reloaded.
    [Fact]
    public async Task A_vote_with_javascript_goes_over_the_live_connection_and_the_button_turns_without_a_page_load()
    {
        var session = await SessionIdAsync();
        var board = _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}");
        var asked = await board.AskAsync(new Asker("a@example.org", "Awa"), "Who maintains the sensors?", false, Guid.NewGuid().ToString("N"));
        using var attendee = new TestBrowser(_host);
        var email = $"voter-{Guid.NewGuid():N}@niamey.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Attendee, null);
        await attendee.SignInAsync(email);
        await using var context = await chromium.NewContextAsync(_host, attendee);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/qa/{session}").ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();
        await page.EvaluateAsync("() => window.sameDocument = true");
        var posts = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST")
            {
                posts.Add(request.Url);
            }
        };
        var vote = $"#vote-{asked.Id} button";

        await page.ClickAsync(vote);

        await page.Locator(vote + "[aria-pressed=true]", new() { HasText = "Remove my vote" }).WaitForAsync();
        await page.Locator($"[data-votes=\"{asked.Id}\"]", new() { HasText = "1" }).WaitForAsync();
        Assert.Equal(1, (await board.GetAsync(email, false)).Questions.Single(q => q.Id == asked.Id).Votes);

        await page.ClickAsync(vote);
        await page.Locator(vote + "[aria-pressed=false]", new() { HasText = "Upvote" }).WaitForAsync();
        await page.Locator($"[data-votes=\"{asked.Id}\"]", new() { HasText = "0" }).WaitForAsync();
        Assert.Equal(0, (await board.GetAsync(email, false)).Questions.Single(q => q.Id == asked.Id).Votes);
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
        Assert.Empty(posts);
    }
}
