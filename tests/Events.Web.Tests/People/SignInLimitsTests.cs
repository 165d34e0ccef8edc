using System.Net;
using Events.Grains.People;

namespace Events.Web.Tests.People;

// What counts requests from one address, and what moves the server's clock, with the low limits
// these tests reach. The class's tests share one server that trusts the loopback address as its
// proxy: each test is a client at a forwarded address of its own, so it meets its own buckets only.
// They run one after another, so the test that moves the clock moves it between the others.
public sealed class SignInLimitsTests(SignInLimitsTests.LimitedHost shared) : IClassFixture<SignInLimitsTests.LimitedHost>
{
    private readonly EventsHost _host = shared.Host;

    public sealed class LimitedHost() : SharedHost(new Dictionary<string, string>
    {
        ["Site:PublicUrl"] = SignInTests.PublicUrl,
        ["Site:TrustedProxies:0"] = "127.0.0.1",
        ["RateLimits:SignInRequests"] = "4",
        ["RateLimits:CodeAttempts"] = "12",
    });

    [Fact]
    public async Task After_fifteen_minutes_the_link_and_the_code_are_refused_and_grant_nothing()
    {
        using var browser = new TestBrowser(_host) { ForwardedFor = "198.51.100.1" };
        var email = SignInTests.NewEmail();
        var (codePage, link, code) = await SignInTests.RequestAsync(_host, browser, email);
        var token = Uri.UnescapeDataString(link[(link.IndexOf("t=", StringComparison.Ordinal) + 2)..]);
        await browser.GetPageAsync(codePage);

        _host.Clock.Advance(SignInChallengeGrain.Lifetime + TimeSpan.FromSeconds(1));
        using var viaCode = await browser.PostFormAsync(codePage, ("code", code));
        using var viaLink = await browser.PostFormAsync("/signin/link", ("token", token));

        Assert.Equal(HttpStatusCode.Gone, viaCode.StatusCode);
        Assert.Contains("work for 15 minutes", await viaCode.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Gone, viaLink.StatusCode);
        Assert.False(browser.IsSignedIn);
        Assert.Null(await _host.Grains.GetGrain<IAccountGrain>(email).GetAsync());
    }

    [Fact]
    public async Task Sign_in_requests_are_limited_per_address_with_a_429_that_says_what_to_do()
    {
        using var browser = new TestBrowser(_host) { ForwardedFor = "198.51.100.2" };
        await browser.GetPageAsync("/signin");
        for (var i = 0; i < 4; i++)
        {
            using var allowed = await browser.PostFormAsync("/signin", ("email", SignInTests.NewEmail()));
            Assert.Equal(HttpStatusCode.Found, allowed.StatusCode);
        }

        using var refused = await browser.PostFormAsync("/signin", ("email", SignInTests.NewEmail()));

        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Contains("Too many attempts from your connection", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task Code_attempts_are_limited_per_address_across_requests()
    {
        using var browser = new TestBrowser(_host) { ForwardedFor = "198.51.100.3" };
        var pages = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            pages.Add((await SignInTests.RequestAsync(_host, browser, SignInTests.NewEmail())).CodePage);
        }

        var statuses = new List<HttpStatusCode>();
        foreach (var page in pages)
        {
            for (var i = 0; i < 5; i++)
            {
                using var response = await browser.PostFormAsync(page, ("code", "999999"));
                statuses.Add(response.StatusCode);
            }
        }

        Assert.Equal(12, statuses.Count(s => s != (HttpStatusCode)429));
        Assert.Equal((HttpStatusCode)429, statuses[^1]);
    }
}
