using Events.Grains.Catalog;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Http;
using Orleans;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Catalog;

public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetEventList).WithName("events").AllowAnonymous();
        return app;
    }

    private static async Task<RazorComponentResult<EventListPage>> GetEventList(HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        var events = await grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync();
        var canCreate = await http.Viewer().IsSiteOrganiserAsync();
        return Pages.Render(new EventListPage { Events = events, Now = clock.GetUtcNow(), CanCreate = canCreate });
    }
}
