using System.Net;
using Events.Grains.Matchmaking;
using Events.Grains.People;
using Events.Grains.Scheduling;
using Events.Web.Localization;
using Events.Web.Mail;
using Events.Web.Scheduling;

namespace Events.Web.Tests.Scheduling;

// The class's tests share one server, each on a copy of the demo event of its own: the people's
// addresses repeat from test to test, but profiles, meetings and runs belong to one event, and
// the mails checked are those that link to the test's event.
public sealed class SchedulingPageTests(SchedulingPageTests.QuickHost shared) : DemoCopyTests<SchedulingPageTests.QuickHost>(shared)
{
    private readonly EventsHost _host = shared.Host;

    public sealed class QuickHost() : SharedHost(new Dictionary<string, string> { ["Scheduling:TimeLimit"] = "00:00:02" });

    private IEnumerable<StoredMail> MailTo(string to) => _host.Outbox.ReadAll().Where(m => m.To == to && m.Body.Contains($"/events/{Slug}/", StringComparison.Ordinal));

    private async Task<TestBrowser> AsAsync(EventRole role, string name, string? language = null)
    {
        var browser = new TestBrowser(_host) { AcceptLanguage = language };
        var email = $"{name}-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, role, null);
        await browser.SignInAsync(email);
        return browser;
    }

    private static ProfileDraft Draft(string name) =>
        new(name, $"{name.Split(' ')[1]} team", OrgType.City, "Kisumu", "Kenya", ["en"], "", [], [], []);

    // A profile in the directory for others; the scheduling page names people by it.
    private async Task<string> ProfileAsync(string email, string name)
    {
        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{email}").SaveAsync(Draft(name), listed: true);
        return PersonIds.Of(Slug, email);
    }

    private async Task<(TestBrowser Browser, string Email, string Id)> PersonAsync(string name)
    {
        var browser = await AsAsync(EventRole.Attendee, name.Split(' ')[0].ToLowerInvariant());
        var email = browser.Email!;
        return (browser, email, await ProfileAsync(email, name));
    }

    // Two tables, a morning window of three slots and an afternoon one of three (UTC).
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
        var amina = await ProfileAsync("amina@kisumu.example.org", "Amina Odhiambo");
        var kofi = await ProfileAsync("kofi@kumasi.example.org", "Kofi Mensah");
        var ines = await ProfileAsync("ines@matola.example.org", "Ines Machava");
        var carlos = await ProfileAsync("carlos@praia.example.org", "Carlos Tavares");
        var organiser = await AsAsync(EventRole.Organiser, "organiser");
        await organiser.GetPageAsync($"/events/{Slug}/scheduling");

        using var added1 = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", amina), ("b", kofi), ("session", "any"));
        using var added2 = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", kofi), ("b", ines), ("session", "afternoon"));
        using var added3 = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", amina), ("b", carlos), ("session", "morning"));
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

        // People by their profile names; no address anywhere on the page.
        Assert.Contains("Amina Odhiambo — Kofi Mensah", page, StringComparison.Ordinal);
        Assert.Contains("<h4>Ines Machava</h4>", page, StringComparison.Ordinal);
        Assert.All(new[] { "amina@", "kofi@", "ines@", "carlos@" }, address => Assert.DoesNotContain(address, page, StringComparison.Ordinal));
        var run = (await _host.Grains.GetGrain<ISchedulingGrain>(Slug).GetAsync()).Run!;
        ScheduleCheck(run);

        // Publish: the meetings are booked in both people's agendas, at the schedule's tables.
        using var published = await organiser.PostFormAsync($"/events/{Slug}/scheduling/publish");
        Assert.EndsWith("?published=1#run", published.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var matchmaking = _host.Grains.GetGrain<IMatchmakingGrain>(Slug);
        var aminaMeetings = (await matchmaking.MineAsync("amina@kisumu.example.org")).Meetings;
        Assert.Equal(2, aminaMeetings.Length);
        Assert.All(aminaMeetings, m => Assert.Contains(m.Place, new[] { "1", "2" }));
        var first = (await matchmaking.MineAsync("kofi@kumasi.example.org")).Meetings.Select(m => (m.Id, m.Start)).Order().ToList();
        var mail = await _host.MailToAsync("amina@kisumu.example.org", $"Your meetings at {(await _host.Grains.GetGrain<Events.Grains.Agenda.IAgendaGrain>(Slug).GetAsync())!.Title} are scheduled");
        Assert.Contains($"/events/{Slug}/meetings", mail.Body, StringComparison.Ordinal);
        Assert.Single(MailTo("amina@kisumu.example.org"));

        // A new wanted meeting and a second run: what was published stays where it was.
        await organiser.GetPageAsync($"/events/{Slug}/scheduling");
        using var added4 = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", kofi), ("b", carlos), ("session", "any"));
        using var again = await organiser.PostFormAsync($"/events/{Slug}/scheduling/run");
        await FinishedAsync(organiser);
        using var republished = await organiser.PostFormAsync($"/events/{Slug}/scheduling/publish");
        var kofiMeetings = (await matchmaking.MineAsync("kofi@kumasi.example.org")).Meetings;
        Assert.Equal(3, kofiMeetings.Count(m => !m.Cancelled));
        Assert.Empty(kofiMeetings.Where(m => m.Cancelled));
        Assert.All(first, f => Assert.Contains(kofiMeetings, m => m.Id == f.Id && m.Start == f.Start));

        // Only the people whose agenda changed hear again: Carlos's second mail comes, Amina gets none.
        await Eventually.UntilAsync("Carlos's second mail", () => MailTo("carlos@praia.example.org").Count() == 2);
        Assert.Single(MailTo("amina@kisumu.example.org"));
    }

    [Fact]
    public async Task Wanted_meetings_come_from_mutual_marks_from_requests_left_to_the_organisers_and_from_the_organisers_and_schedule_all_places_them_all()
    {
        await WindowsAsync();
        var amina = await PersonAsync("Amina Odhiambo");
        var kofi = await PersonAsync("Kofi Mensah");
        var ines = await PersonAsync("Ines Machava");
        var carlos = await PersonAsync("Carlos Tavares");
        var organiser = await AsAsync(EventRole.Organiser, "organiser");

        // Amina marks Kofi: hers alone, Kofi's page of her says nothing of it, nothing to schedule.
        await amina.Browser.GetPageAsync($"/events/{Slug}/directory/{kofi.Id}");
        using var marked = await amina.Browser.PostFormAsync($"/events/{Slug}/directory/{kofi.Id}/mark", ("mark", "true"));
        Assert.Equal(HttpStatusCode.Redirect, marked.StatusCode);
        var aminaSees = WebUtility.HtmlDecode(await amina.Browser.GetPageAsync($"/events/{Slug}/directory/{kofi.Id}"));
        var kofiSees = WebUtility.HtmlDecode(await kofi.Browser.GetPageAsync($"/events/{Slug}/directory/{amina.Id}"));
        var kofiDirectory = WebUtility.HtmlDecode(await kofi.Browser.GetPageAsync($"/events/{Slug}/directory"));
        Assert.Contains("You marked that you'd like to meet.", aminaSees, StringComparison.Ordinal);
        Assert.Contains("I'd like to meet", kofiSees, StringComparison.Ordinal);
        Assert.DoesNotContain("You marked", kofiSees, StringComparison.Ordinal);
        Assert.DoesNotContain("like to meet</span>", kofiDirectory, StringComparison.Ordinal);
        Assert.DoesNotContain("both marked each other", await organiser.GetPageAsync($"/events/{Slug}/scheduling"), StringComparison.Ordinal);

        // Kofi marks her back: both see it is mutual.
        using var back = await kofi.Browser.PostFormAsync($"/events/{Slug}/directory/{amina.Id}/mark", ("mark", "true"));
        Assert.Contains("You both said you'd like to meet", WebUtility.HtmlDecode(await kofi.Browser.GetPageAsync($"/events/{Slug}/directory/{amina.Id}")), StringComparison.Ordinal);
        Assert.Contains("you both would like to meet", WebUtility.HtmlDecode(await amina.Browser.GetPageAsync($"/events/{Slug}/directory")), StringComparison.Ordinal);

        // Ines asks Carlos; he accepts and leaves the time to the organisers.
        var matchmaking = _host.Grains.GetGrain<IMatchmakingGrain>(Slug);
        var slot = (await matchmaking.GetSettingsAsync()).Slots().First();
        var request = await matchmaking.RequestAsync(ines.Email, carlos.Email, "Land registry?", [slot]);
        Assert.Contains("Accept, and let the organisers set the time", WebUtility.HtmlDecode(await carlos.Browser.GetPageAsync($"/events/{Slug}/meetings")), StringComparison.Ordinal);
        using var accepted = await carlos.Browser.PostFormAsync($"/events/{Slug}/meetings/requests/{request.Id}/schedule");
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Contains("accepted, the organisers will set the time", WebUtility.HtmlDecode(await ines.Browser.GetPageAsync($"/events/{Slug}/meetings")), StringComparison.Ordinal);

        // The organisers add Amina and Ines, mornings only.
        await organiser.GetPageAsync($"/events/{Slug}/scheduling");
        using var added = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", amina.Id), ("b", ines.Id), ("session", "morning"));

        var listed = WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/scheduling"));
        Assert.Matches("(Amina Odhiambo — Kofi Mensah|Kofi Mensah — Amina Odhiambo) · Any time of the day · <span class=\"muted\">both marked each other</span>", listed);
        Assert.Contains("Ines Machava — Carlos Tavares · Any time of the day · <span class=\"muted\">request accepted, time left to the organisers</span>", listed, StringComparison.Ordinal);
        Assert.Contains("Amina Odhiambo — Ines Machava · Morning only · <span class=\"muted\">added by the organisers</span>", listed, StringComparison.Ordinal);

        using var run = await organiser.PostFormAsync($"/events/{Slug}/scheduling/run");
        var page = await FinishedAsync(organiser);
        Assert.Contains("Preview: 3 meetings placed, 0 not placed", page, StringComparison.Ordinal);
        using var published = await organiser.PostFormAsync($"/events/{Slug}/scheduling/publish");

        // The request is answered by its booking; the marked pair and the organisers' pair are booked.
        var carlosMeetings = await matchmaking.MineAsync(carlos.Email);
        var booked = Assert.Single(carlosMeetings.Meetings);
        Assert.Equal(request.Id, booked.RequestId);
        Assert.Equal(RequestStatus.Accepted, Assert.Single(carlosMeetings.Incoming).Status);
        Assert.Contains((await matchmaking.MineAsync(kofi.Email)).Meetings, m => m.Involves(amina.Email));
        Assert.Equal(2, (await matchmaking.MineAsync(ines.Email)).Meetings.Length);
        Assert.Equal(2, (await matchmaking.MineAsync(amina.Email)).Meetings.Length);
    }

    [Fact]
    public async Task Schedule_all_keeps_to_the_free_times_people_marked_and_never_puts_a_meeting_when_someone_speaks()
    {
        await WindowsAsync();
        var matchmaking = _host.Grains.GetGrain<IMatchmakingGrain>(Slug);
        var slots = (await matchmaking.GetSettingsAsync()).Slots().ToList();
        await ProfileAsync("amina@kisumu.example.org", "Amina Odhiambo");
        await ProfileAsync("joao@praia.example.org", "Joao Semedo");
        await ProfileAsync("kofi@kumasi.example.org", "Kofi Mensah");

        // Joao is free in the afternoon only; Amina speaks at a panel over the second slot.
        await matchmaking.SetAvailabilityAsync("joao@praia.example.org", new MeetingPrefs(true, [.. slots.Skip(3)], []));
        await _host.Grains.GetGrain<Events.Grains.Agenda.IAgendaGrain>(Slug).ScheduleSessionAsync(new Events.Grains.Agenda.ScheduleSession(
            "Parking pilots", Events.Grains.Agenda.SessionKind.Panel, slots[1].AddMinutes(5), slots[1].AddMinutes(15), "", [new Events.Grains.Agenda.Speaker("Amina Odhiambo", "Kisumu")]));
        var scheduling = _host.Grains.GetGrain<ISchedulingGrain>(Slug);
        await scheduling.AddWantedAsync("organiser@example.org", "amina@kisumu.example.org", "joao@praia.example.org", "any");
        await scheduling.AddWantedAsync("organiser@example.org", "amina@kisumu.example.org", "kofi@kumasi.example.org", "morning");
        await scheduling.AddWantedAsync("organiser@example.org", "joao@praia.example.org", "kofi@kumasi.example.org", "any");

        var problem = await SchedulingProblems.BuildAsync(_host.Grains, Slug, await matchmaking.GetSettingsAsync(), await scheduling.WantedAsync(), await scheduling.PublishedAsync());
        var unavailable = problem.Participants.ToDictionary(p => p.Id, p => p.Unavailable.ToHashSet());
        Assert.Equal(slots.Take(3).Select(SchedulingSlots.Id).ToHashSet(), unavailable["joao@praia.example.org"]);
        Assert.Equal([SchedulingSlots.Id(slots[1])], unavailable["amina@kisumu.example.org"]);
        Assert.Empty(unavailable["kofi@kumasi.example.org"]);

        var organiser = await AsAsync(EventRole.Organiser, "organiser");
        await organiser.GetPageAsync($"/events/{Slug}/scheduling");
        using var run = await organiser.PostFormAsync($"/events/{Slug}/scheduling/run");
        var page = await FinishedAsync(organiser);
        Assert.Contains("Preview: 3 meetings placed, 0 not placed", page, StringComparison.Ordinal);
        var done = (await scheduling.GetAsync()).Run!;
        var meetings = done.Problem.Meetings.ToDictionary(m => m.Id);
        foreach (var placed in done.Schedule!.Scheduled)
        {
            var people = new[] { meetings[placed.Meeting].A, meetings[placed.Meeting].B };
            Assert.False(people.Contains("joao@praia.example.org") && slots.Take(3).Select(SchedulingSlots.Id).Contains(placed.Slot), "Joao is not free in the morning");
            Assert.False(people.Contains("amina@kisumu.example.org") && placed.Slot == SchedulingSlots.Id(slots[1]), "Amina speaks then");
        }
    }

    private Task<string> FinishedAsync(TestBrowser organiser) => Eventually.UntilAsync(
        "the scheduling run to finish",
        async () => WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/scheduling")),
        page => !page.Contains("Scheduling in progress", StringComparison.Ordinal));

    [Fact]
    public async Task A_wanted_meeting_with_someone_not_in_the_directory_or_with_oneself_is_refused_in_the_organiser_s_language_and_nothing_is_stored()
    {
        var kofi = await ProfileAsync("kofi@kumasi.example.org", "Kofi Mensah");
        var organiser = await AsAsync(EventRole.Organiser, "organiser", "fr");
        await organiser.GetPageAsync($"/events/{Slug}/scheduling");

        using var refused = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", "not-a-person"), ("b", kofi), ("session", "any"));
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var self = await organiser.PostFormAsync($"/events/{Slug}/scheduling/wanted", ("a", kofi), ("b", kofi), ("session", "any"));
        var selfHtml = WebUtility.HtmlDecode(await self.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Rendez-vous à planifier", html, StringComparison.Ordinal);
        Assert.Contains(Text.Get("fr", "problem.ProfileMissing"), html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        Assert.Contains(Text.Get("fr", "problem.MeetingSelf"), selfHtml, StringComparison.Ordinal);
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
