using System.Net;
using Events.Grains.People;
using Events.Web.Security;

namespace Events.Web.Tests.People;

// One server for the class: every test signs in people of its own. The limits per address and
// the server's clock are tested in SignInLimitsTests, on a server each.
public sealed class SignInTests(PublicUrlHost run) : IAsyncLifetime
{
    public const string PublicUrl = PublicUrlHost.Url;

    private readonly EventsHost _host = run.Host;

    public ValueTask InitializeAsync() => new(run.StartedAsync());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static string NewEmail() => $"person-{Guid.NewGuid():N}@kumasi.example.org";

    private Task<(string CodePage, string Link, string Code)> RequestAsync(TestBrowser browser, string email) => RequestAsync(_host, browser, email);

    public static async Task<(string CodePage, string Link, string Code)> RequestAsync(EventsHost host, TestBrowser browser, string email)
    {
        await browser.GetPageAsync("/signin");
        using var response = await browser.PostFormAsync("/signin", ("email", email));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var mail = host.Outbox.ReadAll().Last(m => m.To == email);
        return (response.Headers.Location!.OriginalString, TestBrowser.LinkIn(mail.Body), TestBrowser.CodeIn(mail.Body));
    }

    private static string LocalPath(string link) => new Uri(link).PathAndQuery;

    [Fact]
    public async Task The_whole_link_flow_over_http_signs_a_new_person_in_with_a_safe_cookie()
    {
        using var browser = new TestBrowser(_host);
        var email = NewEmail();

        var (codePage, link, code) = await RequestAsync(browser, email);

        Assert.Matches("^/signin/[A-Za-z0-9_-]+$", codePage);
        Assert.Matches("^[0-9]{6}$", code);
        Assert.StartsWith($"{PublicUrl}/signin/link?t=", link);
        var mail = _host.Outbox.ReadAll().Last(m => m.To == email);
        Assert.Equal("Sign in to Events", mail.Subject);
        Assert.DoesNotContain(code, mail.Subject);

        using var landing = await browser.GetAsync(LocalPath(link));
        var landingHtml = await landing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        Assert.Equal("no-referrer", landing.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("@kumasi.example.org", landingHtml);
        Assert.False(browser.IsSignedIn);

        var token = Uri.UnescapeDataString(link[(link.IndexOf("t=", StringComparison.Ordinal) + 2)..]);
        using var redeemed = await browser.PostFormAsync("/signin/link", ("token", token));

        Assert.Equal(HttpStatusCode.Found, redeemed.StatusCode);
        Assert.Equal("/account?welcome=true", redeemed.Headers.Location!.OriginalString);
        var cookie = browser.LastSetCookieHeaders.Single(h => h.StartsWith(SecuritySetup.AuthCookie + "=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("secure", cookie);
        Assert.Contains("samesite=lax", cookie);

        var account = await browser.GetPageAsync("/account?welcome=true");
        Assert.Contains($"Signed in as <strong>{email}</strong>", account);
        Assert.NotNull(await _host.Grains.GetGrain<IAccountGrain>(email).GetAsync());
    }

    [Fact]
    public async Task The_code_signs_in_on_the_device_that_asked_and_then_the_profile_is_saved()
    {
        using var browser = new TestBrowser(_host);
        var email = NewEmail();
        var (codePage, _, code) = await RequestAsync(browser, email);
        await browser.GetPageAsync(codePage);

        using var signedIn = await browser.PostFormAsync(codePage, ("code", code[..3] + " " + code[3..]));
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        await browser.GetPageAsync("/account");
        using var saved = await browser.PostFormAsync("/account", ("displayName", "Ama Owusu"), ("organisation", "Kumasi Metropolitan Assembly"), ("country", "Ghana"), ("language", "fr"));

        Assert.Equal("/account?saved=true", saved.Headers.Location!.OriginalString);
        var account = await _host.Grains.GetGrain<IAccountGrain>(email).GetAsync();
        Assert.Equal(new Account(email, "Ama Owusu", "Kumasi Metropolitan Assembly", "Ghana", "fr", account!.CreatedAt), account);
    }

    [Fact]
    public async Task A_used_link_and_its_code_are_refused_the_second_time_and_grant_nothing()
    {
        using var first = new TestBrowser(_host);
        var (codePage, link, code) = await RequestAsync(first, NewEmail());
        var token = Uri.UnescapeDataString(link[(link.IndexOf("t=", StringComparison.Ordinal) + 2)..]);
        await first.GetPageAsync(LocalPath(link));
        using var once = await first.PostFormAsync("/signin/link", ("token", token));
        Assert.Equal(HttpStatusCode.Found, once.StatusCode);

        using var second = new TestBrowser(_host);
        await second.GetPageAsync("/signin");
        using var again = await second.PostFormAsync("/signin/link", ("token", token));
        using var codeAgain = await second.PostFormAsync(codePage, ("code", code));

        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("was used already", await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Gone, codeAgain.StatusCode);
        Assert.False(second.IsSignedIn);
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("challenge")]
    [InlineData("shape")]
    public async Task A_tampered_link_is_refused_with_a_clear_page_and_grants_nothing(string part)
    {
        using var browser = new TestBrowser(_host);
        var (_, link, _) = await RequestAsync(browser, NewEmail());
        var token = Uri.UnescapeDataString(link[(link.IndexOf("t=", StringComparison.Ordinal) + 2)..]);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var tampered = part switch
        {
            "secret" => token[..(dot + 1)] + (token[dot + 1] == 'A' ? 'B' : 'A') + token[(dot + 2)..],
            "challenge" => (token[0] == 'A' ? 'B' : 'A') + token[1..],
            _ => token.Replace(".", "", StringComparison.Ordinal),
        };

        using var landing = await browser.GetAsync($"/signin/link?t={Uri.EscapeDataString(tampered)}");
        await browser.GetPageAsync("/signin");
        using var posted = await browser.PostFormAsync("/signin/link", ("token", tampered));

        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        Assert.Contains("This sign-in link is not one we sent", await posted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(part == "secret" ? HttpStatusCode.OK : HttpStatusCode.NotFound, landing.StatusCode);
        Assert.False(browser.IsSignedIn);

        // The real link still works: a wrong guess spends nothing.
        await browser.GetPageAsync("/signin");
        using var real = await browser.PostFormAsync("/signin/link", ("token", token));
        Assert.Equal(HttpStatusCode.Found, real.StatusCode);
    }

    [Fact]
    public async Task Five_wrong_codes_close_the_request_so_even_the_right_code_is_refused()
    {
        using var browser = new TestBrowser(_host);
        var (codePage, _, code) = await RequestAsync(browser, NewEmail());
        await browser.GetPageAsync(codePage);
        var wrong = code == "000000" ? "111111" : "000000";

        for (var attempt = 1; attempt < SignInChallengeGrain.MaxCodeAttempts; attempt++)
        {
            using var rejected = await browser.PostFormAsync(codePage, ("code", wrong));
            Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
            Assert.Contains($"You can try {SignInChallengeGrain.MaxCodeAttempts - attempt} more", await rejected.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        using var fifth = await browser.PostFormAsync(codePage, ("code", wrong));
        using var right = await browser.PostFormAsync(codePage, ("code", code));

        Assert.Equal(HttpStatusCode.Gone, fifth.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, right.StatusCode);
        Assert.Contains("Too many wrong codes", await right.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.False(browser.IsSignedIn);
    }

    [Fact]
    public async Task Mail_links_come_from_configuration_never_from_the_host_header()
    {
        using var browser = new TestBrowser(_host);
        var email = NewEmail();
        await browser.GetPageAsync("/signin");

        using var response = await browser.PostFormAsync("/signin", [KeyValuePair.Create("email", email)], host: "attacker.example");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var body = _host.Outbox.ReadAll().Last(m => m.To == email).Body;
        Assert.StartsWith(PublicUrl + "/", TestBrowser.LinkIn(body));
        Assert.DoesNotContain("attacker.example", body);
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_refused_with_a_page_and_nothing_is_sent()
    {
        using var browser = new TestBrowser(_host);
        var email = NewEmail();

        using var response = await browser.PostFormAsync("/signin", [KeyValuePair.Create("email", email)], withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("nothing was saved", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.DoesNotContain(_host.Outbox.ReadAll(), m => m.To == email);
    }

    [Fact]
    public async Task A_malformed_address_is_refused_with_the_reason_and_the_typed_text_kept()
    {
        using var browser = new TestBrowser(_host);
        await browser.GetPageAsync("/signin");

        using var response = await browser.PostFormAsync("/signin", ("email", "amina at bizerte"));
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not an email address we can send to", html);
        Assert.Contains("value=\"amina at bizerte\"", html);
    }

    [Fact]
    public async Task Every_page_carries_the_security_headers()
    {
        using var browser = new TestBrowser(_host);

        using var response = await browser.GetAsync("/signin");

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        using var browser = new TestBrowser(_host);
        await browser.SignInAsync(NewEmail());
        await browser.GetPageAsync("/account");

        using var signedOut = await browser.PostFormAsync("/signout");
        using var account = await browser.GetAsync("/account");

        Assert.Equal(HttpStatusCode.Found, signedOut.StatusCode);
        Assert.False(browser.IsSignedIn);
        Assert.Equal(HttpStatusCode.Found, account.StatusCode);
        Assert.StartsWith("/signin?returnUrl=", account.Headers.Location!.OriginalString);
    }

    // The cookie as it was before signing out, presented again (a copy kept by whoever had it).
    [Fact]
    public async Task A_copy_of_the_cookie_taken_before_signing_out_no_longer_signs_anyone_in()
    {
        using var browser = new TestBrowser(_host);
        await browser.SignInAsync(NewEmail());
        await browser.GetPageAsync("/account");
        var copy = browser.Cookies[SecuritySetup.AuthCookie];

        using var signedOut = await browser.PostFormAsync("/signout");
        using var replayed = await WithCookieAsync(copy, "/account");

        Assert.Equal(HttpStatusCode.Found, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Found, replayed.StatusCode);
        Assert.StartsWith("/signin?returnUrl=", replayed.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_every_session_of_the_person_and_a_new_sign_in_works()
    {
        var email = NewEmail();
        using var phone = new TestBrowser(_host);
        using var office = new TestBrowser(_host);
        await phone.SignInAsync(email);
        await office.SignInAsync(email);
        using var someoneElse = new TestBrowser(_host);
        await someoneElse.SignInAsync(NewEmail());

        await office.GetPageAsync("/account");
        using var everywhere = await office.PostFormAsync("/account/signout-everywhere");
        using var onPhone = await phone.GetAsync("/account");
        using var onOffice = await WithCookieAsync(office.Cookies.GetValueOrDefault(SecuritySetup.AuthCookie) ?? "", "/account");

        Assert.Equal(HttpStatusCode.Found, everywhere.StatusCode);
        Assert.Equal(HttpStatusCode.Found, onPhone.StatusCode);
        Assert.Equal(HttpStatusCode.Found, onOffice.StatusCode);
        await someoneElse.GetPageAsync("/account");
        using var again = new TestBrowser(_host);
        await again.SignInAsync(email);
        await again.GetPageAsync("/account");
    }

    private async Task<HttpResponseMessage> WithCookieAsync(string authCookie, string path)
    {
        using var client = _host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"{SecuritySetup.AuthCookie}={authCookie}");
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
