using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

// The HTTP rate limiter never sees hub calls (they travel inside one connection), so hub methods
// are limited here, per connection.
public sealed class HubRateLimitFilter : IHubFilter
{
    public const int CallsPerWindow = 30;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, RateLimiter> _limiters = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var limiter = _limiters.GetOrAdd(invocationContext.Context.ConnectionId, _ => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = CallsPerWindow,
            Window = Window,
            QueueLimit = 0,
        }));
        using var lease = limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            throw new HubException(Localization.Text.Format(Localization.Text.LanguageOf(invocationContext.Context.GetHttpContext()), "live.too-many", CallsPerWindow, (int)Window.TotalSeconds));
        }

        return await next(invocationContext);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (_limiters.TryRemove(context.Context.ConnectionId, out var limiter))
        {
            limiter.Dispose();
        }

        return next(context, exception);
    }
}
