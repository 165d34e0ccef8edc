using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Events.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Events.Web.Offline;

public sealed class OfflineOptions
{
    public const string Section = "Offline";

    // Off: pages stop registering the worker, and browsers that have it get one that deletes every
    // copy and unregisters itself at their next visit.
    public bool Copies { get; set; } = true;
}

// Marks a page whose last copy a browser keeps for reading offline: public when nobody is signed
// in, private (one person's) otherwise.
public sealed class OfflineCopyMetadata;

// Where power and links cut out, a phone that once loaded the agenda still shows it: a small
// service worker (sw.js) keeps the last copy of the pages marked here and serves it, saying so,
// only when the network fails.
public static class OfflineCopies
{
    public const string WorkerPath = "/sw.js";
    public const string CopyHeader = "Offline-Copy";
    public const string OwnerHeader = "Offline-Owner";

    // A worker that removes what an earlier one kept and then itself: the server's off switch.
    private const string RemovingWorker = """
        "use strict";
        self.addEventListener("install", () => self.skipWaiting());
        self.addEventListener("activate", (event) => event.waitUntil((async () => {
          for (const name of await caches.keys()) { await caches.delete(name); }
          await self.registration.unregister();
        })()));
        """;

    public static TBuilder KeepOfflineCopy<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new OfflineCopyMetadata());

    public static bool IsKept(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<OfflineOptions>>().Value.Copies
        && http.GetEndpoint()?.Metadata.GetMetadata<OfflineCopyMetadata>() is not null;

    public static IServiceCollection AddOfflineCopies(this IServiceCollection services)
    {
        services.AddOptions<OfflineOptions>().BindConfiguration(OfflineOptions.Section);
        return services;
    }

    // Every HTML answer names whose it is, so that a worker drops one person's copies as soon as
    // the browser is someone else's or nobody's (sign-out, "sign out everywhere", an expired session).
    public static IApplicationBuilder UseOfflineCopies(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (HttpMethods.IsGet(http.Request.Method) && http.RequestServices.GetRequiredService<IOptions<OfflineOptions>>().Value.Copies)
        {
            http.Response.OnStarting(() =>
            {
                // A region a live page fetches is never kept nor seen by the worker: only documents
                // and the pages the worker itself fetches to keep need to say whose they are.
                if (http.Response.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true
                    && (http.Request.Headers["Sec-Fetch-Dest"] != "empty" || IsKept(http)))
                {
                    var owner = Owner(http);
                    http.Response.Headers[OwnerHeader] = owner;
                    if (http.Response.StatusCode == StatusCodes.Status200OK && IsKept(http))
                    {
                        http.Response.Headers[CopyHeader] = owner == "-" ? "public" : "private";
                    }
                }

                return Task.CompletedTask;
            });
        }

        return next(http);
    });

    public static IEndpointRouteBuilder MapOfflineCopies(this IEndpointRouteBuilder app)
    {
        var worker = Worker.Load();
        app.MapGet(WorkerPath, (HttpContext http, IOptions<OfflineOptions> options) =>
        {
            var served = options.Value.Copies ? worker : Worker.Removing;
            // Browsers check the worker at each visit; no-cache makes that check reach us, and the
            // ETag lets an unchanged worker cost a 304 instead of its bytes.
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers.Vary = HeaderNames.AcceptEncoding;
            http.Response.Headers.ETag = served.ETag;
            if (http.Request.Headers.IfNoneMatch.ToString() == served.ETag)
            {
                return (IResult)TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }

            var (plain, brotli) = (served.Plain, served.Brotli);
            if (http.Request.Headers.AcceptEncoding.ToString().Contains("br", StringComparison.Ordinal))
            {
                http.Response.Headers.ContentEncoding = "br";
                return TypedResults.Bytes(brotli, "text/javascript; charset=utf-8");
            }

            return TypedResults.Bytes(plain, "text/javascript; charset=utf-8");
        }).AllowAnonymous();
        return app;
    }

    // A person's copies are told apart by a digest of their address, never the address itself.
    private static string Owner(HttpContext http) => http.User.Email() is { } email
        ? Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(email.ToLowerInvariant())), 0, 12)
        : "-";

    private sealed record Worker(byte[] Plain, byte[] Brotli)
    {
        public string ETag { get; } = "\"" + Convert.ToHexString(SHA256.HashData(Plain), 0, 8) + "\"";

        public static readonly Worker Removing = From(Encoding.UTF8.GetBytes(RemovingWorker));

        public static Worker Load()
        {
            using var stream = typeof(OfflineCopies).Assembly.GetManifestResourceStream("Events.Web.Offline.sw.js")
                ?? throw new InvalidOperationException("sw.js is not embedded in Events.Web.");
            using var plain = new MemoryStream();
            stream.CopyTo(plain);
            return From(plain.ToArray());
        }

        private static Worker From(byte[] plain)
        {
            using var compressed = new MemoryStream();
            using (var brotli = new BrotliStream(compressed, CompressionLevel.SmallestSize))
            {
                brotli.Write(plain);
            }

            return new Worker(plain, compressed.ToArray());
        }
    }
}
