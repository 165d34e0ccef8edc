using System.Net;
using Events.Grains.People;
using Events.Web.Shared;

namespace Events.Web.Tests.Security;

// Every returnUrl goes through one check (Pages.LocalOr); these are the forms that left the site.
// On the run's server: each sign-in is a new person's, and nothing else is written.
public sealed class ReturnUrlTests(RunHost run) : IAsyncLifetime
{
    private readonly EventsHost _host = run.Host;

    public async ValueTask InitializeAsync() => await run.StartedAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static TheoryData<string> Escapes =>
    [
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/\r\n/evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "//evil.example",
        "/\\/evil.example",
        "/ /evil.example",
        "https://evil.example/",
        "/events/x\nSet-Cookie: a=b",
        "/\u00a0/evil.example",
    ];

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task The_language_and_time_zone_switchers_and_sign_in_send_a_foreign_return_address_home(string returnUrl)
    {
        using var browser = new TestBrowser(_host);
        var escaped = Uri.EscapeDataString(returnUrl);

        using var language = await browser.GetAsync($"/language/fr?returnUrl={escaped}");
        using var zone = await browser.GetAsync($"/timezone?tz=Africa%2FLagos&returnUrl={escaped}");
        using var signingIn = new TestBrowser(_host);
        var signIn = await SignInAsync(signingIn, $"ru-{Guid.NewGuid():N}@example.org", returnUrl);

        Assert.Equal((HttpStatusCode.Redirect, "/"), (language.StatusCode, language.Headers.Location!.OriginalString));
        Assert.Equal((HttpStatusCode.Redirect, "/"), (zone.StatusCode, zone.Headers.Location!.OriginalString));
        Assert.Equal("/", signIn);
    }

    [Fact]
    public async Task A_return_address_on_this_site_is_kept()
    {
        using var browser = new TestBrowser(_host);

        using var language = await browser.GetAsync($"/language/fr?returnUrl={Uri.EscapeDataString("/events/city-pilots-pitch-day?x=1#s2")}");

        Assert.Equal("/events/city-pilots-pitch-day?x=1#s2", language.Headers.Location!.OriginalString);
        Assert.Equal("/", Pages.LocalOr("/", "fallback"));
    }

    // Where a completed sign-in (with a profile already) sends the person.
    private async Task<string> SignInAsync(TestBrowser browser, string email, string returnUrl)
    {
        var account = _host.Grains.GetGrain<IAccountGrain>(email);
        await account.EnsureAsync("en");
        await account.UpdateProfileAsync(new AccountProfile("Ru", "City", "Benin", "en"));
        await browser.GetPageAsync("/signin");
        using var requested = await browser.PostFormAsync("/signin", ("email", email), ("returnUrl", returnUrl));
        var codePage = requested.Headers.Location!.OriginalString;
        await browser.GetPageAsync(codePage);
        var code = TestBrowser.CodeIn(_host.Outbox.ReadAll().Last(m => m.To == email).Body);
        using var signedIn = await browser.PostFormAsync(codePage, ("code", code), ("returnUrl", returnUrl));
        return signedIn.Headers.Location!.OriginalString;
    }
}
