using System.Net;
using Events.Grains.People;
using Events.Grains.Pitches;
using Events.Silo;

namespace Events.Web.Tests.Pitches;

public sealed class PitchFlowTests(RunHost run) : OnDemoCopy(run)
{
    private const string Room = "s4";
    private string RoomPage => $"/events/{Slug}/rooms/{Room}";
    private const string KampalaContact = "joseph.okello@kampala.example.org";

    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<TestBrowser> AsAsync(EventRole role, string? team = null)
    {
        var browser = new TestBrowser(_host);
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, role, team);
        await browser.SignInAsync(email);
        return browser;
    }

    private static (string Name, string Value)[] Scores(int score, string interest) =>
        [.. Enumerable.Range(1, 5).Select(i => ($"score-c{i}", score.ToString(System.Globalization.CultureInfo.InvariantCulture))), ("comment", ""), ("note", ""), ("interest", interest)];

    private static async Task<string> TextOf(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));

    private async Task ControlAsync(TestBrowser moderator, string team, params string[] controls)
    {
        await moderator.GetPageAsync(RoomPage);
        foreach (var control in controls)
        {
            using var response = await moderator.PostFormAsync($"{RoomPage}/pitches/{team}/control", ("control", control));
            Assert.True(response.StatusCode == HttpStatusCode.Found, $"{control}: {(int)response.StatusCode} {await TextOf(response)}");
        }
    }

    [Fact]
    public async Task The_rubric_cannot_change_once_scoring_has_opened_and_scores_after_closing_are_refused()
    {
        using var organiser = await AsAsync(EventRole.Organiser);
        using var investor = await AsAsync(EventRole.Investor);
        await organiser.GetPageAsync($"/events/{Slug}/rubric");
        using var set = await organiser.PostFormAsync($"/events/{Slug}/rubric",
            ("name-0", "Evidence from the pilot"), ("description-0", "Users, figures"), ("weight-0", "3"),
            ("name-1", "The budget ask"), ("description-1", ""), ("weight-1", "1"),
            ("name-2", ""), ("description-2", ""), ("weight-2", "1"));
        Assert.Equal(HttpStatusCode.Found, set.StatusCode);

        await ControlAsync(organiser, "bizerte", "StartPitch", "StartQuestions", "OpenScoring");
        await organiser.GetPageAsync($"/events/{Slug}/rubric");
        using var locked = await organiser.PostFormAsync($"/events/{Slug}/rubric", ("name-0", "Only vibes"), ("description-0", ""), ("weight-0", "5"));

        Assert.Equal(HttpStatusCode.BadRequest, locked.StatusCode);
        Assert.Contains("The rubric is locked", await TextOf(locked));
        Assert.Equal(["Evidence from the pilot", "The budget ask"], (await _host.Grains.GetGrain<IRubricGrain>(Slug).GetAsync()).Criteria.Select(c => c.Name));
        Assert.DoesNotContain("name=\"name-0\"", await organiser.GetPageAsync($"/events/{Slug}/rubric"));

        var pitch = $"{RoomPage}/pitches/bizerte";
        var form = await investor.GetPageAsync(pitch);
        Assert.Contains("Evidence from the pilot (×3)", WebUtility.HtmlDecode(form));
        using var scored = await investor.PostFormAsync($"{pitch}/scorecard", ("score-c1", "5"), ("score-c2", "3"), ("comment", "Good"), ("note", ""), ("interest", "Interested"));
        Assert.Equal(HttpStatusCode.Found, scored.StatusCode);
        await ControlAsync(organiser, "bizerte", "CloseScoring");
        await investor.GetPageAsync(pitch);
        using var late = await investor.PostFormAsync($"{pitch}/scorecard", ("score-c1", "1"), ("score-c2", "1"), ("comment", "Changed my mind"), ("note", ""), ("interest", "Pass"));

        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains("Scoring for Bizerte has closed: scores can no longer be changed.", await TextOf(late));
        var kept = await _host.Grains.GetGrain<IPitchRoomGrain>($"{Slug}/{Room}").GetScorecardAsync("bizerte", investor.Email!);
        Assert.Equal(("Good", 5), (kept!.Comment, kept.Scores["c1"]));
        Assert.Equal(4.5, (await _host.Grains.GetGrain<IPitchRoomGrain>($"{Slug}/{Room}").GetFeedbackAsync("bizerte")).Summary.WeightedTotal);
    }

    [Fact]
    public async Task A_missing_score_is_refused_with_the_criterion_named_and_what_was_typed_kept()
    {
        using var moderator = await AsAsync(EventRole.Moderator);
        using var investor = await AsAsync(EventRole.Investor);
        await ControlAsync(moderator, "kampala", "StartPitch", "OpenScoring");
        var pitch = $"{RoomPage}/pitches/kampala";
        await investor.GetPageAsync(pitch);

        using var refused = await investor.PostFormAsync($"{pitch}/scorecard", ("score-c1", "4"), ("score-c2", "9"), ("comment", "Typed on a bus"), ("note", ""), ("interest", "Interested"));
        var html = await TextOf(refused);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Give 'The pilot solution' a score from 1 to 5.", html);
        Assert.Contains("Typed on a bus", html);
        Assert.Null(await _host.Grains.GetGrain<IPitchRoomGrain>($"{Slug}/{Room}").GetScorecardAsync("kampala", investor.Email!));
    }

    [Fact]
    public async Task Contact_details_reach_the_investor_only_after_the_team_accepts_the_follow_up()
    {
        using var moderator = await AsAsync(EventRole.Moderator);
        using var investor = await AsAsync(EventRole.Investor);
        using var team = await AsAsync(EventRole.Presenter, "Kampala");
        using var otherTeam = await AsAsync(EventRole.Presenter, "Bizerte");
        await ControlAsync(moderator, "kampala", "StartPitch", "OpenScoring");
        var pitch = $"{RoomPage}/pitches/kampala";
        await investor.GetPageAsync(pitch);
        using var scored = await investor.PostFormAsync($"{pitch}/scorecard", Scores(5, "FollowUp"));
        Assert.Equal(HttpStatusCode.Found, scored.StatusCode);
        var followUps = $"/events/{Slug}/follow-ups";

        var investorBefore = WebUtility.HtmlDecode(await investor.GetPageAsync(followUps));
        var teamBefore = WebUtility.HtmlDecode(await team.GetPageAsync(followUps));
        Assert.Contains("Kampala", investorBefore);
        Assert.DoesNotContain(KampalaContact, investorBefore);
        Assert.DoesNotContain(KampalaContact, WebUtility.HtmlDecode(await investor.GetPageAsync($"/events/{Slug}/pitches/kampala")));
        Assert.Contains("Requested", teamBefore);
        Assert.DoesNotContain(investor.Email!, teamBefore);
        Assert.DoesNotContain("Accept and share contacts", WebUtility.HtmlDecode(await otherTeam.GetPageAsync(followUps)));

        var id = (await _host.Grains.GetGrain<IFollowUpsGrain>(Slug).ListAsync()).Single().Id;
        var asked = await _host.MailToAsync(team.Email!, "An investor asks to meet Kampala");
        Assert.Contains($"/events/{Slug}/follow-ups#{id}", asked.Body);
        Assert.DoesNotContain(investor.Email!, asked.Body);
        // Neither the investor nor another city's team can accept on the team's behalf.
        await investor.GetPageAsync(followUps);
        using var byInvestor = await investor.PostFormAsync($"{followUps}/{id}/status", ("status", "Accepted"));
        using var byOtherTeam = await otherTeam.PostFormAsync($"{followUps}/{id}/status", ("status", "Accepted"));
        Assert.Equal(HttpStatusCode.BadRequest, byInvestor.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, byOtherTeam.StatusCode);
        Assert.DoesNotContain(KampalaContact, await TextOf(byInvestor));

        await team.GetPageAsync(followUps);
        using var accepted = await team.PostFormAsync($"{followUps}/{id}/status", ("status", "Accepted"));
        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        Assert.Contains(KampalaContact, WebUtility.HtmlDecode(await investor.GetPageAsync(followUps)));
        await _host.MailToAsync(investor.Email!, "Kampala accepted your follow-up request");
        Assert.Contains(investor.Email!, WebUtility.HtmlDecode(await team.GetPageAsync(followUps)));

        // After the event, either side records what came of it; organisers see it all in the export.
        await investor.GetPageAsync(followUps);
        using var met = await investor.PostFormAsync($"{followUps}/{id}/status", ("status", "MeetingHeld"));
        await team.GetPageAsync(followUps);
        using var pilot = await team.PostFormAsync($"{followUps}/{id}/status", ("status", "PilotAgreed"));
        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found), (met.StatusCode, pilot.StatusCode));
        using var organiser = await AsAsync(EventRole.Organiser);
        var csv = await organiser.GetPageAsync($"/events/{Slug}/follow-ups.csv");
        Assert.Contains($"{id},\"Kampala\",\"{investor.Email}\",PilotAgreed,", csv);
    }

    [Fact]
    public async Task A_team_edits_its_own_card_in_versions_and_no_other_team_can()
    {
        using var team = await AsAsync(EventRole.Presenter, "Kampala");
        using var otherTeam = await AsAsync(EventRole.Presenter, "Bizerte");
        using var attendee = await AsAsync(EventRole.Attendee);
        var card = $"/events/{Slug}/pitches/kampala";

        var form = WebUtility.HtmlDecode(await team.GetPageAsync($"{card}/edit"));
        Assert.Contains("Minibus", form, StringComparison.OrdinalIgnoreCase);
        using var saved = await team.PostFormAsync($"{card}/edit",
            ("challenge", "A million rides a day on routes **no map** shows."), ("solution", "An open route map"), ("evidence", "3,100 weekly users"),
            ("budgetAsk", "USD 180,000"), ("partnersSought", "A mobile operator"), ("slidesUrl", "https://example.org/kampala.pdf"), ("videoUrl", ""),
            ("contactName", "Joseph Okello"), ("contactDetails", KampalaContact));
        using var badLink = await team.PostFormAsync($"{card}/edit", ("challenge", "x"), ("slidesUrl", "javascript:alert(1)"), ("contactName", "Joseph Okello"), ("contactDetails", KampalaContact));
        using var forbidden = await otherTeam.GetAsync($"{card}/edit");
        await otherTeam.GetPageAsync($"/events/{Slug}/pitches");
        using var forbiddenPost = await otherTeam.PostFormAsync($"{card}/edit", ("challenge", "Taken over"), ("contactName", "Leila"), ("contactDetails", "x"));

        Assert.Equal(HttpStatusCode.Found, saved.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLink.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbiddenPost.StatusCode);
        var current = WebUtility.HtmlDecode(await attendee.GetPageAsync(card));
        Assert.Contains("routes <strong>no map</strong> shows", current);
        Assert.Contains("version 2", current);
        Assert.DoesNotContain(KampalaContact, current);
        Assert.Contains(KampalaContact, WebUtility.HtmlDecode(await team.GetPageAsync(card)));
        var first = WebUtility.HtmlDecode(await attendee.GetPageAsync($"{card}?version=1"));
        Assert.Contains("You are reading version 1; the current version is 2.", first);
        Assert.DoesNotContain("<strong>no map</strong>", first);
        Assert.Equal(2, (await _host.Grains.GetGrain<IPitchCardsGrain>(Slug).GetAsync("kampala"))!.Versions.Count);
    }
}
