using System.Net;
using Events.Grains.Agenda;
using Events.Silo;

namespace Events.Web.Tests.Agenda;

public sealed class SessionFormTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<TestBrowser> OrganiserAsync()
    {
        var organiser = new TestBrowser(_host);
        await organiser.SignInAsync(DemoEvent.OrganiserEmail);
        return organiser;
    }

    [Fact]
    public async Task An_organiser_adds_a_session_with_a_low_bandwidth_alternative_and_it_shows_in_event_time()
    {
        using var organiser = await OrganiserAsync();
        await organiser.GetPageAsync($"/events/{Slug}/sessions/new");

        using var created = await organiser.PostFormAsync($"/events/{Slug}/sessions",
            ("title", "E-tax for market traders: a walk-through"), ("kind", "Talk"), ("date", "2026-12-03"), ("start", "14:00"), ("end", "14:20"),
            ("abstract", "How **Kumasi** collects market fees by mobile money."), ("speakers", "Kwame Mensah, Kumasi\nAma Owusu"),
            ("stream", "https://stream.example.org/etax"), ("audio", "https://audio.example.org/etax.mp3"), ("slides", ""));

        Assert.Equal(HttpStatusCode.Found, created.StatusCode);
        var session = (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Sessions.Single(s => s.Title.StartsWith("E-tax", StringComparison.Ordinal));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 13, 0, 0, TimeSpan.Zero), session.Start);
        Assert.Equal([new Speaker("Kwame Mensah", "Kumasi"), new Speaker("Ama Owusu", "")], session.Speakers);
        var page = await new TestBrowser(_host).GetPageAsync($"/events/{Slug}");
        Assert.Contains(">14:00</time>–<time", page);
        Assert.Contains("<a href=\"https://audio.example.org/etax.mp3\" rel=\"noopener\">Audio only</a>", page);
        Assert.Contains("<strong>Kumasi</strong>", page);
    }

    [Fact]
    public async Task Editing_a_session_raises_its_calendar_sequence_and_bad_links_or_times_are_refused_with_the_typed_text_kept()
    {
        using var organiser = await OrganiserAsync();
        var room = (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Sessions.Single(s => s.Title.StartsWith("Pitch room B", StringComparison.Ordinal));
        var form = await organiser.GetPageAsync($"/events/{Slug}/sessions/{room.Id}/edit");
        Assert.Contains("value=\"11:30\"", form);

        using var badLink = await organiser.PostFormAsync($"/events/{Slug}/sessions/{room.Id}/edit",
            ("title", "Pitch room B: revenue, land and addresses"), ("kind", "PitchRoom"), ("date", "2026-12-03"), ("start", "11:30"), ("end", "12:30"),
            ("abstract", room.AbstractMarkdown), ("speakers", ""), ("stream", "javascript:alert(1)"), ("audio", ""), ("slides", ""));
        using var backwards = await organiser.PostFormAsync($"/events/{Slug}/sessions/{room.Id}/edit",
            ("title", "Pitch room B"), ("kind", "PitchRoom"), ("date", "2026-12-03"), ("start", "12:30"), ("end", "11:30"),
            ("abstract", ""), ("speakers", ""), ("stream", ""), ("audio", ""), ("slides", ""));
        using var saved = await organiser.PostFormAsync($"/events/{Slug}/sessions/{room.Id}/edit",
            ("title", "Pitch room B: revenue, land and addresses"), ("kind", "PitchRoom"), ("date", "2026-12-03"), ("start", "11:45"), ("end", "12:45"),
            ("abstract", room.AbstractMarkdown), ("speakers", "Kwame Mensah, Kumasi"), ("stream", ""), ("audio", ""), ("slides", "https://example.org/slides.pdf"));

        Assert.Equal(HttpStatusCode.BadRequest, badLink.StatusCode);
        var badHtml = WebUtility.HtmlDecode(await badLink.Content.ReadAsStringAsync(Ct));
        Assert.Contains("'javascript:alert(1)' is not a web address", badHtml);
        Assert.Contains("value=\"Pitch room B: revenue, land and addresses\"", badHtml);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("A session must end after it starts.", WebUtility.HtmlDecode(await backwards.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(HttpStatusCode.Found, saved.StatusCode);
        var edited = (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Sessions.Single(s => s.Id == room.Id);
        Assert.Equal(("Pitch room B: revenue, land and addresses", 1, room.Start.AddMinutes(15)), (edited.Title, edited.Revision, edited.Start));
        using var client = _host.CreateHttpClient();
        Assert.Contains("SEQUENCE:1", await client.GetStringAsync($"/events/{Slug}/sessions/{room.Id}/calendar.ics", Ct));
    }

    [Fact]
    public async Task Without_javascript_a_viewer_chooses_a_time_zone_and_sees_their_own_times_beside_the_event_s()
    {
        using var viewer = new TestBrowser(_host);

        using var chosen = await viewer.GetAsync("/timezone?tz=Africa%2FNairobi&returnUrl=%2Fevents%2F" + Slug);
        var page = WebUtility.HtmlDecode(await viewer.GetPageAsync($"/events/{Slug}"));
        using var refused = await viewer.GetAsync("/timezone?tz=Mars%2FOlympus");

        Assert.Equal(HttpStatusCode.Found, chosen.StatusCode);
        Assert.Equal($"/events/{Slug}", chosen.Headers.Location!.OriginalString);
        // 09:30 in Lagos is 11:30 in Nairobi.
        Assert.Contains("(11:30–12:00 your time)", page);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
