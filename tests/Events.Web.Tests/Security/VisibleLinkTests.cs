using System.Net;
using System.Text.RegularExpressions;
using Events.Grains.People;
using Events.Silo;

namespace Events.Web.Tests.Security;

// A control shown to a role works for it: every link a role sees on the event's main pages opens.
public sealed partial class VisibleLinkTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    [Theory]
    [InlineData(EventRole.Attendee)]
    [InlineData(EventRole.Investor)]
    [InlineData(EventRole.Presenter)]
    [InlineData(EventRole.Moderator)]
    [InlineData(EventRole.Organiser)]
    public async Task Every_link_a_role_sees_on_the_event_pages_opens_for_it(EventRole role)
    {
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, role, role == EventRole.Presenter ? "Kampala" : null);
        using var browser = new TestBrowser(_host);
        await browser.SignInAsync(email);

        var refused = new List<string>();
        foreach (var page in new[] { $"/events/{Slug}", $"/events/{Slug}/qa/s4", $"/events/{Slug}/polls/s4", $"/events/{Slug}/rooms/s4", $"/events/{Slug}/pitches", $"/events/{Slug}/follow-ups" }
            .Concat(role == EventRole.Organiser ? [$"/events/{Slug}/manage"] : []))
        {
            var html = await browser.GetPageAsync(page);
            foreach (var link in Link().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Distinct())
            {
                using var response = await browser.GetAsync(link);
                if (response.StatusCode == HttpStatusCode.Forbidden
                    || (response.StatusCode == HttpStatusCode.Found && response.Headers.Location!.OriginalString.StartsWith("/signin", StringComparison.Ordinal)))
                {
                    refused.Add($"{page} shows {link}: {(int)response.StatusCode}");
                }
            }
        }

        Assert.True(refused.Count == 0, string.Join("\n", refused));
    }

    // Links to this site's pages (not the sign-out form, not static files, not anchors alone).
    [GeneratedRegex("<a [^>]*href=\"(/[^\"#]*)[^\"]*\"")]
    private static partial Regex Link();
}
