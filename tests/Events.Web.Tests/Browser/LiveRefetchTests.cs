using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Events.Grains.Agenda;
using Events.Grains.Questions;
using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

// Deltas that make a region refetch itself (session changes, Q&A, mixer, pitch phases), arriving
// faster than a fetch returns: one refetch in flight per region, and the region on the page keeps
// following the topic afterwards.
public sealed class LiveRefetchTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{
    private string AgendaPath => $"/events/{Slug}";

    private readonly EventsHost _host = run.Host;

    private IAgendaGrain Agenda => _host.Grains.GetGrain<IAgendaGrain>(Slug);

    private async Task<long> DelayFirstSessionAsync()
    {
        var session = (await Agenda.GetAsync())!.Sessions[0];
        await Agenda.ChangeSessionAsync("moderator@example.org", new SessionChange(session.Id, AgendaChangeKind.Delayed, 1));
        return (await Agenda.GetAsync())!.Version;
    }

    private static Task WaitForAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(what, condition);

    // The page's live connection seen from between the page and the server: its region refetches
    // (hub calls to Region, which carry them while the connection is up) counted, held while asked
    // to, and their answers read.
    private sealed class RegionCalls
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, bool> _ids = new();
        private volatile bool _holding;
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public ConcurrentQueue<string> Answers { get; } = new();

        public static async Task<RegionCalls> AttachAsync(IPage page)
        {
            var calls = new RegionCalls();
            await page.RouteWebSocketAsync("**/live?*", socket =>
            {
                var server = socket.ConnectToServer();
                socket.OnMessage(frame => calls.FromPage(frame.Text ?? "", server));
                server.OnMessage(frame =>
                {
                    calls.FromServer(frame.Text ?? "");
                    socket.Send(frame.Text ?? "");
                });
            });
            return calls;
        }

        public void Hold() => _holding = true;

        public void Release() => _released.TrySetResult();

        private static IEnumerable<JsonElement> Messages(string text) =>
            text.Split('\u001e', StringSplitOptions.RemoveEmptyEntries).Select(message => JsonDocument.Parse(message).RootElement);

        private void FromPage(string text, IWebSocketRoute server)
        {
            var regionCalls = Messages(text)
                .Where(m => m.TryGetProperty("target", out var target) && target.GetString() == "Region" && m.TryGetProperty("invocationId", out _))
                .Select(m => m.GetProperty("invocationId").GetString()!)
                .ToList();
            regionCalls.ForEach(id => _ids[id] = true);
            Interlocked.Add(ref _count, regionCalls.Count);
            if (regionCalls.Count > 0 && _holding)
            {
                _ = _released.Task.ContinueWith(_ => server.Send(text), TaskScheduler.Default);
                return;
            }

            server.Send(text);
        }

        private void FromServer(string text)
        {
            foreach (var message in Messages(text))
            {
                if (message.TryGetProperty("invocationId", out var id) && _ids.ContainsKey(id.GetString()!)
                    && message.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.String)
                {
                    Answers.Enqueue(Live.RegionOverHubTests.Inflated(result.GetString()!));
                }
            }
        }
    }

    // Region refetches that went over HTTP (the page fetches there only when the connection cannot).
    private static List<string> HttpRefetches(IPage page)
    {
        var urls = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/sessions", StringComparison.Ordinal) || request.Url.EndsWith("/live", StringComparison.Ordinal) || request.Url.Contains("/live?", StringComparison.Ordinal))
            {
                urls.Add(request.Url);
            }
        };
        return urls;
    }

    private static Task<long> SeqOnPageAsync(IPage page) =>
        page.EvaluateAsync<long>("() => document.querySelectorAll('#agenda').length === 1 ? Number(document.querySelector('#agenda').dataset.seq) : -1");

    private async Task ThreeChangesMakeOneRefetchAndTheRegionKeepsFollowingAsync(IPage page, RegionCalls held, Func<Task<long>> threeChanges)
    {
        held.Hold();
        var third = await threeChanges();

        // All three deltas have reached the page (each moves the region's sequence on) while the
        // first refetch is still held: no second request has gone out meanwhile.
        await WaitForAsync(async () => held.Count >= 1 && await page.EvaluateAsync<long>("() => Number(document.querySelector('#agenda').dataset.seq)") == third, "The deltas did not reach the page.");
        Assert.Equal(1, held.Count);

        held.Release();
        await WaitForAsync(async () => await SeqOnPageAsync(page) == third, "The region on the page did not show the third change.");
        Assert.True(held.Count <= 2, $"{held.Count} refetches for three deltas");

        // The region on the page (not a detached copy) still follows the topic.
        var fourth = await DelayFirstSessionAsync();
        await WaitForAsync(async () => await SeqOnPageAsync(page) == fourth, "The region froze: a later change never showed.");
    }

    [Fact]
    public async Task Three_refetch_deltas_back_to_back_make_one_refetch_in_flight_and_the_region_keeps_following()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var held = await RegionCalls.AttachAsync(page);
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();

        await ThreeChangesMakeOneRefetchAndTheRegionKeepsFollowingAsync(page, held, async () =>
        {
            await DelayFirstSessionAsync();
            await DelayFirstSessionAsync();
            return await DelayFirstSessionAsync();
        });
    }

    [Fact]
    public async Task Three_changes_missed_during_a_cut_make_one_refetch_after_the_reconnect_and_the_region_keeps_following()
    {
        await using var cable = new NetworkCut(_host.BaseAddress);
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var held = await RegionCalls.AttachAsync(page);
        await page.GotoAsync(new Uri(cable.Address, AgendaPath).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();

        await ThreeChangesMakeOneRefetchAndTheRegionKeepsFollowingAsync(page, held, async () =>
        {
            cable.Cut();
            await page.Locator("#live-status:not([data-state=live])").WaitForAsync();
            await DelayFirstSessionAsync();
            await DelayFirstSessionAsync();
            var third = await DelayFirstSessionAsync();
            cable.Restore();
            return third;
        });
    }

    // The page names the rendering it shows; the server sends the other sessions as placeholders,
    // which the page fills with what it has: every session still reads in full.
    [Fact]
    public async Task A_session_change_fetches_that_session_alone_and_the_page_still_shows_every_session_in_full()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var calls = await RegionCalls.AttachAsync(page);
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();
        var overHttp = HttpRefetches(page);
        var agenda = (await Agenda.GetAsync())!;
        var titles = await page.Locator("#agenda ol.sessions > li h3").AllInnerTextsAsync();
        var changed = agenda.Sessions[2];

        await Agenda.ChangeSessionAsync("moderator@example.org", new SessionChange(changed.Id, AgendaChangeKind.Delayed, 25));
        var moved = changed.Start.AddMinutes(25).ToString("O", System.Globalization.CultureInfo.InvariantCulture)[..16];
        await WaitForAsync(async () => (await page.Locator($"[id='{changed.Id}'] .when time").First.GetAttributeAsync("datetime"))?.StartsWith(moved, StringComparison.Ordinal) == true, "The delay never showed.");

        Assert.Equal(titles, await page.Locator("#agenda ol.sessions > li h3").AllInnerTextsAsync());
        Assert.Equal(0, await page.Locator("[data-keep]").CountAsync());
        Assert.Equal(agenda.Changes.Length + 1, await page.Locator("#agenda ol.changes > li").CountAsync());
        await WaitForAsync(() => Task.FromResult(!calls.Answers.IsEmpty), "The refetch's answer was never read.");
        var partial = Assert.Single(calls.Answers);
        Assert.Empty(overHttp);
        Assert.Equal(agenda.Sessions.Length - 1, Regex.Matches(partial, "<li id=\"[^\"]+\" data-keep>").Count - agenda.Changes.Length);
    }

    [Fact]
    public async Task A_new_question_fetches_that_question_alone_and_the_board_still_shows_every_question()
    {
        var session = (await Agenda.GetAsync())!.Sessions.First(s => s.Kind == SessionKind.PitchRoom).Id;
        var board = _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}");
        await board.AskAsync(new Asker("a@example.org", "Awa"), "Who pays for the sensors?", false, Guid.NewGuid().ToString("N"));
        await board.AskAsync(new Asker("b@example.org", "Bruno"), "Is the data open?", false, Guid.NewGuid().ToString("N"));
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var calls = await RegionCalls.AttachAsync(page);
        await page.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/qa/{session}").ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();
        var overHttp = HttpRefetches(page);

        await board.AskAsync(new Asker("c@example.org", "Chidi"), "How many districts?", false, Guid.NewGuid().ToString("N"));
        await WaitForAsync(async () => await page.Locator("#questions li.question").CountAsync() == 3, "The new question never showed.");

        var texts = string.Join("|", await page.Locator("#questions li.question .text").AllInnerTextsAsync());
        Assert.Contains("Who pays for the sensors?", texts);
        Assert.Contains("Is the data open?", texts);
        Assert.Contains("How many districts?", texts);
        await WaitForAsync(() => Task.FromResult(!calls.Answers.IsEmpty), "The refetch's answer was never read.");
        var partial = Assert.Single(calls.Answers);
        Assert.Empty(overHttp);
        Assert.Equal(2, Regex.Matches(partial, "data-keep").Count);
    }

    // Tabs share one live connection, opened by the first tab with the cookies it had then. A tab
    // switched to French afterwards must not have its agenda replaced by the connection's English
    // rendering: the page sees another view in the answer and fetches its own over HTTP.
    [Fact]
    public async Task A_tab_whose_language_changed_after_the_shared_connection_opened_keeps_its_language_after_a_change()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var english = await context.NewPageAsync();
        await english.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await english.Locator("#live-status[data-state=live]").WaitForAsync();
        var french = await context.NewPageAsync();
        await french.GotoAsync(new Uri(_host.BaseAddress, $"/language/fr?returnUrl={Uri.EscapeDataString(AgendaPath)}").ToString());
        await french.Locator("#live-status[data-state=live]").WaitForAsync();
        Assert.Equal("fr", await french.EvaluateAsync<string>("() => document.documentElement.lang"));
        // Which tab holds the connection is not the test's to choose: a tab that hears no leader
        // within 3 s takes the connection over, which on a loaded machine the French tab sometimes
        // does, with its French cookies. Then the English tab is the one that fetches over HTTP.
        var overHttp = HttpRefetches(french);
        var englishOverHttp = HttpRefetches(english);

        var seq = await DelayFirstSessionAsync();
        await WaitForAsync(async () => await SeqOnPageAsync(french) == seq && await SeqOnPageAsync(english) == seq, "The change never showed on both tabs.");

        var lastLine = "() => [...document.querySelectorAll('#agenda ol.changes > li')].at(-1)?.innerText ?? ''";
        var fresh = await context.NewPageAsync();
        await fresh.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        Assert.Equal("fr", await fresh.EvaluateAsync<string>("() => document.documentElement.lang"));
        Assert.Equal(await fresh.EvaluateAsync<string>(lastLine), await french.EvaluateAsync<string>(lastLine));
        Assert.NotEqual(await english.EvaluateAsync<string>(lastLine), await french.EvaluateAsync<string>(lastLine));
        Assert.NotEmpty(overHttp.Concat(englishOverHttp));
    }
}
