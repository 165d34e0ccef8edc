using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Questions;
using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

public sealed class QuestionsBrowserTests(Chromium chromium) : IAsyncDisposable
{
    private const string Slug = DemoEvent.Slug;

    private readonly EventsHost _host = new(settings: new Dictionary<string, string> { ["RateLimits:SignInRequests"] = "1000" });

    public ValueTask DisposeAsync() => _host.DisposeAsync();

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
}
