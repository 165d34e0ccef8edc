using System.Net;

namespace Events.Web.Tests.Security;

// The class's tests share one server with the origins configured; none of them writes.
public sealed class HubOriginTests(HubOriginTests.OriginsHost shared) : IClassFixture<HubOriginTests.OriginsHost>
{
    private readonly EventsHost _host = shared.Host;

    public sealed class OriginsHost() : SharedHost(new Dictionary<string, string>
    {
        ["Site:PublicUrl"] = "https://events.city.example",
        ["Site:AllowedOrigins:0"] = "https://partner.example:8443",
    });

    [Theory]
    [InlineData("https://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://events.city.example", HttpStatusCode.Forbidden)]
    [InlineData("https://events.city.example.evil.example", HttpStatusCode.Forbidden)]
    [InlineData("null", HttpStatusCode.Forbidden)]
    [InlineData("https://events.city.example", HttpStatusCode.OK)]
    [InlineData("https://partner.example:8443", HttpStatusCode.OK)]
    public async Task The_live_hub_answers_only_pages_of_the_site_and_the_configured_origins(string origin, HttpStatusCode expected)
    {
        using var client = _host.CreateHttpClient();

        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/live/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Origin", origin);
        using var negotiated = await client.SendAsync(negotiate, TestContext.Current.CancellationToken);
        using var socket = new HttpRequestMessage(HttpMethod.Get, "/live?id=x");
        socket.Headers.Add("Origin", origin);
        using var opened = await client.SendAsync(socket, TestContext.Current.CancellationToken);

        Assert.Equal(expected, negotiated.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal(HttpStatusCode.Forbidden, opened.StatusCode);
        }
    }

    [Fact]
    public async Task A_page_of_the_host_the_browser_asked_for_is_answered()
    {
        using var client = _host.CreateHttpClient();
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/live/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Origin", _host.BaseAddress.GetLeftPart(UriPartial.Authority));

        using var negotiated = await client.SendAsync(negotiate, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, negotiated.StatusCode);
    }
}
