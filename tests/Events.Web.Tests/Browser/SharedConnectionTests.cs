using Events.Grains.Announcements;
using Events.Grains.Questions;
using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

// Two tabs of one browser (the agenda and a Q&A board) share one live connection: on 2G each
// connection's pings cost bytes every minute. When the tab that holds it closes, the other connects.
public sealed class SharedConnectionTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{
    private const string Session = "s2";

    // The run's server; every test works on its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    private Task AskAsync(string text) =>
        _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{Session}").AskAsync(new Asker("asker@example.org", "Asker"), text, false, Guid.NewGuid().ToString("N"));

    private static Task WaitUntilLiveAsync(IPage page) => page.Locator("#live-status[data-state=live]").WaitForAsync();

    [Fact]
    public async Task Two_tabs_follow_their_own_regions_over_one_connection_and_the_second_connects_when_the_first_closes()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var sockets = new List<string>();
        context.Page += (_, page) => page.WebSocket += (_, socket) => { lock (sockets) { sockets.Add(socket.Url); } };
        var agenda = await context.NewPageAsync();
        await agenda.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}?transport=websockets").ToString());
        await WaitUntilLiveAsync(agenda);
        var board = await context.NewPageAsync();
        await board.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/qa/{Session}?transport=websockets").ToString());
        await WaitUntilLiveAsync(board);

        await _host.Grains.GetGrain<IAnnouncementsGrain>(Slug).PostAsync(DemoEvent.OrganiserEmail, new PostAnnouncement("Lunch in hall C", null, Guid.NewGuid().ToString("N")));
        await AskAsync("Who maintains the sensors after the pilot?");

        await agenda.Locator("#announcements li", new() { HasText = "Lunch in hall C" }).WaitForAsync();
        await board.Locator("li.question", new() { HasText = "Who maintains the sensors" }).WaitForAsync();
        lock (sockets)
        {
            Assert.Single(sockets);
        }

        await agenda.CloseAsync();
        await AskAsync("Is the data open to other cities?");

        await board.Locator("li.question", new() { HasText = "Is the data open to other cities?" }).WaitForAsync();
        await WaitUntilLiveAsync(board);
        lock (sockets)
        {
            Assert.Equal(2, sockets.Count);
        }
    }
}
