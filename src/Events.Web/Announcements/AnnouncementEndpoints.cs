using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Announcements;
using Orleans;
using Events.Web.Agenda;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Announcements;

public sealed record AnnouncementFormData
{
    public string? Markdown { get; init; }

    public int? ValidMinutes { get; init; }

    public string? IdempotencyKey { get; init; }
}

public static class AnnouncementEndpoints
{
    public static IEndpointRouteBuilder MapAnnouncements(this IEndpointRouteBuilder app)
    {
        // The region alone, for a page that fell too far behind to catch up event by event.
        app.MapGet("/events/{slug}/announcements", async (string slug, HttpContext http, IGrainFactory grains) =>
        {
            if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is null)
            {
                return (IResult)Pages.NoEvent(slug);
            }

            var view = await grains.GetGrain<IAnnouncementsGrain>(slug).GetActiveAsync();
            return Pages.Render(new AnnouncementsRegion { Slug = slug, View = view });
        }).AllowAnonymous();

        app.MapPost("/events/{slug}/announcements", Post).RequireAuthorization(Policies.EventModerator)
            .OnRefusal(r =>
            {
                // The event's page again, whose announcements part shows the draft (AnnouncementsPart).
                r.Http.Features.Set(new AnnouncementDraft(r.Form<AnnouncementFormData>()?.Markdown, r.Error));
                return AgendaEndpoints.RenderAsync(r.Route("slug"), r.Http, r.Grains, null, StatusCodes.Status400BadRequest);
            });
        return app;
    }

    private static async Task<IResult> Post(string slug, [FromForm] AnnouncementFormData form, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is null)
        {
            return Pages.NoEvent(slug);
        }

        await grains.GetGrain<IAnnouncementsGrain>(slug).PostAsync(
            http.Viewer().SignedInEmail,
            new PostAnnouncement(form.Markdown ?? "", AnnouncementLimits.ValidFor(form.ValidMinutes), form.IdempotencyKey ?? ""));
        return TypedResults.Redirect($"/events/{slug}#announcements");
    }
}

// What a moderator typed and why it was refused, shown back in the form.
public sealed record AnnouncementDraft(string? Text, string Error);
