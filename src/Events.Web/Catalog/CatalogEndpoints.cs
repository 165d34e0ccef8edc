using Events.Grains.Catalog;
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

    private static async Task<RazorComponentResult<EventListPage>> GetEventList(IGrainFactory grains)
    {
        var events = await grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync();
        return new RazorComponentResult<EventListPage>(new { Events = events });
    }
}
