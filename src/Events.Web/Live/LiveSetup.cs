using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
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
            // On 2G every ping costs a packet, its headers and an acknowledgement each way. Pings
            // every 50 s from here (live.js waits 120 s before it calls the connection dead: noticed
            // within 2 minutes) and every 100 s from the page (given 4 minutes here) keep an idle page
            // under 500 bytes a minute on the wire; mobile NATs keep TCP mappings for minutes.
            options.KeepAliveInterval = TimeSpan.FromSeconds(50);
            options.ClientTimeoutInterval = TimeSpan.FromMinutes(4);
            options.StatefulReconnectBufferSize = 256 * 1024;
            // Outermost first: refusals by the rate limit are logged like the others.
            options.AddFilter<HubRefusalLogFilter>();
            options.AddFilter<HubRateLimitFilter>();
            options.AddFilter<Catalog.ReadOnlyEventsHubFilter>();
        });
        services.AddLogging(logging => logging.AddFilter(HubRefusalLogFilter.DispatcherCategory, LogLevel.None));
        services.AddSingleton<HubRefusalLogFilter>();
        services.AddSingleton<HubRateLimitFilter>();
        services.AddSingleton<LiveLifetimeManager>();
        services.AddSingleton<HubLifetimeManager<LiveHub>>(sp => sp.GetRequiredService<LiveLifetimeManager>());
        services.AddOptions<LiveLimits>().BindConfiguration(LiveLimits.Section);
        services.AddSingleton<LiveTopics>();
        services.AddHostedService<LiveForwarder>();
        return services;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapHub<LiveHub>(LiveHub.Path, options => options.AllowStatefulReconnects = true).AllowAnonymous();
        return app;
    }
}
