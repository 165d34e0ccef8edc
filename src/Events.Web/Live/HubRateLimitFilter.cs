using Events.Web.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

// The HTTP rate limiter never sees hub calls (they travel inside one connection), so hub methods
// are limited here, per connection, by a fixed window kept in the connection's own items: no timer
// and no limiter object per connection (a FixedWindowRateLimiter each cost most of the idle CPU
// at 10,000 connections), and nothing to clean up when the connection goes.
public sealed class HubRateLimitFilter : IHubFilter
{
    public const int CallsPerWindow = 30;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private static readonly object Key = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // A region refetched over the connection is what an HTTP refetch was, and those are not
        // limited either: counted here it would take the allowance of the person's own inputs.
        if (ReadOnlyHubMethodAttribute.On(invocationContext))
        {
            return await next(invocationContext);
        }

        var items = invocationContext.Context.Items;
        var window = items.TryGetValue(Key, out var found) ? (CallWindow)found! : (CallWindow)(items[Key] = new CallWindow());
        if (!window.TryTake(Environment.TickCount64))
        {
            throw new HubException(Localization.Text.Format(Localization.Text.LanguageOf(invocationContext.Context.GetHttpContext()), "live.too-many", CallsPerWindow, (int)Window.TotalSeconds));
        }

        return await next(invocationContext);
    }

    private sealed class CallWindow
    {
        private long _start = long.MinValue;
        private int _calls;

        // Milliseconds of the machine's monotonic clock (the test clock stands still; calls do not).
        public bool TryTake(long now)
        {
            lock (this)
            {
                if (_start == long.MinValue || now - _start >= (long)Window.TotalMilliseconds)
                {
                    _start = now;
                    _calls = 0;
                }

                return ++_calls <= CallsPerWindow;
            }
        }
    }
}
