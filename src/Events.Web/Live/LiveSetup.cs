using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Events.Web.Live;

public static class LiveSetup
{
    public static IServiceCollection AddLive(this IServiceCollection services)
    {
        services.AddSignalR(options =>
        {
            options.MaximumReceiveMessageSize = 16 * 1024;
            // On 2G every ping costs a packet each way with its headers (~117 bytes). Chromium probes
            // any TCP connection idle for 45 s (two packets, ~104 bytes) whatever the page does, so
            // pings every 40 s replace those probes instead of adding to them; live.js calls the
            // connection dead after 2 minutes without a word. Pages ping only every 10 minutes: the
            // server's pings already keep NAT mappings open, and a vanished phone's connection ends
            // when TCP gives up on those pings (~15 minutes), before the 20-minute client timeout.
            options.KeepAliveInterval = TimeSpan.FromSeconds(40);
            options.ClientTimeoutInterval = TimeSpan.FromMinutes(20);
            // Outermost first: refusals by the rate limit are logged like the others.
            options.AddFilter<HubRefusalLogFilter>();
            options.AddFilter<HubRateLimitFilter>();
            options.AddFilter<Catalog.ReadOnlyEventsHubFilter>();
            options.AddFilter<HubProblemFilter>();
        });
        services.AddLogging(logging => logging.AddFilter(HubRefusalLogFilter.DispatcherCategory, LogLevel.None));
        services.AddSingleton<HubRefusalLogFilter>();
        services.AddSingleton<HubRateLimitFilter>();
        services.AddSingleton<HubProblemFilter>();
        services.AddSingleton<LiveLifetimeManager>();
        services.AddSingleton<HubLifetimeManager<LiveHub>>(sp => sp.GetRequiredService<LiveLifetimeManager>());
        services.AddOptions<LiveLimits>().BindConfiguration(LiveLimits.Section);
        services.AddSingleton<LiveTopics>();
        services.AddSingleton<LiveRegions>();
        services.AddHostedService<LiveForwarder>();
        return services;
    }

    // First in the pipeline: what follows it is the whole application, which regions refetched over
    // the live connection go through (LiveRegions). Routing is named here, right after, because a
    // WebApplication otherwise puts it before everything, and a region's request must be routed too.
    public static WebApplication UseLiveRegions(this WebApplication app)
    {
        var regions = app.Services.GetRequiredService<LiveRegions>();
        app.Use(regions.Capture);
        app.UseRouting();
        return app;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        // No stateful reconnect: its acknowledgement after every push (a packet each way, ~136
        // bytes on the wire) doubled the cost of a vote count on 2G, and pages already catch up by
        // sequence number after any drop while inputs wait in localStorage with idempotency keys.
        // Live:TransportSendTimeout (SignalR's own, 10 s by default: a connection whose send has
        // waited that long is dropped) is set only by the slow-reader test, so that the reader stays.
        var sendTimeout = app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<TimeSpan?>("Live:TransportSendTimeout");
        app.MapHub<LiveHub>(LiveHub.Path, options =>
        {
            if (sendTimeout is { } timeout)
            {
                options.TransportSendTimeout = timeout;
            }
        }).AllowAnonymous();
        return app;
    }
}
