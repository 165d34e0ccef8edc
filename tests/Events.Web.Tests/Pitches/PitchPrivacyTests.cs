using System.Net;
using Events.Grains.People;
using Events.Grains.Pitches;
using Events.Silo;
using Events.Web.Tests.Live;

namespace Events.Web.Tests.Pitches;

// Who sees which scores, on every page, export and hub message that could carry them. Each check
// asserts what must be absent (other investors' scores, notes and names), not only what is present.
public sealed class PitchPrivacyTests(RunHost run) : OnDemoCopy(run)
{
    private const string Room = "s4";
    private const string Team = "kampala";
    private string PitchPage => $"/events/{Slug}/rooms/{Room}/pitches/{Team}";

    // The run's server; every test works on its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IPitchRoomGrain RoomGrain => _host.Grains.GetGrain<IPitchRoomGrain>($"{Slug}/{Room}");

    private async Task<TestBrowser> AsAsync(EventRole role, string name, string? team = null)
    {
        var browser = new TestBrowser(_host);
        var email = $"{name.Split(' ')[0].ToLowerInvariant()}-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, role, team);
        await browser.SignInAsync(email);
        await browser.GetPageAsync("/account");
        using var saved = await browser.PostFormAsync("/account", ("displayName", name), ("organisation", name + " Fund"), ("country", ""), ("language", "en"));
        return browser;
    }

    private static (string Name, string Value)[] Scorecard(int score, string comment, string note, string interest = "Interested") =>
    [
        .. Enumerable.Range(1, 5).Select(i => ($"score-c{i}", score.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        ("comment", comment), ("note", note), ("interest", interest), ("idempotencyKey", Guid.NewGuid().ToString("N")),
    ];

    private static async Task<string> TextOf(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));

    private static void Absent(string html, string where, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.False(html.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{where} shows '{secret}'");
        }
    }

    [Fact]
    public async Task Each_role_sees_exactly_its_share_of_the_scores_on_pages_exports_and_hub_messages()
    {
        using var moderator = await AsAsync(EventRole.Moderator, "Mona Moderator");
        using var amara = await AsAsync(EventRole.Investor, "Amara Okafor");
        using var bola = await AsAsync(EventRole.Investor, "Bola Adeyemi");
        using var team = await AsAsync(EventRole.Presenter, "Joseph Okello", "Kampala");
        using var attendee = await AsAsync(EventRole.Attendee, "Ade Attendee");
        using var organiser = await AsAsync(EventRole.Organiser, "Olu Organiser");
        using var anonymous = new TestBrowser(_host);

        // An attendee follows the room and its Q&A board over a real WebSocket for the whole run.
        await using var watcher = await LiveClient.ConnectAsync(_host, attendee);
        await watcher.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"pitch:{Slug}/{Room}", after = 0 }, new { topic = $"qa:{Slug}/{Room}", after = 0 } } });

        await moderator.GetPageAsync($"/events/{Slug}/rooms/{Room}");
        using var started = await moderator.PostFormAsync($"/events/{Slug}/rooms/{Room}/pitches/{Team}/control", ("control", "StartPitch"), ("minutes", "8"));
        using var opened = await moderator.PostFormAsync($"/events/{Slug}/rooms/{Room}/pitches/{Team}/control", ("control", "OpenScoring"));
        Assert.Equal(HttpStatusCode.Found, opened.StatusCode);

        await amara.GetPageAsync(PitchPage);
        using var amaraSaved = await amara.PostFormAsync($"{PitchPage}/scorecard", Scorecard(4, "Amara-comment: strong evidence", "Amara-note: call my partner"));
        Assert.Equal(HttpStatusCode.Found, amaraSaved.StatusCode);
        // Bola scores through the hub, as the offline-safe input does.
        await using (var bolaHub = await LiveClient.ConnectAsync(_host, bola))
        {
            await bolaHub.InvokeAsync("ScorePitch", Slug, Room, Team, Enumerable.Range(1, 5).ToDictionary(i => $"c{i}", _ => "2"), "Bola-comment: budget unclear", "Bola-note: too early for us", "Pass", false, "bola-key-1");
        }

        var amaraSecrets = new[] { "Amara-comment", "Amara-note", amara.Email!, "Amara Okafor" };
        var bolaSecrets = new[] { "Bola-comment", "Bola-note", bola.Email!, "Bola Adeyemi" };
        var notes = new[] { "Amara-note", "Bola-note" };

        var amaraView = await amara.GetPageAsync(PitchPage);
        Assert.Contains("Amara-comment: strong evidence", WebUtility.HtmlDecode(amaraView));
        Absent(WebUtility.HtmlDecode(amaraView), "Amara's pitch page", [.. bolaSecrets, "Weighted total"]);
        var bolaView = WebUtility.HtmlDecode(await bola.GetPageAsync(PitchPage));
        Assert.Contains("Bola-note: too early for us", bolaView);
        Absent(bolaView, "Bola's pitch page", [.. amaraSecrets, "Weighted total"]);

        foreach (var (who, browser) in new[] { ("attendee", attendee), ("team", team) })
        {
            var html = WebUtility.HtmlDecode(await browser.GetPageAsync(PitchPage));
            Absent(html, $"the {who}'s pitch page before release", [.. amaraSecrets, .. bolaSecrets, "Weighted total"]);
        }

        foreach (var path in new[] { $"/events/{Slug}/rooms/{Room}", $"/events/{Slug}/rooms/{Room}/live", $"/events/{Slug}/follow-ups", $"/events/{Slug}/pitches/{Team}" })
        {
            foreach (var (who, browser) in new[] { ("anonymous", anonymous), ("attendee", attendee), ("team", team), ("amara", amara), ("bola", bola) })
            {
                using var response = await browser.GetAsync(path);
                var html = await TextOf(response);
                var own = who == "amara" ? amaraSecrets : who == "bola" ? bolaSecrets : [];
                Absent(html, $"{path} for {who}", [.. amaraSecrets.Concat(bolaSecrets).Except(own)]);
            }
        }

        var moderatorView = WebUtility.HtmlDecode(await moderator.GetPageAsync(PitchPage));
        Assert.Contains(amara.Email!, moderatorView);
        Assert.Contains(bola.Email!, moderatorView);
        Assert.Contains("Bola-note: too early for us", moderatorView);
        var export = await organiser.GetPageAsync($"/events/{Slug}/scores.csv");
        Assert.Contains(amara.Email!, export);
        Assert.Contains("\"Bola-note: too early for us\"", export);

        await moderator.GetPageAsync($"/events/{Slug}/rooms/{Room}");
        using var closed = await moderator.PostFormAsync($"/events/{Slug}/rooms/{Room}/pitches/{Team}/control", ("control", "CloseScoring"));
        using var released = await moderator.PostFormAsync($"/events/{Slug}/rooms/{Room}/pitches/{Team}/control", ("control", "ReleaseFeedback"));
        Assert.Equal(HttpStatusCode.Found, released.StatusCode);

        // Released: the team reads the aggregates and both comments, and nothing says whose they are.
        var feedback = WebUtility.HtmlDecode(await team.GetPageAsync(PitchPage));
        Assert.Contains("Amara-comment: strong evidence", feedback);
        Assert.Contains("Bola-comment: budget unclear", feedback);
        Assert.Contains("Weighted total: 3 out of 5", feedback);
        Assert.Contains("<svg", feedback);
        Absent(feedback, "the team's released feedback", amara.Email!, bola.Email!, "Amara Okafor", "Bola Adeyemi", "Amara Okafor Fund", amara.Email!.Split('@')[0], bola.Email!.Split('@')[0], "Amara-note", "Bola-note");
        var releaseMail = await _host.MailToAsync(team.Email!, "Kampala: your pitch feedback is ready");
        Assert.Contains(PitchPage, releaseMail.Body);
        Absent(releaseMail.Body, "the release mail", [.. amaraSecrets, .. bolaSecrets]);
        // Released to the team, not to everyone.
        Absent(WebUtility.HtmlDecode(await attendee.GetPageAsync(PitchPage)), "the attendee's page after release", "Amara-comment", "Weighted total");
        Absent(WebUtility.HtmlDecode(await amara.GetPageAsync(PitchPage)), "Amara's page after release", [.. bolaSecrets, "Weighted total"]);

        var leaderboard = WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/leaderboard"));
        Assert.Matches(@"Kampala</a></td>\s*<td>Pitch room A[^<]*</td>\s*<td>Scoring closed · feedback released</td>\s*<td>2</td>\s*<td>3.00</td>", leaderboard);

        // No hub frame the attendee received names an investor or carries a comment or note.
        Absent(watcher.ReceivedText, "the attendee's hub frames", [.. amaraSecrets, .. bolaSecrets, "score", "interest"]);
        Assert.Contains("ReleaseFeedback", watcher.ReceivedText);
    }
}
