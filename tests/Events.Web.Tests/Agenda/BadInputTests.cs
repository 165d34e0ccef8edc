using System.Net;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Silo;

namespace Events.Web.Tests.Agenda;

// Input at the edges of what the types hold: a clear refusal in the person's language, nothing stored.
public sealed class BadInputTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    [Theory]
    [InlineData("9999-12-31T23:59")]
    [InlineData("0001-01-01T00:00")]
    public async Task Moving_a_session_to_the_ends_of_the_calendar_is_refused_plainly(string newStart)
    {
        using var organiser = new TestBrowser(_host) { AcceptLanguage = "fr" };
        await organiser.SignInAsync(DemoEvent.OrganiserEmail);
        var before = await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync();
        await organiser.GetPageAsync($"/events/{Slug}");

        using var moved = await organiser.PostFormAsync($"/events/{Slug}/sessions/s2/change", ("kind", "Moved"), ("minutes", "0"), ("newStart", newStart));

        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        Assert.Contains("lang=\"fr\"", await moved.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(before!.Version, (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Version);
    }

    [Fact]
    public async Task A_new_session_in_year_one_and_an_invitation_valid_for_billions_of_days_are_refused_plainly()
    {
        using var organiser = new TestBrowser(_host);
        await organiser.SignInAsync(DemoEvent.OrganiserEmail);
        var agenda = await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync();
        var invitations = await _host.Grains.GetGrain<IEventAccessGrain>(Slug).ListInvitationsAsync();

        await organiser.GetPageAsync($"/events/{Slug}/sessions/new");
        using var session = await organiser.PostFormAsync($"/events/{Slug}/sessions",
            ("title", "Year one"), ("kind", "Talk"), ("date", "0001-01-01"), ("start", "00:00"), ("end", "00:20"), ("abstract", ""), ("speakers", ""));
        await organiser.GetPageAsync($"/events/{Slug}/people");
        using var invitation = await organiser.PostFormAsync($"/events/{Slug}/invitations", ("role", "Attendee"), ("team", ""), ("validDays", "2147483647"), ("maxUses", "1"));

        Assert.Equal(HttpStatusCode.BadRequest, session.StatusCode);
        Assert.True(invitation.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.OK, $"{invitation.StatusCode}");
        Assert.Contains("invitation", (await invitation.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ToLowerInvariant());
        Assert.Equal(agenda!.Version, (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Version);
        Assert.Equal(invitations.Count, (await _host.Grains.GetGrain<IEventAccessGrain>(Slug).ListInvitationsAsync()).Count);
    }
}
