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
            // Pings both ways every 15 s keep an idle connection alive through mobile NATs for ~100 bytes a minute.
            options.KeepAliveInterval = TimeSpan.FromSeconds(15);
            options.ClientTimeoutInterval = TimeSpan.FromSeconds(45);
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
        // Live:TransportSendTimeout (SignalR's own, 10 s by default: a connection whose send has
        // waited that long is dropped) is set only by the slow-reader test, so that the reader stays.
        var sendTimeout = app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<TimeSpan?>("Live:TransportSendTimeout");
        app.MapHub<LiveHub>(LiveHub.Path, options =>
        {
            options.AllowStatefulReconnects = true;
            if (sendTimeout is { } timeout)
            {
                options.TransportSendTimeout = timeout;
            }
        }).AllowAnonymous();
        return app;
    }
}
