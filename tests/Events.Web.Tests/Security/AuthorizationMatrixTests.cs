using System.Net;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Silo;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests.Security;

// Every role (and anonymous) against every page and form post, from one table. An endpoint that
// is not in the table fails the test, so nothing new ships without a decision about who may use it.
// The class's tests share one server: only the matrix itself writes (to the demo event and Other).
public sealed class AuthorizationMatrixTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private const string Demo = DemoEvent.Slug;
    private const string Other = "other-event";

    public enum Who
    {
        Anonymous,
        SignedIn,
        Attendee,
        Investor,
        Presenter,
        Moderator,
        Organiser,
        SiteOrganiser,
    }

    private static readonly Who[] Everyone = Enum.GetValues<Who>();
    private static readonly Who[] SignedIn = [.. Everyone.Where(w => w != Who.Anonymous)];
    private static readonly Who[] DemoOrganisers = [Who.Organiser, Who.SiteOrganiser];
    private static readonly Who[] DemoModerators = [Who.Moderator, Who.Organiser, Who.SiteOrganiser];
    private static readonly Who[] DemoPresenters = [Who.Presenter, Who.Organiser, Who.SiteOrganiser];
    private static readonly Who[] DemoInvestors = [Who.Investor, Who.Organiser, Who.SiteOrganiser];
    private static readonly Who[] DemoMembers = [Who.Attendee, Who.Investor, Who.Presenter, Who.Moderator, Who.Organiser, Who.SiteOrganiser];
    private static readonly Who[] SiteOrganisers = [Who.SiteOrganiser];

    // (method, route pattern, a concrete path, who may use it). Rows for {slug} routes are tried on
    // the demo event (where the roles were granted) and on another event (where they were not).
    private static readonly (string Method, string Pattern, string Path, Who[] Allowed)[] Table =
    [
        ("GET", "/", "/", Everyone),
        ("GET", "/healthz", "/healthz", Everyone),
        ("GET", "/sw.js", "/sw.js", Everyone),
        ("GET", "/events/{slug}", $"/events/{Demo}", Everyone),
        ("GET", "/signin", "/signin", Everyone),
        ("POST", "/signin", "/signin", Everyone),
        ("GET", "/signin/link", "/signin/link?t=a.b", Everyone),
        ("POST", "/signin/link", "/signin/link", Everyone),
        ("GET", "/signin/{challengeId}", "/signin/unknown", Everyone),
        ("POST", "/signin/{challengeId}", "/signin/unknown", Everyone),
        ("GET", "/invite/{slug}/{token}", $"/invite/{Demo}/a.b", Everyone),
        ("POST", "/invite/{slug}/{token}", $"/invite/{Demo}/a.b", Everyone),
        ("GET", "/dev/outbox", "/dev/outbox", Everyone),
        ("GET", "/language/{language}", "/language/fr?returnUrl=%2F", Everyone),
        // The 404 page.
        ("*", "/{path}", "/no/such/page", Everyone),
        ("*", "/{path}", "/no-such-asset.css", Everyone),
        ("GET", "/account", "/account", SignedIn),
        ("POST", "/account", "/account", SignedIn),
        ("GET", "/events/{slug}/people", $"/events/{Demo}/people", DemoOrganisers),
        ("GET", "/events/{slug}/people", $"/events/{Other}/people", SiteOrganisers),
        ("POST", "/events/{slug}/invitations", $"/events/{Demo}/invitations", DemoOrganisers),
        ("POST", "/events/{slug}/invitations", $"/events/{Other}/invitations", SiteOrganisers),
        ("POST", "/events/{slug}/invitations/{id}/revoke", $"/events/{Demo}/invitations/none/revoke", DemoOrganisers),
        ("POST", "/events/{slug}/invitations/{id}/revoke", $"/events/{Other}/invitations/none/revoke", SiteOrganisers),
        ("POST", "/events/{slug}/members/revoke", $"/events/{Demo}/members/revoke", DemoOrganisers),
        ("POST", "/events/{slug}/members/revoke", $"/events/{Other}/members/revoke", SiteOrganisers),
        ("GET", "/events/{slug}/audit", $"/events/{Demo}/audit", DemoOrganisers),
        ("GET", "/events/{slug}/announcements", $"/events/{Demo}/announcements", Everyone),
        ("GET", "/events/{slug}/sessions", $"/events/{Demo}/sessions", Everyone),
        ("GET", "/timezone", "/timezone?tz=Africa/Nairobi&returnUrl=%2F", Everyone),
        ("GET", "/events/{slug}/qa/{session}", $"/events/{Demo}/qa/s4", Everyone),
        ("GET", "/events/{slug}/qa/{session}/live", $"/events/{Demo}/qa/s4/live", Everyone),
        ("GET", "/events/{slug}/qa/{session}/projector", $"/events/{Demo}/qa/s4/projector", Everyone),
        ("GET", "/events/{slug}/qa/{session}/projector/live", $"/events/{Demo}/qa/s4/projector/live", Everyone),
        ("GET", "/events/{slug}/qa/{session}/export.csv", $"/events/{Demo}/qa/s4/export.csv", DemoOrganisers),
        ("POST", "/events/{slug}/qa/{session}/questions", $"/events/{Demo}/qa/s4/questions", DemoMembers),
        ("POST", "/events/{slug}/qa/{session}/questions", $"/events/{Other}/qa/s4/questions", SiteOrganisers),
        ("POST", "/events/{slug}/qa/{session}/questions/{id}/vote", $"/events/{Demo}/qa/s4/questions/none/vote", DemoMembers),
        ("POST", "/events/{slug}/qa/{session}/questions/{id}/edit", $"/events/{Demo}/qa/s4/questions/none/edit", DemoMembers),
        ("POST", "/events/{slug}/qa/{session}/questions/{id}/withdraw", $"/events/{Demo}/qa/s4/questions/none/withdraw", DemoMembers),
        ("POST", "/events/{slug}/qa/{session}/questions/{id}/moderate", $"/events/{Demo}/qa/s4/questions/none/moderate", DemoModerators),
        ("POST", "/events/{slug}/qa/{session}/questions/{id}/correct", $"/events/{Demo}/qa/s4/questions/none/correct", DemoModerators),
        ("POST", "/events/{slug}/qa/{session}/questions/{id}/ban", $"/events/{Demo}/qa/s4/questions/none/ban", DemoModerators),
        ("POST", "/events/{slug}/qa/{session}/mode", $"/events/{Demo}/qa/s4/mode", DemoModerators),
        ("GET", "/events/{slug}/sessions/new", $"/events/{Demo}/sessions/new", DemoOrganisers),
        ("POST", "/events/{slug}/sessions", $"/events/{Demo}/sessions", DemoOrganisers),
        ("POST", "/events/{slug}/sessions", $"/events/{Other}/sessions", SiteOrganisers),
        ("GET", "/events/{slug}/sessions/{id}/edit", $"/events/{Demo}/sessions/s2/edit", DemoOrganisers),
        ("POST", "/events/{slug}/sessions/{id}/edit", $"/events/{Demo}/sessions/s2/edit", DemoOrganisers),
        ("GET", "/events/{slug}/calendar.ics", $"/events/{Demo}/calendar.ics", Everyone),
        ("GET", "/events/{slug}/sessions/{id}/calendar.ics", $"/events/{Demo}/sessions/s2/calendar.ics", Everyone),
        ("POST", "/events/{slug}/sessions/{id}/change", $"/events/{Demo}/sessions/s2/change", DemoModerators),
        ("GET", "/events/{slug}/mixer/{sessionId}", $"/events/{Demo}/mixer/s3", Everyone),
        ("GET", "/events/{slug}/mixer/{sessionId}/live", $"/events/{Demo}/mixer/s3/live", Everyone),
        ("POST", "/events/{slug}/mixer/{sessionId}/proposals", $"/events/{Demo}/mixer/s3/proposals", DemoPresenters),
        ("POST", "/events/{slug}/mixer/{sessionId}/proposals/{id}/accept", $"/events/{Demo}/mixer/s3/proposals/none/accept", DemoModerators),
        ("POST", "/events/{slug}/mixer/{sessionId}/proposals/{id}/decline", $"/events/{Demo}/mixer/s3/proposals/none/decline", DemoModerators),
        ("POST", "/events/{slug}/mixer/{sessionId}/proposals/{id}/move", $"/events/{Demo}/mixer/s3/proposals/none/move", DemoModerators),
        ("POST", "/events/{slug}/mixer/{sessionId}/control", $"/events/{Demo}/mixer/s3/control", DemoModerators),
        ("POST", "/events/{slug}/mixer/{sessionId}/control", $"/events/{Other}/mixer/s3/control", SiteOrganisers),
        ("POST", "/events/{slug}/sessions/{id}/change", $"/events/{Other}/sessions/s2/change", SiteOrganisers),
        ("POST", "/events/{slug}/announcements", $"/events/{Demo}/announcements", DemoModerators),
        ("POST", "/events/{slug}/announcements", $"/events/{Other}/announcements", SiteOrganisers),
        ("GET", "/events/{slug}/pitches", $"/events/{Demo}/pitches", DemoMembers),
        ("GET", "/events/{slug}/pitches", $"/events/{Other}/pitches", SiteOrganisers),
        ("GET", "/events/{slug}/pitches/{team}", $"/events/{Demo}/pitches/kampala", DemoMembers),
        // Presenters edit only their own team's card; the matrix's presenter has no team.
        ("GET", "/events/{slug}/pitches/{team}/edit", $"/events/{Demo}/pitches/kampala/edit", DemoOrganisers),
        ("POST", "/events/{slug}/pitches/{team}/edit", $"/events/{Demo}/pitches/kampala/edit", DemoOrganisers),
        ("GET", "/events/{slug}/rubric", $"/events/{Demo}/rubric", DemoMembers),
        ("POST", "/events/{slug}/rubric", $"/events/{Demo}/rubric", DemoOrganisers),
        ("POST", "/events/{slug}/rubric", $"/events/{Other}/rubric", SiteOrganisers),
        ("GET", "/events/{slug}/rooms/{session}", $"/events/{Demo}/rooms/s4", Everyone),
        ("GET", "/events/{slug}/rooms/{session}/live", $"/events/{Demo}/rooms/s4/live", Everyone),
        ("POST", "/events/{slug}/rooms/{session}/pitches", $"/events/{Demo}/rooms/s4/pitches", DemoModerators),
        ("POST", "/events/{slug}/rooms/{session}/pitches/{team}/control", $"/events/{Demo}/rooms/s4/pitches/kampala/control", DemoModerators),
        ("POST", "/events/{slug}/rooms/{session}/pitches/{team}/control", $"/events/{Other}/rooms/s4/pitches/kampala/control", SiteOrganisers),
        ("GET", "/events/{slug}/rooms/{session}/pitches/{team}", $"/events/{Demo}/rooms/s4/pitches/kampala", DemoMembers),
        ("POST", "/events/{slug}/rooms/{session}/pitches/{team}/scorecard", $"/events/{Demo}/rooms/s4/pitches/kampala/scorecard", DemoInvestors),
        ("POST", "/events/{slug}/rooms/{session}/pitches/{team}/scorecard", $"/events/{Other}/rooms/s4/pitches/kampala/scorecard", SiteOrganisers),
        ("GET", "/events/{slug}/leaderboard", $"/events/{Demo}/leaderboard", DemoOrganisers),
        ("GET", "/events/{slug}/scores.csv", $"/events/{Demo}/scores.csv", DemoOrganisers),
        ("GET", "/events/{slug}/scores.csv", $"/events/{Other}/scores.csv", SiteOrganisers),
        ("GET", "/events/{slug}/follow-ups", $"/events/{Demo}/follow-ups", DemoMembers),
        ("POST", "/events/{slug}/follow-ups/{id}/status", $"/events/{Demo}/follow-ups/none/status", DemoMembers),
        ("GET", "/events/{slug}/follow-ups.csv", $"/events/{Demo}/follow-ups.csv", DemoOrganisers),
        // The hub's HTTP endpoints: anyone may connect; its methods are in HubTable.
        ("*", "/live/negotiate", "/live/negotiate?negotiateVersion=1", Everyone),
        ("*", "/live", "/live", Everyone),
        ("GET", "/events/{slug}/audit", $"/events/{Other}/audit", SiteOrganisers),
        ("GET", "/events/{slug}/profile", $"/events/{Demo}/profile", DemoMembers),
        ("POST", "/events/{slug}/profile", $"/events/{Demo}/profile", DemoMembers),
        ("POST", "/events/{slug}/profile", $"/events/{Other}/profile", SiteOrganisers),
        ("POST", "/events/{slug}/profile/consent", $"/events/{Demo}/profile/consent", DemoMembers),
        ("GET", "/events/{slug}/directory", $"/events/{Demo}/directory", DemoMembers),
        ("GET", "/events/{slug}/directory", $"/events/{Other}/directory", SiteOrganisers),
        ("GET", "/events/{slug}/directory/{personId}", $"/events/{Demo}/directory/none", DemoMembers),
        ("POST", "/events/{slug}/directory/{personId}/moderate", $"/events/{Demo}/directory/none/moderate", DemoOrganisers),
        ("POST", "/events/{slug}/directory/{personId}/moderate", $"/events/{Other}/directory/none/moderate", SiteOrganisers),
        ("GET", "/events/{slug}/suggestions", $"/events/{Demo}/suggestions", DemoMembers),
        ("GET", "/events/{slug}/meetings", $"/events/{Demo}/meetings", DemoMembers),
        ("GET", "/events/{slug}/meetings", $"/events/{Other}/meetings", SiteOrganisers),
        ("GET", "/events/{slug}/meetings/live", $"/events/{Demo}/meetings/live", DemoMembers),
        ("POST", "/events/{slug}/meetings/requests", $"/events/{Demo}/meetings/requests", DemoMembers),
        ("POST", "/events/{slug}/meetings/requests/{requestId}/{answer}", $"/events/{Demo}/meetings/requests/none/accept", DemoMembers),
        ("GET", "/events/{slug}/matchmaking", $"/events/{Demo}/matchmaking", DemoOrganisers),
        ("POST", "/events/{slug}/matchmaking", $"/events/{Demo}/matchmaking", DemoOrganisers),
        ("POST", "/events/{slug}/matchmaking", $"/events/{Other}/matchmaking", SiteOrganisers),
        ("GET", "/events/{slug}/meetings/availability", $"/events/{Demo}/meetings/availability", DemoMembers),
        ("POST", "/events/{slug}/meetings/availability", $"/events/{Demo}/meetings/availability", DemoMembers),
        ("GET", "/events/{slug}/meetings/requests/{requestId}/{mode}", $"/events/{Demo}/meetings/requests/none/propose", DemoMembers),
        ("POST", "/events/{slug}/meetings/requests/{requestId}/{mode}", $"/events/{Demo}/meetings/requests/none/reschedule", DemoMembers),
        ("POST", "/events/{slug}/directory/{personId}/arrange", $"/events/{Demo}/directory/none/arrange", DemoOrganisers),
        ("POST", "/events/{slug}/directory/{personId}/mark", $"/events/{Demo}/directory/none/mark", DemoMembers),
        ("GET", "/events/{slug}/my-agenda", $"/events/{Demo}/my-agenda", DemoMembers),
        ("GET", "/events/{slug}/meetings/m/{meetingId}", $"/events/{Demo}/meetings/m/none", DemoMembers),
        ("GET", "/events/{slug}/meetings/m/{meetingId}/live", $"/events/{Demo}/meetings/m/none/live", DemoMembers),
        ("GET", "/events/{slug}/meetings/calendar.ics", $"/events/{Demo}/meetings/calendar.ics", DemoMembers),
        ("POST", "/events/{slug}/meetings/m/{meetingId}/feedback", $"/events/{Demo}/meetings/m/none/feedback", DemoMembers),
        ("POST", "/events/{slug}/meetings/m/{meetingId}/later", $"/events/{Demo}/meetings/m/none/later", DemoMembers),
        ("GET", "/events/{slug}/directory.csv", $"/events/{Demo}/directory.csv", DemoMembers),
        ("GET", "/events/{slug}/matchmaking/stats", $"/events/{Demo}/matchmaking/stats", DemoOrganisers),
        ("POST", "/events/{slug}/matchmaking/ask-later", $"/events/{Demo}/matchmaking/ask-later", DemoOrganisers),
        ("GET", "/events/{slug}/matchmaking/meetings.csv", $"/events/{Demo}/matchmaking/meetings.csv", DemoOrganisers),
        ("GET", "/events/{slug}/matchmaking/profiles.csv", $"/events/{Demo}/matchmaking/profiles.csv", DemoOrganisers),
        ("GET", "/events/{slug}/scheduling", $"/events/{Demo}/scheduling", DemoOrganisers),
        ("POST", "/events/{slug}/scheduling/wanted", $"/events/{Demo}/scheduling/wanted", DemoOrganisers),
        ("POST", "/events/{slug}/scheduling/wanted/{id}/remove", $"/events/{Demo}/scheduling/wanted/none/remove", DemoOrganisers),
        ("POST", "/events/{slug}/scheduling/run", $"/events/{Demo}/scheduling/run", DemoOrganisers),
        ("POST", "/events/{slug}/scheduling/publish", $"/events/{Demo}/scheduling/publish", DemoOrganisers),
        ("GET", "/events/{slug}/polls/{session}", $"/events/{Demo}/polls/s4", Everyone),
        ("GET", "/events/{slug}/polls/{session}/live", $"/events/{Demo}/polls/s4/live", Everyone),
        ("GET", "/events/{slug}/polls/{session}/projector", $"/events/{Demo}/polls/s4/projector", Everyone),
        ("GET", "/events/{slug}/polls/{session}/banner", $"/events/{Demo}/polls/s4/banner", Everyone),
        ("GET", "/events/{slug}/polls/{session}/projector/live", $"/events/{Demo}/polls/s4/projector/live", Everyone),
        ("GET", "/events/{slug}/polls/{session}/export.csv", $"/events/{Demo}/polls/s4/export.csv", DemoOrganisers),
        ("GET", "/events/{slug}/polls.csv", $"/events/{Demo}/polls.csv", DemoOrganisers),
        ("POST", "/events/{slug}/polls/{session}", $"/events/{Demo}/polls/s4", DemoModerators),
        ("POST", "/events/{slug}/polls/{session}/{pollId}/control", $"/events/{Demo}/polls/s4/none/control", DemoModerators),
        ("POST", "/events/{slug}/polls/{session}/{pollId}/texts/{answerId}", $"/events/{Demo}/polls/s4/none/texts/none", DemoModerators),
        ("POST", "/events/{slug}/polls/{session}/{pollId}/answer", $"/events/{Demo}/polls/s4/none/answer", DemoMembers),
        ("GET", "/events/new", "/events/new", SiteOrganisers),
        ("POST", "/events/new", "/events/new", SiteOrganisers),
        ("GET", "/events/{slug}/manage", $"/events/{Demo}/manage", DemoOrganisers),
        ("GET", "/events/{slug}/manage", $"/events/{Other}/manage", SiteOrganisers),
        ("GET", "/events/{slug}/edit", $"/events/{Demo}/edit", DemoOrganisers),
        ("POST", "/events/{slug}/edit", $"/events/{Demo}/edit", DemoOrganisers),
        ("POST", "/events/{slug}/cancel", $"/events/{Demo}/cancel", DemoOrganisers),
        // Tickets: registration is public (an order's page is reached by its unguessable id), the
        // webhook is checked by Stripe's signature, the ticket office is the organisers'.
        ("GET", "/events/{slug}/register", $"/events/{Demo}/register", Everyone),
        ("POST", "/events/{slug}/register", $"/events/{Demo}/register", Everyone),
        ("GET", "/events/{slug}/register/{orderId}", $"/events/{Demo}/register/none", Everyone),
        ("POST", "/stripe/webhook", "/stripe/webhook", Everyone),
        ("GET", "/my/tickets", "/my/tickets", SignedIn),
        ("POST", "/my/tickets/{slug}/{orderId}/cancel", $"/my/tickets/{Demo}/none/cancel", SignedIn),
        ("GET", "/events/{slug}/tickets", $"/events/{Demo}/tickets", DemoOrganisers),
        ("GET", "/events/{slug}/tickets", $"/events/{Other}/tickets", SiteOrganisers),
        ("GET", "/events/{slug}/tickets/{typeId}/edit", $"/events/{Demo}/tickets/t1/edit", DemoOrganisers),
        ("POST", "/events/{slug}/tickets", $"/events/{Demo}/tickets", DemoOrganisers),
        ("POST", "/events/{slug}/tickets", $"/events/{Other}/tickets", SiteOrganisers),
        ("GET", "/events/{slug}/orders", $"/events/{Demo}/orders", DemoOrganisers),
        ("GET", "/events/{slug}/orders", $"/events/{Other}/orders", SiteOrganisers),
        ("POST", "/events/{slug}/orders/{orderId}", $"/events/{Demo}/orders/none", DemoOrganisers),
        ("POST", "/events/{slug}/orders/{orderId}", $"/events/{Other}/orders/none", SiteOrganisers),
        ("GET", "/events/{slug}/orders.csv", $"/events/{Demo}/orders.csv", DemoOrganisers),
        ("GET", "/events/{slug}/check-in", $"/events/{Demo}/check-in", DemoOrganisers),
        // Late: a site organiser's empty form archives the other event, after which it is read-only.
        ("POST", "/events/{slug}/archive", $"/events/{Other}/archive", SiteOrganisers),
        // Last: it ends the session of whoever may use it.
        ("POST", "/signout", "/signout", SignedIn),
        // After /signout, whose row signs everyone in again.
        ("POST", "/account/signout-everywhere", "/account/signout-everywhere", SignedIn),
    ];

    // Every hub method, with arguments, and who may call it.
    private static readonly (string Method, object?[] Arguments, Who[] Allowed)[] HubTable =
    [
        ("Subscribe", [new[] { new { topic = $"announcements:{Demo}", after = 0 } }], Everyone),
        // Renders a page with the caller's own cookies, so it gives each person what their GET gives.
        ("Region", [$"/events/{Demo}/sessions"], Everyone),
        ("PostAnnouncement", [Demo, "Matrix check", null, "matrix-demo"], DemoModerators),
        ("PostAnnouncement", [Other, "Matrix check", null, "matrix-other"], SiteOrganisers),
        ("ControlMixer", [Demo, "s3", "Pause", "matrix-mixer"], DemoModerators),
        ("ControlMixer", [Other, "s3", "Pause", "matrix-mixer"], SiteOrganisers),
        ("AskQuestion", [Demo, "s4", "Matrix question?", false, "matrix-q"], DemoMembers),
        ("AnswerPoll", [Demo, "s4", "none", "0", null, null, null, null, null, "matrix-poll"], DemoMembers),
        ("AskQuestion", [Other, "s4", "Matrix question?", false, "matrix-q"], SiteOrganisers),
        ("VoteQuestion", [Demo, "s4", "none", true, "key"], DemoMembers),
        ("RequestMeeting", [Demo, "nobody", "", "", "matrix-request"], DemoMembers),
        ("AcceptMeeting", [Demo, "none", "", "matrix-accept"], DemoMembers),
        ("DeclineMeeting", [Demo, "none", null, "matrix-decline"], DemoMembers),
        ("ScorePitch", [Demo, "s4", "kampala", null, null, null, "Pass", false, "matrix-score"], DemoInvestors),
        ("ScorePitch", [Other, "s4", "kampala", null, null, null, "Pass", false, "matrix-score"], SiteOrganisers),
        ("ControlPitchRoom", [Demo, "s4", "kampala", "NoSuchControl", null, "matrix-room"], DemoModerators),
        ("ControlPitchRoom", [Other, "s4", "kampala", "NoSuchControl", null, "matrix-room"], SiteOrganisers),
    ];

    private readonly EventsHost _host = shared.Host;

    [Fact]
    public void Every_endpoint_is_in_the_table_and_names_its_policy_or_is_explicitly_anonymous()
    {
        _host.StartServer();
        var endpoints = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var listed = Table.Select(r => (r.Method, r.Pattern)).ToHashSet();
        var missing = new List<string>();

        foreach (var endpoint in endpoints)
        {
            var pattern = Normalize(endpoint.RoutePattern);
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(anonymous || (policies.Count > 0 && policies.All(p => p is not null)),
                $"{string.Join(",", methods)} {pattern} ({endpoint.DisplayName}) names no policy and is not marked AllowAnonymous.");

            if (pattern.StartsWith("/_content/", StringComparison.Ordinal))
            {
                Assert.True(anonymous, $"Static asset {pattern} must be public.");
                continue;
            }

            missing.AddRange(methods.Where(m => m != "HEAD" && !listed.Contains((m, pattern))).Select(m => $"{m} {pattern}"));
        }

        Assert.True(missing.Count == 0, "Endpoints missing from the authorization table: " + string.Join("; ", missing));
        Assert.True(endpoints.Count > Table.Length);
    }

    [Fact]
    public async Task Each_role_is_allowed_or_denied_exactly_as_the_table_says()
    {
        await _host.Grains.GetGrain<IAgendaGrain>(Other).OpenAsync(new OpenEvent("Another network's day", "", "Africa/Maputo"));
        var browsers = new Dictionary<Who, TestBrowser>();
        var emails = new Dictionary<Who, string>();
        foreach (var who in Everyone)
        {
            var browser = new TestBrowser(_host);
            browsers[who] = browser;
            if (who == Who.Anonymous)
            {
                continue;
            }

            var email = $"{who.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@nakuru.example.org";
            if (who is >= Who.Attendee and <= Who.Organiser)
            {
                await _host.Grains.GetGrain<IEventAccessGrain>(Demo).GrantAsync("test", email, Enum.Parse<EventRole>(who.ToString()), null);
            }

            if (who == Who.SiteOrganiser)
            {
                await _host.Grains.GetGrain<ISiteGrain>(ISiteGrain.Key).AddOrganiserAsync(email);
            }

            await browser.SignInAsync(email);
            emails[who] = email;
        }

        var failures = new List<string>();
        // Hub methods first: the HTTP table ends by signing everyone out.
        foreach (var (who, browser) in browsers)
        {
            await using var hub = await Live.LiveClient.ConnectAsync(_host, browser);
            foreach (var (method, arguments, allowed) in HubTable)
            {
                string? refusal = null;
                try
                {
                    await hub.InvokeAsync(method, arguments);
                }
                catch (HubException ex)
                {
                    refusal = ex.Message;
                }

                var denied = refusal?.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) == true;
                // Allowed means authorization let the call through; the method may still refuse it for
                // its own reasons (an empty line-up, say), which is not a denial.
                if (denied == allowed.Contains(who))
                {
                    failures.Add($"{who} hub {method}({arguments[0]}): expected {(allowed.Contains(who) ? "allowed" : "denied")}, got {refusal ?? "allowed"}");
                }
            }
        }

        foreach (var (method, _, path, allowed) in Table)
        {
            foreach (var (who, browser) in browsers)
            {
                // A fresh antiforgery token for this person, from a page every person may see.
                await browser.GetPageAsync("/signin");
                using var response = method is "GET" or "*" ? await browser.GetAsync(path) : await browser.PostFormAsync(path);
                var denied = response.StatusCode == HttpStatusCode.Forbidden
                    || (response.StatusCode == HttpStatusCode.Found && response.Headers.Location!.OriginalString.StartsWith("/signin?", StringComparison.Ordinal));
                var expectedDenied = !allowed.Contains(who);
                if (denied != expectedDenied)
                {
                    failures.Add($"{who} {method} {path}: expected {(expectedDenied ? "denied" : "allowed")}, got {(int)response.StatusCode}");
                }

                if (denied && who != Who.Anonymous)
                {
                    Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                }
            }

            if (path == "/signout")
            {
                foreach (var (who, email) in emails)
                {
                    await browsers[who].SignInAsync(email);
                }
            }
        }

        foreach (var browser in browsers.Values)
        {
            browser.Dispose();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Every_hub_method_is_in_the_hub_table()
    {
        var methods = typeof(Web.Live.LiveHub).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Select(m => m.Name)
            .ToHashSet();

        Assert.Equal(methods.Order(), HubTable.Select(r => r.Method).Distinct().Order());
    }

    private static string Normalize(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "?",
        })));
        return "/" + string.Join('/', segments);
    }
}
