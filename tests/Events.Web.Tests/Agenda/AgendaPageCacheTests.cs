using System.Net;
using Events.Grains.Announcements;
using Events.Grains.People;

namespace Events.Web.Tests.Agenda;

// Signed-out visitors share kept renderings of the agenda (see AgendaPageCache): what they must
// never notice is a stale page after a change, another language's page, or someone else's controls.
public sealed class AgendaPageCacheTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(bool FromCache, string Html)> AnonymousAsync(string language = "en", string encoding = "identity")
    {
        using var client = _host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/events/{Slug}");
        request.Headers.Add("Accept-Language", language);
        request.Headers.Add("Accept-Encoding", encoding);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.Age is not null, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_signed_out_visitor_is_served_the_kept_page_until_the_event_changes_then_the_new_one()
    {
        var first = await AnonymousAsync();
        var second = await AnonymousAsync();
        Assert.False(first.FromCache);
        Assert.True(second.FromCache, "The second identical anonymous request was rendered again.");
        Assert.Equal(first.Html, second.Html);

        var text = $"Room B moves to the annex {Guid.NewGuid():N}";
        await _host.Grains.GetGrain<IAnnouncementsGrain>(Slug).PostAsync("moderator@example.org", new PostAnnouncement(text, null, Guid.NewGuid().ToString("N")));

        var after = await AnonymousAsync();
        Assert.False(after.FromCache, "The announcement did not drop the kept page.");
        Assert.Contains(text, after.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kept_pages_differ_by_language_and_encoding()
    {
        await AnonymousAsync("en");
        var french = await AnonymousAsync("fr");
        Assert.False(french.FromCache);
        Assert.Contains("lang=\"fr\"", french.Html, StringComparison.Ordinal);

        using var client = _host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/events/{Slug}");
        request.Headers.Add("Accept-Encoding", "br");
        using var compressed = await client.SendAsync(request, Ct);
        Assert.Equal("br", Assert.Single(compressed.Content.Headers.ContentEncoding));
    }

    [Fact]
    public async Task A_signed_in_organiser_never_gets_the_visitors_page()
    {
        await AnonymousAsync();
        Assert.True((await AnonymousAsync()).FromCache);

        var email = $"organiser-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Organiser, null);
        using var organiser = new TestBrowser(_host);
        await organiser.SignInAsync(email);
        using var response = await organiser.GetAsync($"/events/{Slug}");
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Null(response.Headers.Age);
        Assert.Contains($"action=\"/events/{Slug}/announcements\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"action=\"/events/{Slug}/announcements\"", (await AnonymousAsync()).Html, StringComparison.Ordinal);
    }
}
