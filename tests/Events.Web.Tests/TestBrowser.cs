using System.Net;
using System.Text.RegularExpressions;
using Events.Web.Security;

namespace Events.Web.Tests;

// One person's browser without JavaScript: keeps cookies (including Secure ones, as browsers do
// for 127.0.0.1), reads the antiforgery token from the last page, posts forms, never follows
// redirects on its own.
public sealed partial class TestBrowser(EventsHost host) : IDisposable
{
    private readonly HttpClient _client = host.CreateHttpClient();
    private readonly Dictionary<string, string> _cookies = [];
    private string? _formToken;

    public string? Email { get; private set; }

    public string? AcceptLanguage { get; set; }

    // Sent as X-Forwarded-For, as a proxy in front would (or a client pretending to be one).
    public string? ForwardedFor { get; set; }

    public IReadOnlyDictionary<string, string> Cookies => _cookies;

    public IList<string> LastSetCookieHeaders { get; } = [];

    public bool IsSignedIn => _cookies.ContainsKey(SecuritySetup.AuthCookie);

    public async Task<HttpResponseMessage> GetAsync(string path, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return await SendAsync(request);
    }

    public async Task<string> GetPageAsync(string path)
    {
        using var response = await GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {html}");
        return html;
    }

    // Posts a form as the page last fetched would: with its antiforgery token unless told otherwise.
    public async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, bool withToken = true, string? host = null)
    {
        var all = fields.ToList();
        if (withToken && _formToken is not null)
        {
            all.Add(new("__RequestVerificationToken", _formToken));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(all) };
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return await SendAsync(request);
    }

    public Task<HttpResponseMessage> PostFormAsync(string path, params (string Name, string Value)[] fields) =>
        PostFormAsync(path, fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));

    // The whole no-JavaScript sign-in: ask for a link, read the mail, type the code.
    public async Task SignInAsync(string email)
    {
        await GetPageAsync("/signin");
        using var requested = await PostFormAsync("/signin", ("email", email));
        Assert.Equal(HttpStatusCode.Found, requested.StatusCode);
        var codePage = requested.Headers.Location!.OriginalString;
        await GetPageAsync(codePage);
        var code = CodeIn(host.Outbox.ReadAll().Last(m => m.To == email).Body);
        using var signedIn = await PostFormAsync(codePage, ("code", code));
        Assert.True(signedIn.StatusCode == HttpStatusCode.Found, $"The code answered {(int)signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync()}");
        Assert.True(IsSignedIn);
        Email = email;
    }

    public static string CodeIn(string mailBody) => CodePattern().Match(mailBody).Groups[1].Value;

    public static string LinkIn(string mailBody) => LinkPattern().Match(mailBody).Value;

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (AcceptLanguage is not null)
        {
            request.Headers.Add("Accept-Language", AcceptLanguage);
        }

        if (ForwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", ForwardedFor);
        }

        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);
        LastSetCookieHeaders.Clear();
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                LastSetCookieHeaders.Add(header);
            }

            ApplySetCookies(_cookies, setCookies);
        }

        if (response.Content.Headers.ContentType?.MediaType == "text/html")
        {
            await response.Content.LoadIntoBufferAsync(TestContext.Current.CancellationToken);
            var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            if (TokenPattern().Match(html) is { Success: true } match)
            {
                _formToken = WebUtility.HtmlDecode(match.Groups[1].Value);
            }
        }

        return response;
    }

    // What a response's Set-Cookie headers do to a cookie jar: set, or delete (empty or expired).
    public static void ApplySetCookies(IDictionary<string, string> cookies, IEnumerable<string> setCookies)
    {
        foreach (var header in setCookies)
        {
            var pair = header.Split(';')[0].Split('=', 2);
            if (pair[1].Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                cookies.Remove(pair[0]);
            }
            else
            {
                cookies[pair[0]] = pair[1];
            }
        }
    }

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    // In any language: the six digits end the line that asks for them.
    [GeneratedRegex(@":\s*(\d{6})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"https?://\S+/signin/link\?t=\S+")]
    private static partial Regex LinkPattern();
}
