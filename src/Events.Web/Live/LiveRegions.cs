using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Events.Web.Live;

// A live region's refetch carried over the page's open live connection instead of a request of its
// own. On 2G a signed-in refetch request is ~1.2 KB of headers (the cookies and the browser's own)
// for a partial region of a few hundred bytes; over the connection it is the address alone.
//
// The region is rendered by the endpoint of its HTTP refetch, through the application's whole pipeline, as an
// HTTP refetch is, from a request made of the connection's own: its cookies, languages, host and
// client address. Whatever that pipeline would answer that is not a plain page (a redirect, an error,
// a new cookie the browser would never receive) gives null, and the page fetches over HTTP as before.
// The page also compares the rendering's view digest with its own, so a connection whose cookies are
// older than the page (a sign-in or a language change in another tab) never replaces what it shows.
//
// SignalR's JSON protocol carries text only, escapes every quote and angle bracket of HTML, and
// SignalR offers no WebSocket compression: the page is sent deflated, in base64 (browsers inflate it
// with DecompressionStream("deflate-raw")).
public sealed class LiveRegions(IHttpContextFactory contexts)
{
    private const int MaxUrlLength = 512;

    // Everything after the middleware that captured it: set once at start-up, before any connection.
    private RequestDelegate? _pipeline;

    public async Task<string?> RenderAsync(HttpContext? connection, string? url, CancellationToken aborted)
    {
        if (_pipeline is not { } pipeline || connection is null || !IsEventPage(url, out var path, out var query))
        {
            return null;
        }

        var request = new HttpRequestFeature
        {
            Method = HttpMethods.Get,
            Protocol = "HTTP/1.1",
            Scheme = connection.Request.Scheme,
            PathBase = connection.Request.PathBase,
            Path = path,
            QueryString = query,
        };
        foreach (var name in CarriedHeaders)
        {
            if (connection.Request.Headers.TryGetValue(name, out var values))
            {
                request.Headers[name] = values;
            }
        }

        using var body = new MemoryStream();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = connection.Connection.Id,
            RemoteIpAddress = connection.Connection.RemoteIpAddress,
            RemotePort = connection.Connection.RemotePort,
            LocalIpAddress = connection.Connection.LocalIpAddress,
            LocalPort = connection.Connection.LocalPort,
        });
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = aborted });
        features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature());

        var context = contexts.Create(features);
        try
        {
            await pipeline(context);
            await context.Response.CompleteAsync();
            var response = context.Response;
            if (response.StatusCode != StatusCodes.Status200OK
                || response.Headers.ContainsKey(HeaderNames.SetCookie)
                || response.Headers.ContainsKey(HeaderNames.ContentEncoding)
                || !(response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                return null;
            }

            return Deflated(body);
        }
        finally
        {
            contexts.Dispose(context);
        }
    }

    // What a region's rendering depends on: who (the cookies: sign-in, language and time-zone choices),
    // the browser's languages, and the host the page was asked from.
    private static readonly string[] CarriedHeaders = [HeaderNames.Cookie, HeaderNames.AcceptLanguage, HeaderNames.Host];

    // Only a page of an event on this site (regions live there): a path, never a scheme or another host.
    // Nothing is gained over an HTTP GET with the same cookies, which the browser could make anyway.
    private static bool IsEventPage(string? url, out string path, out string query)
    {
        path = "";
        query = "";
        if (url is not { Length: > 0 and <= MaxUrlLength } || !url.StartsWith("/events/", StringComparison.Ordinal)
            || url.Contains('\\') || url.Contains('#') || url.Contains("..", StringComparison.Ordinal) || url.Any(char.IsControl))
        {
            return false;
        }

        var queryStart = url.IndexOf('?');
        path = PathString.FromUriComponent(queryStart < 0 ? url : url[..queryStart]).Value ?? "";
        query = queryStart < 0 ? "" : url[queryStart..];
        return true;
    }

    private static string Deflated(MemoryStream body)
    {
        using var packed = new MemoryStream();
        using (var deflate = new DeflateStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(body.GetBuffer(), 0, (int)body.Length);
        }

        return Convert.ToBase64String(packed.GetBuffer(), 0, (int)packed.Length);
    }

    internal RequestDelegate Capture(RequestDelegate next) => _pipeline = next;
}
