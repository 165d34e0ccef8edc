using System.Text.RegularExpressions;
using Events.Grains.Agenda;
using Events.Grains.Questions;
using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

// Deltas that make a region refetch itself (session changes, Q&A, mixer, pitch phases), arriving
// faster than a fetch returns: one refetch in flight per region, and the region on the page keeps
// following the topic afterwards.
public sealed class LiveRefetchTests(Chromium chromium, SharedHost shared) : DemoCopyTests<SharedHost>(shared)
{
    private string AgendaPath => $"/events/{Slug}";

    private readonly EventsHost _host = shared.Host;

    private IAgendaGrain Agenda => _host.Grains.GetGrain<IAgendaGrain>(Slug);

    private async Task<long> DelayFirstSessionAsync()
    {
        var session = (await Agenda.GetAsync())!.Sessions[0];
        await Agenda.ChangeSessionAsync("moderator@example.org", new SessionChange(session.Id, AgendaChangeKind.Delayed, 1));
        return (await Agenda.GetAsync())!.Version;
    }

    private static Task WaitForAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(what, condition);

    // Holds the region's refetches until released, counting them.
    private sealed class HeldRefetches
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public static async Task<HeldRefetches> AttachAsync(IPage page, string slug)
        {
            var held = new HeldRefetches();
            await page.RouteAsync(new Regex($"/events/{slug}/sessions(\\?.*)?$"), async route =>
            {
                Interlocked.Increment(ref held._count);
                await held._released.Task;
                await route.ContinueAsync();
            });
            return held;
        }

        public void Release() => _released.TrySetResult();
    }

    private static Task<long> SeqOnPageAsync(IPage page) =>
        page.EvaluateAsync<long>("() => document.querySelectorAll('#agenda').length === 1 ? Number(document.querySelector('#agenda').dataset.seq) : -1");

    private async Task ThreeChangesMakeOneRefetchAndTheRegionKeepsFollowingAsync(IPage page, HeldRefetches held, Func<Task<long>> threeChanges)
    {
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
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();
        var held = await HeldRefetches.AttachAsync(page, Slug);

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
        await page.GotoAsync(new Uri(cable.Address, AgendaPath).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();
        var held = await HeldRefetches.AttachAsync(page, Slug);

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

    // The answers to refetches that named the rendering the page shows.
    private static List<string> PartialRefetches(IPage page)
    {
        var answers = new List<string>();
        page.Response += async (_, response) =>
        {
            if (response.Url.Contains("since=", StringComparison.Ordinal))
            {
                answers.Add(await response.TextAsync());
            }
        };
        return answers;
    }

    // The page names the rendering it shows; the server sends the other sessions as placeholders,
    // which the page fills with what it has: every session still reads in full.
    [Fact]
    public async Task A_session_change_fetches_that_session_alone_and_the_page_still_shows_every_session_in_full()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var refetched = PartialRefetches(page);
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();
        var agenda = (await Agenda.GetAsync())!;
        var titles = await page.Locator("#agenda ol.sessions > li h3").AllInnerTextsAsync();
        var changed = agenda.Sessions[2];

        await Agenda.ChangeSessionAsync("moderator@example.org", new SessionChange(changed.Id, AgendaChangeKind.Delayed, 25));
        var moved = changed.Start.AddMinutes(25).ToString("O", System.Globalization.CultureInfo.InvariantCulture)[..16];
        await WaitForAsync(async () => (await page.Locator($"[id='{changed.Id}'] .when time").First.GetAttributeAsync("datetime"))?.StartsWith(moved, StringComparison.Ordinal) == true, "The delay never showed.");

        Assert.Equal(titles, await page.Locator("#agenda ol.sessions > li h3").AllInnerTextsAsync());
        Assert.Equal(0, await page.Locator("[data-keep]").CountAsync());
        Assert.Equal(agenda.Changes.Length + 1, await page.Locator("#agenda ol.changes > li").CountAsync());
        await WaitForAsync(() => Task.FromResult(refetched.Count > 0), "The refetch's answer was never read.");
        var partial = Assert.Single(refetched);
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
        var refetched = PartialRefetches(page);
        await page.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/qa/{session}").ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();

        await board.AskAsync(new Asker("c@example.org", "Chidi"), "How many districts?", false, Guid.NewGuid().ToString("N"));
        await WaitForAsync(async () => await page.Locator("#questions li.question").CountAsync() == 3, "The new question never showed.");

        var texts = string.Join("|", await page.Locator("#questions li.question .text").AllInnerTextsAsync());
        Assert.Contains("Who pays for the sensors?", texts);
        Assert.Contains("Is the data open?", texts);
        Assert.Contains("How many districts?", texts);
        await WaitForAsync(() => Task.FromResult(refetched.Count > 0), "The refetch's answer was never read.");
        var partial = Assert.Single(refetched);
        Assert.Equal(2, Regex.Matches(partial, "data-keep").Count);
    }
}
