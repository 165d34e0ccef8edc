using System.Net;
using System.Text.RegularExpressions;

namespace Events.Bench;

// One person's browser without JavaScript, as far as the bench needs it: cookies, the form token,
// posting forms, and the whole sign-in by mailed code (read from the server's outbox folder, which
// is where mail goes when no SMTP host is configured).
public sealed partial class WebSession(HttpClient http, Uri server, string outbox)
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);
    private string? _formToken;

    public string CookieHeader => string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}"));

    public async Task<(HttpStatusCode Status, string? Location, string Body)> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, path));
        return await SendAsync(request);
    }

    public async Task<(HttpStatusCode Status, string? Location, string Body)> PostFormAsync(string path, params (string Name, string Value)[] fields)
    {
        var all = fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).ToList();
        if (_formToken is not null)
        {
            all.Add(new("__RequestVerificationToken", _formToken));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, path)) { Content = new FormUrlEncodedContent(all) };
        return await SendAsync(request);
    }

    public async Task SignInAsync(string email)
    {
        await GetAsync("/signin");
        var requested = await PostFormAsync("/signin", ("email", email));
        if (requested.Status != HttpStatusCode.Found || requested.Location is null)
        {
            throw new InvalidOperationException($"Sign-in for {email} answered {(int)requested.Status}.");
        }

        await GetAsync(requested.Location);
        var code = await CodeForAsync(email);
        var signedIn = await PostFormAsync(requested.Location, ("code", code));
        if (signedIn.Status != HttpStatusCode.Found)
        {
            throw new InvalidOperationException($"The code for {email} answered {(int)signedIn.Status}.");
        }
    }

    // Every mail is read once and deleted: the codes found are kept for whoever asks next.
    private static readonly Dictionary<string, string> Codes = new(StringComparer.Ordinal);
    private static readonly SemaphoreSlim Scanning = new(1, 1);

    private async Task<string> CodeForAsync(string email)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            await Scanning.WaitAsync();
            try
            {
                if (Codes.Remove(email, out var known))
                {
                    return known;
                }

                if (Directory.Exists(outbox))
                {
                    foreach (var file in Directory.GetFiles(outbox, "*.eml"))
                    {
                        var text = await File.ReadAllTextAsync(file);
                        File.Delete(file);
                        if (ToPattern().Match(text) is { Success: true } to && CodePattern().Match(text) is { Success: true } code)
                        {
                            Codes[to.Groups[1].Value] = code.Groups[1].Value;
                        }
                    }
                }

                if (Codes.Remove(email, out var found))
                {
                    return found;
                }
            }
            finally
            {
                Scanning.Release();
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No sign-in code for {email} reached {outbox}.");
    }

    private async Task<(HttpStatusCode, string?, string)> SendAsync(HttpRequestMessage request)
    {
        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", CookieHeader);
        }

        using var response = await http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                var pair = header.Split(';')[0].Split('=', 2);
                if (pair[1].Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                {
                    _cookies.Remove(pair[0]);
                }
                else
                {
                    _cookies[pair[0]] = pair[1];
                }
            }
        }

        var body = await response.Content.ReadAsStringAsync();
        if (TokenPattern().Match(body) is { Success: true } token)
        {
            _formToken = WebUtility.HtmlDecode(token.Groups[1].Value);
        }

        return (response.StatusCode, response.Headers.Location?.OriginalString, body);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"^To: (\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ToPattern();

    [GeneratedRegex(@":\s*(\d{6})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodePattern();
}
