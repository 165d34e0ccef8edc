using System.Globalization;
using Events.Grains;
using Events.Grains.Pitches;
using Orleans;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Pitches;

public static class RubricEndpoints
{
    public static IEndpointRouteBuilder MapRubric(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events/{slug}/rubric", (string slug, HttpContext http, IGrainFactory grains) => PageAsync(slug, http, grains, null, null))
            .RequireAuthorization(Policies.EventMember);
        app.MapPost("/events/{slug}/rubric", SaveAsync).RequireAuthorization(Policies.EventOrganiser)
            .OnRefusal(r => PageAsync(r.Route("slug"), r.Http, r.Grains, Drafts(r.Form<IFormCollection>()!), r.Error));
        return app;
    }

    private static async Task<IResult> PageAsync(string slug, HttpContext http, IGrainFactory grains, IReadOnlyList<CriterionDraft>? draft, string? error) =>
        Pages.Render(new RubricPage
        {
            Slug = slug,
            Rubric = await grains.GetGrain<IRubricGrain>(slug).GetAsync(),
            MayEdit = await http.MayAsync(slug, Policies.EventOrganiser),
            Draft = draft,
            Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);

    private static async Task<IResult> SaveAsync(string slug, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        await grains.GetGrain<IRubricGrain>(slug).SetAsync(http.Viewer().SignedInEmail, Drafts(form));
        return TypedResults.Redirect($"/events/{slug}/rubric");
    }

    // The form has numbered rows (name-0, description-0, weight-0, ...); rows left without a name are dropped.
    private static List<CriterionDraft> Drafts(IFormCollection form) =>
        Enumerable.Range(0, RubricGrain.MaxCriteria)
            .Select(i => new CriterionDraft(
                form[$"name-{i}"].ToString(),
                form[$"description-{i}"].ToString(),
                int.TryParse(form[$"weight-{i}"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var weight) ? weight : 0))
            .Where(d => d.Name.Trim().Length > 0)
            .ToList();
}
