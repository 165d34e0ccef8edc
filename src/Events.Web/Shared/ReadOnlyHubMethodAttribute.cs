using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Shared;

// A hub method that only reads what a page's GET would read (a region refetched over the
// connection): it is neither counted against the person's inputs (HubRateLimitFilter) nor refused
// on a read-only event (ReadOnlyEventsHubFilter, which takes a writing method's first string as
// the event's slug).
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyHubMethodAttribute : Attribute
{
    // Asked by two filters on every hub call: reading attributes by reflection each time was 2% of a
    // vote's CPU. The hub's methods are a fixed handful.
    private static readonly ConcurrentDictionary<MethodInfo, bool> Marked = new();

    public static bool On(HubInvocationContext invocation) =>
        Marked.GetOrAdd(invocation.HubMethod, static method => method.IsDefined(typeof(ReadOnlyHubMethodAttribute), inherit: false));
}
