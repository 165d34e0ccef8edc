using System.Collections.Concurrent;
using System.Text.Json;
using Events.Grains.Agenda;
using Events.Grains.Mixer;
using Events.Grains.People;
using Events.Grains.Pitches;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

// The moderator's consoles (a Global Mixer slot's and a pitch room's): with script a button is one
// call over the live connection and the region follows the delta, with no page loaded; without
// script the same button posts its form and the page after the redirect shows the new state.
public sealed class ConsoleBrowserTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{
    private const string Room = "s4";

    private readonly EventsHost _host = run.Host;

    private IPitchRoomGrain PitchRoom => _host.Grains.GetGrain<IPitchRoomGrain>($"{Slug}/{Room}");

    private async Task<string> MixerSessionIdAsync() =>
        (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Sessions.Single(s => s.Kind == SessionKind.GlobalMixer).Id;

    // A mixer slot with two accepted interventions, not started.
    private async Task<(string Path, IMixerSlotGrain Slot)> MixerAsync()
    {
        var session = await MixerSessionIdAsync();
        var slot = _host.Grains.GetGrain<IMixerSlotGrain>($"{Slug}/{session}");
        foreach (var city in new[] { "Kampala", "Bizerte" })
        {
            await slot.AcceptAsync("m@example.org", (await slot.ProposeAsync("p@example.org", new ProposeIntervention("Speaker", city, $"{city} pilot", "", 8))).Id);
        }

        return ($"/events/{Slug}/mixer/{session}", slot);
    }

    private async Task<IBrowserContext> ModeratorAsync(bool javaScript)
    {
        using var moderator = new TestBrowser(_host);
        var email = $"moderator-{Guid.NewGuid():N}@kumasi.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Moderator, null);
        await moderator.SignInAsync(email);
        return await chromium.NewContextAsync(_host, moderator, javaScript);
    }

    private async Task OpenLiveAsync(IPage page, string path)
    {
        await page.GotoAsync(new Uri(_host.BaseAddress, path).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();
        await page.EvaluateAsync("() => window.sameDocument = true");
    }

    private static List<string> Posts(IPage page)
    {
        var posts = new List<string>();
        page.Request += (_, request) =>
        {
            // The live connection's own negotiation aside (a reconnection would post one).
            if (request.Method == "POST" && !request.Url.Contains("/live/negotiate", StringComparison.Ordinal))
            {
                posts.Add(request.Url);
            }
        };
        return posts;
    }

    // The hub invocations the page sends, read between the page and the server.
    private static async Task<ConcurrentQueue<(string Target, JsonElement[] Arguments)>> HubCallsAsync(IPage page)
    {
        var calls = new ConcurrentQueue<(string, JsonElement[])>();
        await page.RouteWebSocketAsync("**/live?*", socket =>
        {
            var server = socket.ConnectToServer();
            socket.OnMessage(frame =>
            {
                foreach (var message in (frame.Text ?? "").Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
                {
                    using var json = JsonDocument.Parse(message);
                    if (json.RootElement.TryGetProperty("target", out var target) && json.RootElement.TryGetProperty("arguments", out var arguments))
                    {
                        calls.Enqueue((target.GetString()!, [.. arguments.EnumerateArray().Select(a => a.Clone())]));
                    }
                }

                server.Send(frame.Text ?? "");
            });
            server.OnMessage(frame => socket.Send(frame.Text ?? ""));
        });
        return calls;
    }

    private static string[] Controls(IEnumerable<(string Target, JsonElement[] Arguments)> calls, string method) =>
        [.. calls.Where(c => c.Target == method).Select(c => c.Arguments[^2].ToString())];

    [Fact]
    public async Task With_javascript_a_mixer_control_is_one_hub_call_the_console_follows_without_a_page_load_and_a_refusal_is_worded()
    {
        var (path, slot) = await MixerAsync();
        await using var context = await ModeratorAsync(javaScript: true);
        var page = await context.NewPageAsync();
        var calls = await HubCallsAsync(page);
        await OpenLiveAsync(page, path);
        var posts = Posts(page);

        await page.ClickAsync("#control-StartSlot button");
        await page.Locator("#mixer .speaking h2", new() { HasText = "Kampala pilot" }).WaitForAsync();
        await page.ClickAsync("#control-Next button");
        await page.Locator("#mixer .speaking h2", new() { HasText = "Bizerte pilot" }).WaitForAsync();
        await page.ClickAsync("#control-End button");
        await page.Locator("#mixer .phase", new() { HasText = "over" }).WaitForAsync();
        await page.ClickAsync("#control-Next button");
        var refusal = page.Locator(".console [data-queue] li.error");
        await refusal.WaitForAsync();

        Assert.Equal("Not sent ('Next intervention' cannot be done now: the slot is over.): Next intervention", await refusal.InnerTextAsync());
        Assert.Equal(["StartSlot", "Next", "End", "Next"], Controls(calls, "ControlMixer"));
        // Each press under a key of its own, so that a resend after a lost answer moves on once.
        Assert.Equal(4, calls.Where(c => c.Target == "ControlMixer").Select(c => c.Arguments[^1].GetString()).Distinct().Count());
        Assert.Equal(MixerPhase.Ended, (await slot.GetAsync()).Now.Phase);
        Assert.Empty(posts);
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
    }

    [Fact]
    public async Task Without_javascript_a_mixer_control_posts_and_the_page_after_it_shows_the_new_state_or_the_refusal()
    {
        var (path, slot) = await MixerAsync();
        await using var context = await ModeratorAsync(javaScript: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, path).ToString());
        var posts = Posts(page);

        await page.ClickAsync("#control-StartSlot button");
        await page.Locator("#mixer .speaking h2", new() { HasText = "Kampala pilot" }).WaitForAsync();
        await page.ClickAsync("#control-Resume button");
        await page.Locator("#console ~ p.error[role=alert]").WaitForAsync();

        Assert.Equal("'Resume' cannot be done now: the slot is running.", await page.Locator("#console ~ p.error[role=alert]").InnerTextAsync());
        Assert.Equal(2, posts.Count(p => p.EndsWith($"{path}/control", StringComparison.Ordinal)));
        Assert.Equal(MixerPhase.Running, (await slot.GetAsync()).Now.Phase);
    }

    [Fact]
    public async Task With_javascript_a_pitch_room_control_is_one_hub_call_and_the_room_follows_without_a_page_load()
    {
        await using var context = await ModeratorAsync(javaScript: true);
        var page = await context.NewPageAsync();
        var calls = await HubCallsAsync(page);
        await OpenLiveAsync(page, $"/events/{Slug}/rooms/{Room}");
        var posts = Posts(page);

        await page.FillAsync("#minutes-kampala", "8");
        await page.ClickAsync("#control-kampala button");
        await page.Locator("#pitch-kampala .countdown").WaitForAsync();
        await page.ClickAsync("#open-scoring-kampala button");
        await page.Locator("#pitch-kampala .phase", new() { HasText = "Scoring open" }).WaitForAsync();

        var started = calls.First(c => c.Target == "ControlPitchRoom");
        Assert.Equal([Slug, Room, "kampala", "StartPitch", "8"], started.Arguments[..5].Select(a => a.ToString()));
        Assert.Equal(["StartPitch", "OpenScoring"], calls.Where(c => c.Target == "ControlPitchRoom").Select(c => c.Arguments[3].GetString()));
        var pitch = (await PitchRoom.GetAsync()).Pitches.Single(p => p.Team == "kampala");
        Assert.Equal((PitchPhase.ScoringOpen, 8), (pitch.Phase, pitch.Minutes));
        Assert.Empty(posts);
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
    }

    [Fact]
    public async Task Without_javascript_a_pitch_room_control_posts_and_the_page_after_it_shows_the_new_phase()
    {
        await using var context = await ModeratorAsync(javaScript: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, $"/events/{Slug}/rooms/{Room}").ToString());
        var posts = Posts(page);

        await page.FillAsync("#minutes-kampala", "8");
        await page.ClickAsync("#control-kampala button");
        await page.Locator("#pitch-kampala .countdown").WaitForAsync();

        Assert.Single(posts, p => p.EndsWith($"/rooms/{Room}/pitches/kampala/control", StringComparison.Ordinal));
        var pitch = (await PitchRoom.GetAsync()).Pitches.Single(p => p.Team == "kampala");
        Assert.Equal((PitchPhase.Pitching, 8), (pitch.Phase, pitch.Minutes));
    }
}
