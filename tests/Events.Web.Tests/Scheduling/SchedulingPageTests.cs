using System.Net;
using Events.Grains.Matchmaking;
using Events.Grains.People;
using Events.Grains.Scheduling;
using Events.Silo;

namespace Events.Web.Tests.Scheduling;

public sealed class SchedulingPageTests : IAsyncDisposable
{
    private const string Slug = DemoEvent.Slug;

    private readonly EventsHost _host = new(settings: new Dictionary<string, string>
    {
        ["RateLimits:SignInRequests"] = "1000",
        ["Scheduling:TimeLimit"] = "00:00:02",
    });

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task<TestBrowser> AsAsync(EventRole role, string name, string? language = null)
    {
        var browser = new TestBrowser(_host) { AcceptLanguage = language };
        var email = $"{name}-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, role, null);
        await browser.SignInAsync(email);
        return browser;
    }

    // Two tables, a morning window of three slots and an afternoon one of two (UTC).
    private async Task WindowsAsync()
    {
        var day = _host.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var at = (int hour) => new DateTimeOffset(day.AddHours(hour), TimeSpan.Zero);
        var matchmaking = _host.Grains.GetGrain<IMatchmakingGrain>(Slug);
        await matchmaking.SetSettingsAsync("organiser@example.org", (await matchmaking.GetSettingsAsync()) with
        {
            Windows = [new MeetingWindow(at(9), at(10)), new MeetingWindow(at(14), at(15))],
            SlotMinutes = 20,
            Place = MeetingPlaceKind.Tables,
            Tables = 2,
        });
    }

    [Fact]
    public async Task Without_javascript_an_organiser_adds_wanted_meetings_presses_schedule_all_and_sees_the_preview_per_person_and_per_table()
    {
        await WindowsAsync();
        var organiser = await AsAsync(EventRole.Organiser, "organiser");
        await organiser.GetPageAsync($"/events/{Slug}/scheduling");

        using var added1 = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", "amina@kisumu.example.org"), ("b", "kofi@kumasi.example.org"), ("session", "any"));
        using var added2 = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", "kofi@kumasi.example.org"), ("b", "ines@matola.example.org"), ("session", "afternoon"));
        using var added3 = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", "amina@kisumu.example.org"), ("b", "carlos@praia.example.org"), ("session", "morning"));
        Assert.Equal(HttpStatusCode.Redirect, added1.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, added3.StatusCode);
        Assert.Equal(3, (await _host.Grains.GetGrain<ISchedulingGrain>(Slug).WantedAsync()).Length);

        await organiser.GetPageAsync($"/events/{Slug}/scheduling");
        using var started = await organiser.PostFormAsync($"/events/{Slug}/scheduling/run");
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);

        // The page refreshes itself while the run works; poll it as that refresh would.
        var page = await Eventually.UntilAsync(
            "the scheduling run to finish",
            async () =>
            {
                var seen = WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/scheduling"));
                if (seen.Contains("Scheduling in progress", StringComparison.Ordinal))
                {
                    Assert.Contains("http-equiv=\"refresh\"", seen, StringComparison.Ordinal);
                }

                return seen;
            },
            seen => !seen.Contains("Scheduling in progress", StringComparison.Ordinal));

        Assert.Contains("Preview: 3 meetings placed, 0 not placed, 0 gaps between meetings.", page, StringComparison.Ordinal);
        Assert.Contains("No schedule has fewer gaps.", page, StringComparison.Ordinal);
        Assert.Contains("Per person", page, StringComparison.Ordinal);
        Assert.Contains("Per table", page, StringComparison.Ordinal);
        var run = (await _host.Grains.GetGrain<ISchedulingGrain>(Slug).GetAsync()).Run!;
        ScheduleCheck(run);

        // Publish: the meetings are booked in both people's agendas, at the schedule's tables.
        using var published = await organiser.PostFormAsync($"/events/{Slug}/scheduling/publish");
        Assert.EndsWith("?published=1#run", published.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var matchmaking = _host.Grains.GetGrain<IMatchmakingGrain>(Slug);
        var amina = (await matchmaking.MineAsync("amina@kisumu.example.org")).Meetings;
        Assert.Equal(2, amina.Length);
        Assert.All(amina, m => Assert.Contains(m.Place, new[] { "1", "2" }));
        var first = (await matchmaking.MineAsync("kofi@kumasi.example.org")).Meetings.Select(m => (m.Id, m.Start)).Order().ToList();
        var mail = await _host.MailToAsync("amina@kisumu.example.org", $"Your meetings at {(await _host.Grains.GetGrain<Events.Grains.Agenda.IAgendaGrain>(Slug).GetAsync())!.Title} are scheduled");
        Assert.Contains($"/events/{Slug}/meetings", mail.Body, StringComparison.Ordinal);
        Assert.Single(_host.Outbox.ReadAll(), m => m.To == "amina@kisumu.example.org");

        // A new wanted meeting and a second run: what was published stays where it was.
        await organiser.GetPageAsync($"/events/{Slug}/scheduling");
        using var added4 = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", "kofi@kumasi.example.org"), ("b", "carlos@praia.example.org"), ("session", "any"));
        using var again = await organiser.PostFormAsync($"/events/{Slug}/scheduling/run");
        await FinishedAsync(organiser);
        using var republished = await organiser.PostFormAsync($"/events/{Slug}/scheduling/publish");
        var kofi = (await matchmaking.MineAsync("kofi@kumasi.example.org")).Meetings;
        Assert.Equal(3, kofi.Count(m => !m.Cancelled));
        Assert.Empty(kofi.Where(m => m.Cancelled));
        Assert.All(first, f => Assert.Contains(kofi, m => m.Id == f.Id && m.Start == f.Start));

        // Only the people whose agenda changed hear again.
        await _host.MailToAsync("carlos@praia.example.org", mail.Subject);
        Assert.Single(_host.Outbox.ReadAll(), m => m.To == "amina@kisumu.example.org");
    }

    private Task<string> FinishedAsync(TestBrowser organiser) => Eventually.UntilAsync(
        "the scheduling run to finish",
        async () => WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/scheduling")),
        page => !page.Contains("Scheduling in progress", StringComparison.Ordinal));

    [Fact]
    public async Task A_wanted_meeting_with_a_bad_address_is_refused_in_the_organiser_s_language_and_nothing_is_stored()
    {
        var organiser = await AsAsync(EventRole.Organiser, "organiser", "fr");
        await organiser.GetPageAsync($"/events/{Slug}/scheduling");

        using var refused = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", "not an address"), ("b", "kofi@kumasi.example.org"), ("session", "any"));
        var html = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Rendez-vous à planifier", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Empty(await _host.Grains.GetGrain<ISchedulingGrain>(Slug).WantedAsync());
    }

    [Fact]
    public async Task An_attendee_cannot_open_the_scheduling_page()
    {
        var attendee = await AsAsync(EventRole.Attendee, "attendee");

        using var response = await attendee.GetAsync($"/events/{Slug}/scheduling");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    private static void ScheduleCheck(SchedulingRun run)
    {
        Assert.Equal(RunStatus.Done, run.Status);
        var slots = run.Problem.Slots.ToDictionary(s => s.Id, s => s.Session);
        var meetings = run.Problem.Meetings.ToDictionary(m => m.Id);
        foreach (var placed in run.Schedule!.Scheduled)
        {
            var session = meetings[placed.Meeting].Session;
            Assert.True(session == "any" || session == slots[placed.Slot]);
            Assert.InRange(placed.Table, 1, 2);
        }
    }
}
