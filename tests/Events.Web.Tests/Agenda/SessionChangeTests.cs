using System.Net;
using System.Text;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Silo;
using Events.Web.Tests.Live;

namespace Events.Web.Tests.Agenda;

public sealed class SessionChangeTests(PublicUrlHost run) : OnDemoCopy(run)
{
    // Links in mail are built from the server's public address.
    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IAgendaGrain Agenda => _host.Grains.GetGrain<IAgendaGrain>(Slug);

    private async Task<AgendaSession> SessionAsync(string title) => (await Agenda.GetAsync())!.Sessions.Single(s => s.Title.StartsWith(title, StringComparison.Ordinal));

    private async Task<string> CalendarAsync(string path)
    {
        using var client = _host.CreateHttpClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    // RFC 5545 3.1: CRLF line ends, no line over 75 octets, unfolding removes CRLF + one space.
    private static IReadOnlyList<string> Unfold(string ics)
    {
        Assert.EndsWith("\r\n", ics);
        Assert.DoesNotContain("\n", ics.Replace("\r\n", "", StringComparison.Ordinal));
        foreach (var line in ics.Split("\r\n"))
        {
            Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, $"line of {Encoding.UTF8.GetByteCount(line)} octets: {line}");
        }

        return ics.Replace("\r\n ", "", StringComparison.Ordinal).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Value(IReadOnlyList<string> lines, string name, int index = 0) =>
        lines.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..]).ElementAt(index);

    [Fact]
    public async Task A_delay_moves_the_session_raises_its_revision_and_enters_the_change_log()
    {
        var mixer = await SessionAsync("Global Mixer");

        var delayed = await Agenda.ChangeSessionAsync("moderator@example.org", new SessionChange(mixer.Id, AgendaChangeKind.Delayed, 10));

        Assert.Equal(mixer.Start.AddMinutes(10), delayed.Start);
        Assert.Equal(mixer.End.AddMinutes(10), delayed.End);
        Assert.Equal(1, delayed.Revision);
        var change = (await Agenda.GetAsync())!.Changes.First();
        Assert.Equal((mixer.Id, AgendaChangeKind.Delayed, 10), (change.SessionId, change.Kind, change.Minutes));
    }

    [Fact]
    public async Task A_cancelled_session_cannot_change_and_out_of_range_delays_are_refused()
    {
        var panel = await SessionAsync("Closing panel");
        var tooLong = await Assert.ThrowsAsync<ValidationFailedException>(() => Agenda.ChangeSessionAsync("m", new SessionChange(panel.Id, AgendaChangeKind.Delayed, 601)));
        await Agenda.ChangeSessionAsync("m", new SessionChange(panel.Id, AgendaChangeKind.Cancelled));

        var closed = await Assert.ThrowsAsync<ValidationFailedException>(() => Agenda.ChangeSessionAsync("m", new SessionChange(panel.Id, AgendaChangeKind.Delayed, 5)));

        Assert.Equal(Problem.DelayMinutes, tooLong.Problem);
        Assert.Equal(Problem.SessionClosed, closed.Problem);
        Assert.Equal(SessionStatus.Cancelled, (await SessionAsync("Closing panel")).Status);
    }

    [Fact]
    public async Task The_calendar_feed_follows_rfc_5545_lines_escaping_and_utc_times()
    {
        await Agenda.ScheduleSessionAsync(new ScheduleSession(
            "Kampala, Bizerte; Kumasi \\ Matola: la gestion foncière à Sèmè-Podji et l'adressage numérique des parcelles",
            SessionKind.Talk,
            new DateTimeOffset(2026, 12, 3, 14, 0, 0, TimeSpan.FromHours(1)),
            new DateTimeOffset(2026, 12, 3, 14, 30, 0, TimeSpan.FromHours(1)),
            "Line one\nLine two, with a comma; and a semicolon.",
            []));

        var lines = Unfold(await CalendarAsync($"/events/{Slug}/calendar.ics"));

        Assert.Equal("BEGIN:VCALENDAR", lines[0]);
        Assert.Equal("END:VCALENDAR", lines[^1]);
        Assert.Contains("VERSION:2.0", lines);
        Assert.Equal(6, lines.Count(l => l == "BEGIN:VEVENT"));
        Assert.Contains("SUMMARY:Kampala\\, Bizerte\\; Kumasi \\\\ Matola: la gestion foncière à Sèmè-Podji et l'adressage numérique des parcelles", lines);
        Assert.Contains(lines, l => l.StartsWith("DESCRIPTION:Line one\\nLine two\\, with a comma\\; and a semicolon.", StringComparison.Ordinal));
        // 09:30 in Lagos (UTC+1) is 08:30 UTC.
        Assert.Contains("DTSTART:20261203T083000Z", lines);
        Assert.Contains($"UID:{Slug}.{(await SessionAsync("Global Mixer")).Id}@events.example.net", lines);
    }

    [Fact]
    public async Task A_moved_session_keeps_its_uid_and_raises_its_sequence_and_a_cancelled_one_says_so()
    {
        var room = await SessionAsync("Pitch room A");
        var path = $"/events/{Slug}/sessions/{room.Id}/calendar.ics";
        var before = Unfold(await CalendarAsync(path));

        await Agenda.ChangeSessionAsync("m", new SessionChange(room.Id, AgendaChangeKind.Moved, NewStart: room.Start.AddHours(2)));
        var moved = Unfold(await CalendarAsync(path));
        await Agenda.ChangeSessionAsync("m", new SessionChange(room.Id, AgendaChangeKind.Cancelled));
        var cancelled = Unfold(await CalendarAsync(path));

        Assert.Single(before, l => l == "BEGIN:VEVENT");
        Assert.Equal(Value(before, "UID"), Value(moved, "UID"));
        Assert.Equal(Value(before, "UID"), Value(cancelled, "UID"));
        Assert.Equal(["0", "1", "2"], new[] { before, moved, cancelled }.Select(l => Value(l, "SEQUENCE")));
        Assert.Equal("20261203T111500Z", Value(moved, "DTSTART"));
        Assert.Equal("CONFIRMED", Value(moved, "STATUS"));
        Assert.Equal("CANCELLED", Value(cancelled, "STATUS"));
    }

    [Fact]
    public async Task A_moderator_delays_a_session_through_the_form_and_everyone_sees_it_in_the_change_log()
    {
        using var moderator = new TestBrowser(_host);
        var email = $"moderator-{Guid.NewGuid():N}@bizerte.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Moderator, null);
        await moderator.SignInAsync(email);
        var mixer = await SessionAsync("Global Mixer");
        await moderator.GetPageAsync($"/events/{Slug}");

        using var delayed = await moderator.PostFormAsync($"/events/{Slug}/sessions/{mixer.Id}/change", ("kind", "Delayed"), ("minutes", "15"), ("newStart", ""));
        using var refused = await moderator.PostFormAsync($"/events/{Slug}/sessions/{mixer.Id}/change", ("kind", "Delayed"), ("minutes", "0"), ("newStart", ""));

        Assert.Equal(HttpStatusCode.Found, delayed.StatusCode);
        Assert.Equal($"/events/{Slug}#{mixer.Id}", delayed.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("A delay is from 1 to 600 minutes.", await refused.Content.ReadAsStringAsync(Ct));
        using var attendee = new TestBrowser(_host);
        var page = await attendee.GetPageAsync($"/events/{Slug}");
        Assert.Contains("Global Mixer: four pilots in thirty minutes delayed by 15 minutes, now at 09:45.", page);
        Assert.Contains(">09:45</time>–<time", page);
    }

    [Fact]
    public async Task A_live_subscriber_receives_a_delay_and_a_start_with_increasing_sequence_numbers_and_catches_up_after_a_drop()
    {
        var mixer = await SessionAsync("Global Mixer");
        var topic = $"agenda:{Slug}";
        var seen = (await Agenda.GetAsync())!.Version;
        await using (var client = await LiveClient.ConnectAsync(_host))
        {
            await client.InvokeAsync("Subscribe", new object[] { new[] { new { topic, after = seen } } });
            await Agenda.ChangeSessionAsync("m", new SessionChange(mixer.Id, AgendaChangeKind.Delayed, 5));
            await Agenda.ChangeSessionAsync("m", new SessionChange(mixer.Id, AgendaChangeKind.Started));

            var delay = await client.NextDeltaAsync(Eventually.DefaultTimeout);
            var start = await client.NextDeltaAsync(Eventually.DefaultTimeout);

            Assert.Equal(("Delayed", 5), (delay.GetProperty("d").GetProperty("c").GetString(), delay.GetProperty("d").GetProperty("m").GetInt32()));
            Assert.Equal("Started", start.GetProperty("d").GetProperty("c").GetString());
            Assert.Equal(delay.GetProperty("s").GetInt64() + 1, start.GetProperty("s").GetInt64());
            seen = start.GetProperty("s").GetInt64();
        }

        // While this client is away the session ends; coming back with its last number it gets exactly that.
        await Agenda.ChangeSessionAsync("m", new SessionChange(mixer.Id, AgendaChangeKind.Ended));
        await using var back = await LiveClient.ConnectAsync(_host);
        var caughtUp = (await back.InvokeAsync("Subscribe", new object[] { new[] { new { topic, after = seen } } }))[0];

        var missed = caughtUp.GetProperty("deltas").EnumerateArray().ToList();
        Assert.Single(missed);
        Assert.Equal(seen + 1, missed[0].GetProperty("s").GetInt64());
        Assert.Equal("Ended", missed[0].GetProperty("d").GetProperty("c").GetString());
    }
}
