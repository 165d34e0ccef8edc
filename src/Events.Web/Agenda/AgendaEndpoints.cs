using Events.Grains.Agenda;
using Events.Grains.Announcements;
using Events.Grains.People;
using Events.Grains.Runtime;
using Events.Web.Announcements;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Agenda;

public static class AgendaEndpoints
{
    public const int MinRefreshSeconds = 30;
    public const int MaxRefreshSeconds = 600;

    public static IEndpointRouteBuilder MapAgenda(this IEndpointRouteBuilder app)
    {
        // The agenda is public: attendees follow it without an account.
        var events = app.MapGroup("/events").AllowAnonymous();
        // An event's address: lower-case letters, digits and dashes, at most 64 characters.
        events.MapGet("/{slug:regex(^[a-z0-9][a-z0-9-]{{0,63}}$)}", (string slug, int? refresh, HttpContext http, IGrainFactory grains) =>
            RenderAsync(slug, http, grains, null, StatusCodes.Status200OK, refresh)).WithName("agenda");
        return app;
    }

    public static async Task<IResult> RenderAsync(string slug, HttpContext http, IGrainFactory grains, AnnouncementDraft? draft, int status, int? refresh = null)
    {
        var agenda = await grains.GetGrain<IAgendaGrain>(slug).GetAsync();
        if (agenda is null)
        {
            return Pages.NoEvent(slug);
        }

        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        var canAnnounce = http.User.Email() is not null
            && (await authorization.AuthorizeAsync(http.User, new EventScope(slug), Policies.EventModerator)).Succeeded;
        return new RazorComponentResult<AgendaPage>(new
        {
            Agenda = agenda,
            Announcements = await grains.GetGrain<IAnnouncementsGrain>(slug).GetActiveAsync(),
            CanAnnounce = canAnnounce,
            Draft = draft,
            IdempotencyKey = Secrets.NewToken(16),
            RefreshSeconds = refresh is { } seconds ? Math.Clamp(seconds, MinRefreshSeconds, MaxRefreshSeconds) : (int?)null,
        })
        {
            StatusCode = status,
        };
    }
}
