using System.Net;

namespace Events.Web.Tests.Security;

// Behind a TLS proxy every request comes from the proxy's address: the sign-in limits must count
// the client the proxy forwarded, but only when the proxy is one the configuration trusts.
// The tests behind a trusted proxy share the class's server: each forwards client addresses and
// asks for addresses of its own, so their buckets never meet. The test without a trusted proxy has
// a server of its own, as every request it makes counts against the one loopback address.
public sealed class ForwardedAddressTests(ForwardedAddressTests.ProxiedHost proxied) : IClassFixture<ForwardedAddressTests.ProxiedHost>
{
    private static readonly Dictionary<string, string> Limits = new() { ["RateLimits:SignInRequests"] = "2", ["RateLimits:SignInRequestsPerPerson"] = "3" };

    public sealed class ProxiedHost() : SharedHost(new Dictionary<string, string>(Limits)
    {
        ["Site:TrustedProxies:0"] = "10.9.0.0/16",
        ["Site:TrustedProxies:1"] = "127.0.0.1",
    });

    private static string NewEmail() => $"person-{Guid.NewGuid():N}@bizerte.example.org";

    private static async Task<HttpStatusCode> RequestSignInAsync(TestBrowser browser, string forwardedFor, string email)
    {
        browser.ForwardedFor = forwardedFor;
        await browser.GetPageAsync("/signin");
        using var response = await browser.PostFormAsync("/signin", ("email", email));
        return response.StatusCode;
    }

    [Fact]
    public async Task A_forwarded_address_from_a_peer_that_is_not_a_trusted_proxy_is_ignored()
    {
        await using var host = new EventsHost(settings: Limits);
        using var browser = new TestBrowser(host);

        Assert.Equal(HttpStatusCode.Found, await RequestSignInAsync(browser, "198.51.100.1", NewEmail()));
        Assert.Equal(HttpStatusCode.Found, await RequestSignInAsync(browser, "198.51.100.2", NewEmail()));

        // A third "client" is still the same socket address: the spoofed header buys no fresh bucket.
        Assert.Equal((HttpStatusCode)429, await RequestSignInAsync(browser, "198.51.100.3", NewEmail()));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_one_noisy_client_exhausts_its_own_bucket_and_others_still_sign_in()
    {
        var host = proxied.Host;
        using var noisy = new TestBrowser(host);
        using var neighbour = new TestBrowser(host);

        Assert.Equal(HttpStatusCode.Found, await RequestSignInAsync(noisy, "203.0.113.7", NewEmail()));
        Assert.Equal(HttpStatusCode.Found, await RequestSignInAsync(noisy, "203.0.113.7", NewEmail()));
        Assert.Equal((HttpStatusCode)429, await RequestSignInAsync(noisy, "203.0.113.7", NewEmail()));

        // Another person, forwarded by the same proxy from another address, is not locked out.
        var email = NewEmail();
        Assert.Equal(HttpStatusCode.Found, await RequestSignInAsync(neighbour, "203.0.113.8", email));
        Assert.Contains(host.Outbox.ReadAll(), m => m.To == email);
    }

    [Fact]
    public async Task Mail_to_one_address_is_limited_whichever_client_asks_and_guessing_its_code_stays_closed()
    {
        var host = proxied.Host;
        using var attacker = new TestBrowser(host);
        var victim = NewEmail();

        // Three requests for the victim, each from a fresh forwarded address: each its own client bucket.
        var codePages = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            attacker.ForwardedFor = $"192.0.2.{i}";
            await attacker.GetPageAsync("/signin");
            using var requested = await attacker.PostFormAsync("/signin", ("email", victim));
            Assert.Equal(HttpStatusCode.Found, requested.StatusCode);
            codePages.Add(requested.Headers.Location!.OriginalString);
        }

        attacker.ForwardedFor = "192.0.2.50";
        await attacker.GetPageAsync("/signin");
        using var fourth = await attacker.PostFormAsync("/signin", ("email", victim));
        Assert.Equal((HttpStatusCode)429, fourth.StatusCode);
        Assert.Contains("Too many sign-in mails were sent to this address", await fourth.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(fourth.Headers.RetryAfter);
        Assert.Equal(3, host.Outbox.ReadAll().Count(m => m.To == victim));

        // Wrong codes from ever new addresses still close the challenge: even the right code is refused.
        var code = TestBrowser.CodeIn(host.Outbox.ReadAll().Last(m => m.To == victim).Body);
        var wrong = code == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
        {
            attacker.ForwardedFor = $"192.0.2.{100 + i}";
            using var guess = await attacker.PostFormAsync(codePages[^1], ("code", wrong));
            Assert.NotEqual((HttpStatusCode)429, guess.StatusCode);
        }

        attacker.ForwardedFor = "192.0.2.200";
        using var right = await attacker.PostFormAsync(codePages[^1], ("code", code));
        Assert.Equal(HttpStatusCode.Gone, right.StatusCode);
        Assert.False(attacker.IsSignedIn);

        // Someone else is not affected by the victim's limit.
        Assert.Equal(HttpStatusCode.Found, await RequestSignInAsync(attacker, "192.0.2.201", NewEmail()));
    }
}
