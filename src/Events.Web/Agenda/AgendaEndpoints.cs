using Events.Grains.Agenda;
using Events.Grains.Runtime;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Agenda;

public static class AgendaEndpoints
{
    public static IEndpointRouteBuilder MapAgenda(this IEndpointRouteBuilder app)
    {
        // The agenda is public: attendees follow it without an account.
        var events = app.MapGroup("/events").AllowAnonymous();
        // An event's address: lower-case letters, digits and dashes, at most 64 characters.
        events.MapGet("/{slug:regex(^[a-z0-9][a-z0-9-]{{0,63}}$)}", GetAgendaPage).WithName("agenda");
        return app;
    }

    private static async Task<Results<RazorComponentResult<AgendaPage>, RazorComponentResult<MessagePage>>> GetAgendaPage(string slug, IGrainFactory grains)
    {
        var agenda = await grains.GetGrain<IAgendaGrain>(slug).GetAsync();
        if (agenda is null)
        {
            return Pages.NotFound($"There is no event at /events/{slug}.");
        }

        return new RazorComponentResult<AgendaPage>(new { Agenda = agenda });
    }
}
