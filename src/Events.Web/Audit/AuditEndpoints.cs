using Events.Grains.Agenda;
using Events.Grains.Audit;
using Events.Web.Agenda;
using Orleans;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Audit;

public static class AuditEndpoints
{
    public const int PageSize = 500;

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events/{slug}/audit", ShowAudit).RequireAuthorization(Policies.EventOrganiser);
        return app;
    }

    private static async Task<IResult> ShowAudit(string slug, IGrainFactory grains, HttpContext http)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var entries = await grains.GetGrain<IAuditTrailGrain>(slug).ListAsync(PageSize);
        var zone = TimeZoneChoice.Of(http)
            ?? (TimeZoneInfo.TryFindSystemTimeZoneById(agenda.TimeZoneId, out var eventZone) ? eventZone : TimeZoneInfo.Utc);
        return Pages.Render(new AuditPage { Slug = slug, EventTitle = agenda.Title, Entries = entries, Zone = zone });
    }
}
