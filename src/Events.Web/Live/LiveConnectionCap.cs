using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Events.Web.Live;

public sealed class LiveLimits
{
    public const string Section = "Live";

    // Live connections this process keeps at once; beyond it a new one is answered 503 at
    // negotiation (or at the WebSocket upgrade) and everyone already in keeps being served. Unset:
    // derived from the open-file limit (see DefaultMaxConnections).
    public int? MaxConnections { get; set; }

    // Each connection is a socket, i.e. a file descriptor. At the limit the process used to abort
    // ("Out of memory.") and drop everyone, so keep a quarter (at least 256) for the database,
    // files and the connections of plain page views.
    public static int DefaultMaxConnections(long openFileLimit) =>
        (int)Math.Clamp(openFileLimit - Math.Max(256, openFileLimit / 4), 16, int.MaxValue);

    // The process's soft limit on open files (ulimit -n), from /proc on Linux; 1024 elsewhere.
    public static long OpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return soft is null ? 1024 : soft == "unlimited" ? int.MaxValue : long.Parse(soft, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 1024;
        }
        catch (UnauthorizedAccessException)
        {
            return 1024;
        }
    }

    public int Effective => MaxConnections is > 0 and var set ? set : DefaultMaxConnections(OpenFileLimit());
}

public static class LiveConnectionCap
{
    // Before routing: a negotiation or a connection to the hub beyond the cap gets 503 and a
    // Retry-After; live.js retries by itself and the page works without it meanwhile.
    public static IApplicationBuilder UseLiveConnectionCap(this IApplicationBuilder app)
    {
        var limit = app.ApplicationServices.GetRequiredService<IOptions<LiveLimits>>().Value.Effective;
        var connections = app.ApplicationServices.GetRequiredService<LiveLifetimeManager>();
        return app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(LiveHub.Path) && connections.Count >= limit
                && (context.Request.Path.StartsWithSegments(LiveHub.Path + "/negotiate") || context.WebSockets.IsWebSocketRequest))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "30";
                return Task.CompletedTask;
            }

            return next(context);
        });
    }
}
