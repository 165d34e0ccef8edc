using System.Net;
using System.Text.RegularExpressions;
using Events.Grains.Audit;
using Events.Grains.People;
using Events.Silo;

namespace Events.Web.Tests.People;

public sealed partial class InvitationTests(SharedHost shared) : DemoCopyTests<SharedHost>(shared)
{
    private readonly EventsHost _host = shared.Host;

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@matola.example.org";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<TestBrowser> OrganiserAsync()
    {
        var organiser = new TestBrowser(_host);
        await organiser.SignInAsync(DemoEvent.OrganiserEmail);
        return organiser;
    }

    // Creates an invitation through the organiser's form and returns the link shown once.
    private async Task<string> InviteAsync(TestBrowser organiser, string role, int maxUses = 1, int validDays = 14, string team = "")
    {
        await organiser.GetPageAsync($"/events/{Slug}/people");
        using var created = await organiser.PostFormAsync($"/events/{Slug}/invitations", ("role", role), ("team", team), ("validDays", validDays.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("maxUses", maxUses.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(HttpStatusCode.Found, created.StatusCode);
        var page = await organiser.GetPageAsync(created.Headers.Location!.OriginalString);
        var link = NewLink().Match(page);
        Assert.True(link.Success, page);
        return new Uri(WebUtility.HtmlDecode(link.Groups[1].Value)).AbsolutePath;
    }

    // A person without an account accepts: email, mail, code.
    private async Task<HttpResponseMessage> AcceptAsNewcomerAsync(TestBrowser browser, string invitationPath, string email)
    {
        var landing = await browser.GetPageAsync(invitationPath);
        Assert.Contains("You are invited", landing);
        using var accepted = await browser.PostFormAsync(invitationPath, ("email", email));
        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        var codePage = accepted.Headers.Location!.OriginalString;
        await browser.GetPageAsync(codePage);
        var mail = _host.Outbox.ReadAll().Last(m => m.To == email);
        Assert.Contains("You were invited to City Pilots Pitch Day as Investor", mail.Body);
        return await browser.PostFormAsync(codePage, ("code", TestBrowser.CodeIn(mail.Body)));
    }

    private Task<Membership?> MembershipAsync(string email) => _host.Grains.GetGrain<IEventAccessGrain>(Slug).GetMembershipAsync(email);

    [Fact]
    public async Task An_invited_newcomer_signs_up_through_the_link_and_gets_the_role_once()
    {
        using var organiser = await OrganiserAsync();
        var invitation = await InviteAsync(organiser, "Investor", maxUses: 2);
        using var investor = new TestBrowser(_host);
        var email = NewEmail("investor");

        using var landing = await investor.GetAsync(invitation);
        Assert.Equal("no-referrer", landing.Headers.GetValues("Referrer-Policy").Single());
        using var signedIn = await AcceptAsNewcomerAsync(investor, invitation, email);

        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        Assert.Equal("/account?welcome=true", signedIn.Headers.Location!.OriginalString);
        Assert.Equal(EventRole.Investor, (await MembershipAsync(email))!.Roles);
        var listed = (await _host.Grains.GetGrain<IEventAccessGrain>(Slug).ListInvitationsAsync()).Single();
        Assert.Equal([email], listed.AcceptedBy);

        // Accepting again while signed in spends no second use.
        await investor.GetPageAsync(invitation);
        using var again = await investor.PostFormAsync(invitation);
        Assert.Equal($"/events/{Slug}", again.Headers.Location!.OriginalString);
        Assert.Single((await _host.Grains.GetGrain<IEventAccessGrain>(Slug).ListInvitationsAsync()).Single().AcceptedBy);
    }

    [Fact]
    public async Task An_expired_invitation_is_refused_with_a_clear_page_and_grants_nothing()
    {
        using var organiser = await OrganiserAsync();
        var invitation = await InviteAsync(organiser, "Investor", validDays: 1);
        _host.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        using var late = new TestBrowser(_host);
        await late.SignInAsync(NewEmail("late"));

        using var landing = await late.GetAsync(invitation);
        await late.GetPageAsync("/account");
        using var posted = await late.PostFormAsync(invitation);

        Assert.Equal(HttpStatusCode.Gone, landing.StatusCode);
        Assert.Contains("This invitation has expired", await landing.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Gone, posted.StatusCode);
        Assert.Null(await MembershipAsync(late.Email!));
    }

    [Fact]
    public async Task An_invitation_whose_uses_are_spent_is_refused_to_the_next_person()
    {
        using var organiser = await OrganiserAsync();
        var invitation = await InviteAsync(organiser, "Attendee", maxUses: 1);
        using var first = new TestBrowser(_host);
        await first.SignInAsync(NewEmail("first"));
        await first.GetPageAsync(invitation);
        using var accepted = await first.PostFormAsync(invitation);
        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);

        using var second = new TestBrowser(_host);
        await second.SignInAsync(NewEmail("second"));
        using var refused = await second.GetAsync(invitation);

        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Contains("used as many times as it allows", await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal(EventRole.Attendee, (await MembershipAsync(first.Email!))!.Roles);
        Assert.Null(await MembershipAsync(second.Email!));
    }

    [Fact]
    public async Task A_revoked_or_tampered_invitation_is_refused_and_grants_nothing()
    {
        using var organiser = await OrganiserAsync();
        var invitation = await InviteAsync(organiser, "Moderator");
        var id = invitation.Split('/')[^1].Split('.')[0];
        await organiser.GetPageAsync($"/events/{Slug}/people");
        using var revoked = await organiser.PostFormAsync($"/events/{Slug}/invitations/{id}/revoke");
        Assert.Equal(HttpStatusCode.Found, revoked.StatusCode);

        using var guest = new TestBrowser(_host);
        await guest.SignInAsync(NewEmail("guest"));
        using var afterRevoke = await guest.GetAsync(invitation);
        var tampered = invitation[..^1] + (invitation[^1] == 'A' ? 'B' : 'A');
        using var tamperedLanding = await guest.GetAsync(tampered);
        await guest.GetPageAsync("/account");
        using var tamperedPost = await guest.PostFormAsync(tampered);

        Assert.Equal(HttpStatusCode.Gone, afterRevoke.StatusCode);
        Assert.Contains("withdrew this invitation", await afterRevoke.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.NotFound, tamperedLanding.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, tamperedPost.StatusCode);
        Assert.Null(await MembershipAsync(guest.Email!));
    }

    [Fact]
    public async Task A_revoked_role_stops_working_on_the_very_next_request()
    {
        using var organiser = await OrganiserAsync();
        var invitation = await InviteAsync(organiser, "Organiser");
        using var colleague = new TestBrowser(_host);
        await colleague.SignInAsync(NewEmail("colleague"));
        await colleague.GetPageAsync(invitation);
        using var accepted = await colleague.PostFormAsync(invitation);
        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        await colleague.GetPageAsync($"/events/{Slug}/people");

        await organiser.GetPageAsync($"/events/{Slug}/people");
        using var revoked = await organiser.PostFormAsync($"/events/{Slug}/members/revoke", ("email", colleague.Email!), ("role", "Organiser"));
        Assert.Equal(HttpStatusCode.Found, revoked.StatusCode);

        using var denied = await colleague.GetAsync($"/events/{Slug}/people");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("does not have a role that allows this", await denied.Content.ReadAsStringAsync(Ct));
        Assert.True(colleague.IsSignedIn);
    }

    [Fact]
    public async Task Organiser_actions_appear_in_the_audit_trail_with_who_and_when()
    {
        using var organiser = await OrganiserAsync();
        var invitation = await InviteAsync(organiser, "Presenter", team: "Bizerte cleanliness");
        var id = invitation.Split('/')[^1].Split('.')[0];
        await organiser.GetPageAsync($"/events/{Slug}/people");
        using var revoked = await organiser.PostFormAsync($"/events/{Slug}/invitations/{id}/revoke");

        var trail = _host.Grains.GetGrain<IAuditTrailGrain>(Slug);
        var entries = await Eventually.UntilAsync(
            "the organiser's two audit entries",
            () => trail.ListAsync(100),
            seen => seen.Count(e => e.Actor == DemoEvent.OrganiserEmail) >= 2);

        var page = await organiser.GetPageAsync($"/events/{Slug}/audit");
        Assert.Contains($"created invitation {id} for Presenter", page);
        Assert.Contains($"revoked invitation {id}", page);
        Assert.Contains(DemoEvent.OrganiserEmail, page);
        Assert.Contains("granted Organiser to organiser@example.org", page);
    }

    [Fact]
    public async Task A_new_invitation_link_is_shown_once_and_stored_only_as_a_hash()
    {
        using var organiser = await OrganiserAsync();
        var invitation = await InviteAsync(organiser, "Attendee");
        var secret = invitation.Split('.')[^1];

        var page = await organiser.GetPageAsync($"/events/{Slug}/people");
        var stored = (await _host.Grains.GetGrain<IEventAccessGrain>(Slug).ListInvitationsAsync()).Single();

        Assert.DoesNotContain(secret, page);
        Assert.NotEqual(secret, stored.SecretHash);
        Assert.Equal(Secrets.Hash(secret), stored.SecretHash);
    }

    [GeneratedRegex("shown once, copy it now\\): <a href=\"([^\"]+)\"")]
    private static partial Regex NewLink();
}
