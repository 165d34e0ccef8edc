using System.Text.Json;
using Events.Grains.People;
using Events.Silo;

namespace Events.Web.Tests.Browser;

// axe-core (from npm, like the SignalR client) run in Chromium against every page: no serious or
// critical violations.
public sealed class AccessibilityTests(Chromium chromium, RunHost run) : OnDemoCopy(run)
{

    // The run's server; every test works on its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    private static string AxePath()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "Events.Web", "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("axe-core is missing: building Events.Web runs npm ci, which installs it.");
    }

    private Task<IReadOnlyList<string>> ViolationsAsync(Microsoft.Playwright.IBrowserContext context, string path) => ViolationsAsync(context, _host.BaseAddress, path);

    public static async Task<IReadOnlyList<string>> ViolationsAsync(Microsoft.Playwright.IBrowserContext context, Uri site, string path)
    {
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(new Uri(site, path).ToString());
        Assert.True(response!.Status < 400 || (path.StartsWith("/no/", StringComparison.Ordinal) && response.Status == 404), $"{path} answered {response.Status}");
        await page.AddScriptTagAsync(new() { Path = AxePath() });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)
            """);
        await page.CloseAsync();
        return [.. violations.EnumerateArray().Select(v => $"{path}: {v.GetString()}")];
    }

    [Fact]
    public async Task Public_pages_have_no_serious_or_critical_accessibility_violations()
    {
        await using var context = await chromium.NewContextAsync(_host, bypassCsp: true);
        var violations = new List<string>();
        foreach (var path in new[] { "/", $"/events/{Slug}", "/signin", "/no/such/page", $"/events/{Slug}/qa/s4", $"/events/{Slug}/mixer/s3", $"/events/{Slug}/rooms/s5" })
        {
            violations.AddRange(await ViolationsAsync(context, path));
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public async Task Organiser_pages_have_no_serious_or_critical_accessibility_violations()
    {
        using var organiser = new TestBrowser(_host);
        await organiser.SignInAsync(DemoEvent.OrganiserEmail);
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).CreateInvitationAsync(DemoEvent.OrganiserEmail, new InvitationRequest(EventRole.Investor, null, TimeSpan.FromDays(3), 5));
        var invitation = await _host.Grains.GetGrain<IEventAccessGrain>(Slug).CreateInvitationAsync(DemoEvent.OrganiserEmail, new InvitationRequest(EventRole.Attendee, null, TimeSpan.FromDays(3), 5));
        await using var context = await chromium.NewContextAsync(_host, organiser, bypassCsp: true);
        await using var anonymous = await chromium.NewContextAsync(_host, bypassCsp: true);

        var violations = new List<string>();
        // One pitch open for scoring (the scorecard form) and one released (the feedback and its histograms).
        var room = _host.Grains.GetGrain<Events.Grains.Pitches.IPitchRoomGrain>($"{Slug}/s4");
        await room.ControlAsync(DemoEvent.OrganiserEmail, "bizerte", Events.Grains.Pitches.PitchControl.StartPitch, 8);
        await room.ControlAsync(DemoEvent.OrganiserEmail, "bizerte", Events.Grains.Pitches.PitchControl.OpenScoring, 0);
        await room.SaveScorecardAsync("investor@example.org", "bizerte", new(Enumerable.Range(1, 5).ToDictionary(i => $"c{i}", i => i), "Clear evidence", "", Events.Grains.Pitches.Interest.FollowUp, false), null);
        await room.ControlAsync(DemoEvent.OrganiserEmail, "bizerte", Events.Grains.Pitches.PitchControl.CloseScoring, 0);
        await room.ControlAsync(DemoEvent.OrganiserEmail, "bizerte", Events.Grains.Pitches.PitchControl.ReleaseFeedback, 0);
        await room.ControlAsync(DemoEvent.OrganiserEmail, "kampala", Events.Grains.Pitches.PitchControl.StartPitch, 8);
        await room.ControlAsync(DemoEvent.OrganiserEmail, "kampala", Events.Grains.Pitches.PitchControl.OpenScoring, 0);
        foreach (var path in new[] { $"/events/{Slug}/pitches", $"/events/{Slug}/pitches/kampala", $"/events/{Slug}/pitches/kampala/edit", $"/events/{Slug}/rubric", $"/events/{Slug}/rooms/s4", $"/events/{Slug}/rooms/s4/pitches/kampala", $"/events/{Slug}/rooms/s4/pitches/bizerte", $"/events/{Slug}/leaderboard", $"/events/{Slug}/follow-ups" })
        {
            violations.AddRange(await ViolationsAsync(context, path));
        }

        foreach (var path in new[] { $"/events/{Slug}", $"/events/{Slug}/people", $"/events/{Slug}/audit", "/account", "/account?welcome=true", $"/events/{Slug}/mixer/s3", $"/events/{Slug}/sessions/new", $"/events/{Slug}/sessions/s2/edit", $"/events/{Slug}/qa/s4", $"/events/{Slug}/qa/s4/projector" })
        {
            violations.AddRange(await ViolationsAsync(context, path));
        }

        // Polls: one of each kind, the word cloud live with results shown.
        var polls = _host.Grains.GetGrain<Events.Grains.Polls.IPollsGrain>($"{Slug}/s4");
        foreach (var kind in Enum.GetValues<Events.Grains.Polls.PollKind>())
        {
            await polls.PrepareAsync(DemoEvent.OrganiserEmail, new(kind, $"A {kind} poll?", kind is Events.Grains.Polls.PollKind.SingleChoice or Events.Grains.Polls.PollKind.MultipleChoice or Events.Grains.Polls.PollKind.Ranking ? ["One", "Two", "Three"] : [], false));
        }

        var cloud = (await polls.GetAsync(null, true)).Polls.Single(p => p.Poll.Kind == Events.Grains.Polls.PollKind.WordCloud).Poll;
        await polls.ControlAsync(DemoEvent.OrganiserEmail, cloud.Id, Events.Grains.Polls.PollControl.Launch);
        await polls.ControlAsync(DemoEvent.OrganiserEmail, cloud.Id, Events.Grains.Polls.PollControl.ShowResults);
        await polls.AnswerAsync(new("a@example.org", "A"), cloud.Id, Events.Grains.Polls.PollAnswer.Empty with { Words = ["mobilité", "land"] }, "k");
        foreach (var path in new[] { $"/events/{Slug}/polls/s4", $"/events/{Slug}/polls/s4/projector" })
        {
            violations.AddRange(await ViolationsAsync(context, path));
            violations.AddRange(await ViolationsAsync(anonymous, path));
        }

        // The event's own forms; creating one needs a site organiser. A person of this test's own, so
        // that the run's shared server keeps the demo organiser an organiser of its events only.
        var siteOrganiserEmail = $"site-{Guid.NewGuid():N}@city.example";
        await _host.Grains.GetGrain<ISiteGrain>(ISiteGrain.Key).AddOrganiserAsync(siteOrganiserEmail);
        using var siteOrganiser = new TestBrowser(_host);
        await siteOrganiser.SignInAsync(siteOrganiserEmail);
        await using var siteContext = await chromium.NewContextAsync(_host, siteOrganiser, bypassCsp: true);
        foreach (var path in new[] { $"/events/{Slug}/manage", $"/events/{Slug}/edit", "/events/new" })
        {
            violations.AddRange(await ViolationsAsync(siteContext, path));
        }

        violations.AddRange(await ViolationsAsync(anonymous, $"/invite/{Slug}/{invitation.Token}"));
        var signIn = await anonymous.NewPageAsync();
        await signIn.GotoAsync(new Uri(_host.BaseAddress, "/signin").ToString());
        await signIn.FillAsync("#email", "someone@bizerte.example.org");
        await signIn.ClickAsync("button[type=submit]");
        violations.AddRange(await ViolationsAsync(anonymous, new Uri(signIn.Url).PathAndQuery));

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
