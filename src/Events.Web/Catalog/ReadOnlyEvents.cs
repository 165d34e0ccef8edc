using Events.Grains;
using Events.Grains.Agenda;
using Events.Web.Localization;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace Events.Web.Catalog;

// A cancelled or archived event is read-only everywhere, not only in its agenda: every form post
// under /events/{slug} is refused with one page before it reaches a feature, while pages and
// exports keep working. Endpoints that must still work (archiving a cancelled event) carry Allowed.
public static class ReadOnlyEvents
{
    public static readonly object Allowed = new AllowedOnReadOnlyEvent();

    // Only posts are awaited here; everything else, live connections included, is handed on as it is
    // (see Security.SecuritySetup.RefuseForgedForms).
    public static IApplicationBuilder UseReadOnlyEvents(this IApplicationBuilder app) => app.Use((http, next) =>
        HttpMethods.IsPost(http.Request.Method) ? RefuseOnReadOnlyEventAsync(http, next) : next(http));

    private static async Task RefuseOnReadOnlyEventAsync(HttpContext http, RequestDelegate next)
    {
        if (http.GetRouteValue("slug") is string slug
            && http.GetEndpoint() is { } endpoint
            && endpoint.Metadata.GetMetadata<AllowedOnReadOnlyEvent>() is null
            && await http.RequestServices.GetRequiredService<IGrainFactory>().Reference<IAgendaGrain>(slug).GetAsync() is { IsReadOnly: true } agenda)
        {
            await Pages.Message(StatusCodes.Status409Conflict, "event.read-only-title", "problem.EventReadOnly", $"/events/{slug}", null, agenda.Title)
                .ExecuteAsync(http);
            return;
        }

        await next(http);
    }

    private sealed class AllowedOnReadOnlyEvent;
}

// The same rule for the hub: every event-scoped hub method takes the event's slug first, and all
// of them write but Subscribe (which takes none) and those marked ReadOnlyHubMethod (Region takes a
// page's address and only reads, as a page's GET does).
public sealed class ReadOnlyEventsHubFilter(IGrainFactory grains) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (!ReadOnlyHubMethodAttribute.On(invocationContext)
            && invocationContext.HubMethodArguments.FirstOrDefault() is string slug
            && await grains.Reference<IAgendaGrain>(slug).GetAsync() is { IsReadOnly: true } agenda)
        {
            throw new HubException(Text.Format(Text.LanguageOf(invocationContext.Context.GetHttpContext()), "problem.EventReadOnly", agenda.Title));
        }

        return await next(invocationContext);
    }
}
