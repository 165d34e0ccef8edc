using Events.Grains.People;
using Events.Grains.Questions;
using Events.Silo;

namespace Events.Web.Tests.Browser;

// Every on/off form works with JavaScript off: the hidden value it posts is the state it asks for.
public sealed class NoScriptToggleTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{

    // The run's server; every test works on its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    [Fact]
    public async Task Approving_questions_first_and_removing_a_vote_work_both_ways_with_javascript_off()
    {
        const string session = "s4";
        var board = _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}");
        using var moderator = new TestBrowser(_host);
        var email = $"moderator-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Moderator, null);
        await moderator.SignInAsync(email);
        var asked = await board.AskAsync(new Asker("asker@example.org", "Asker"), $"Toggle question {Guid.NewGuid():N}", false, Guid.NewGuid().ToString("N"));

        await using var context = await chromium.NewContextAsync(_host, moderator, javaScript: false);
        var page = await context.NewPageAsync();
        var before = (await board.GetAsync(null, true)).PreModerated;
        await page.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/qa/{session}").ToString());

        await page.ClickAsync($"form[action$='/mode'] button");
        await page.WaitForURLAsync($"**/qa/{session}**");
        Assert.NotEqual(before, (await board.GetAsync(null, true)).PreModerated);
        await page.ClickAsync($"form[action$='/mode'] button");
        await page.WaitForURLAsync($"**/qa/{session}**");
        Assert.Equal(before, (await board.GetAsync(null, true)).PreModerated);

        var vote = $"form[action$='/questions/{asked.Id}/vote'] button";
        await page.ClickAsync(vote);
        await page.Locator(vote, new() { HasText = "Remove my vote" }).WaitForAsync();
        Assert.Equal(1, (await board.GetAsync(email, false)).Questions.Single(q => q.Id == asked.Id).Votes);
        await page.ClickAsync(vote);
        await page.Locator(vote, new() { HasText = "Upvote" }).WaitForAsync();
        Assert.Equal(0, (await board.GetAsync(email, false)).Questions.Single(q => q.Id == asked.Id).Votes);
    }
}
