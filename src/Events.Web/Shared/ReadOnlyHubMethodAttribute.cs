using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Shared;

// A hub method that only reads what a page's GET would read (a region refetched over the
// connection): it is neither counted against the person's inputs (HubRateLimitFilter) nor refused
// on a read-only event (ReadOnlyEventsHubFilter, which takes a writing method's first string as
// the event's slug).
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyHubMethodAttribute : Attribute
{
    public static bool On(HubInvocationContext invocation) =>
        invocation.HubMethod.IsDefined(typeof(ReadOnlyHubMethodAttribute), inherit: false);
}
