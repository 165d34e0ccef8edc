using System.Collections.Immutable;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Matchmaking;
using Events.Grains.Scheduling;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orleans;

namespace Events.Web.Scheduling;

// The organiser's "Schedule all" page for an event's brokerage day (/events/{slug}/scheduling):
// the meetings they want held, the run (which works in the background while the page refreshes
// itself), and the schedule's preview per person and per table.
public static class SchedulingEndpoints
{
    public const int RefreshSeconds = 3;

    public static IEndpointRouteBuilder MapScheduling(this IEndpointRouteBuilder app)
    {
        var organisers = app.MapGroup("/events/{slug}/scheduling").RequireAuthorization(Policies.EventOrganiser);
        organisers.MapGet("", (string slug, HttpContext http, IGrainFactory grains) => PageAsync(slug, http, grains, null, null));
        organisers.MapPost("/wanted", AddWantedAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .OnRefusal(r => PageAsync(r.Route("slug"), r.Http, r.Grains, r.Error, Typed(r.Form<IFormCollection>()!)));
        organisers.MapPost("/wanted/{id}/remove", RemoveWantedAsync).WithMetadata(new RequireAntiforgeryTokenAttribute());
        organisers.MapPost("/run", RunAsync).WithMetadata(new RequireAntiforgeryTokenAttribute());
        organisers.MapPost("/publish", PublishAsync).WithMetadata(new RequireAntiforgeryTokenAttribute());
        return app.MapMeetMarks();
    }

    private static ISchedulingGrain Grain(IGrainFactory grains, string slug) => grains.GetGrain<ISchedulingGrain>(slug);

    private static async Task<IResult> PageAsync(string slug, HttpContext http, IGrainFactory grains, string? error, WantedForm? typed)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var grain = Grain(grains, slug);
        var status = await grain.GetAsync();
        var settings = await grains.GetGrain<IMatchmakingGrain>(slug).GetSettingsAsync();
        var published = await grain.PublishedAsync();
        var profiles = await grains.GetGrain<IDirectoryGrain>(slug).AllAsync();
        return Pages.Render(new SchedulingPage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Settings = settings,
            Wanted = await SchedulingProblems.WantedAsync(grains, slug, await grain.WantedAsync(), published),
            Status = status,
            Typed = typed ?? new WantedForm("", "", "any"),
            Error = error,
            AlreadyRunning = http.Request.Query.ContainsKey("running"),
            Published = published,
            PublishedRun = http.Request.Query.ContainsKey("published"),

            // Pages name people by their profile, never by address.
            Names = profiles.GroupBy(p => p.Email).ToImmutableDictionary(g => g.Key, g => g.First().Draft.Name),
            People = profiles.Where(p => p.VisibleToOthers).ToImmutableArray(),
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static WantedForm Typed(IFormCollection form) => new(form["a"].ToString(), form["b"].ToString(), form["session"].ToString());

    // The form names people by their directory id; the grain keeps their addresses.
    private static async Task<IResult> AddWantedAsync(string slug, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        var typed = Typed(form);
        var directory = grains.GetGrain<IDirectoryGrain>(slug);
        if (await directory.EmailOfAsync(typed.A) is not { } a || await directory.EmailOfAsync(typed.B) is not { } b)
        {
            return await PageAsync(slug, http, grains, Text.Get(Text.LanguageOf(http), "problem.ProfileMissing"), typed);
        }

        await Grain(grains, slug).AddWantedAsync(http.Viewer().SignedInEmail, a, b, typed.Session);
        return TypedResults.Redirect($"/events/{slug}/scheduling#wanted");
    }

    private static async Task<IResult> RemoveWantedAsync(string slug, string id, HttpContext http, IGrainFactory grains)
    {
        await Grain(grains, slug).RemoveWantedAsync(http.Viewer().SignedInEmail, id);
        return TypedResults.Redirect($"/events/{slug}/scheduling#wanted");
    }

    private static async Task<IResult> RunAsync(string slug, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is null)
        {
            return Pages.NoEvent(slug);
        }

        var grain = Grain(grains, slug);
        var settings = await grains.GetGrain<IMatchmakingGrain>(slug).GetSettingsAsync();
        var published = await grain.PublishedAsync();
        var wanted = await SchedulingProblems.WantedAsync(grains, slug, await grain.WantedAsync(), published);
        var problem = await SchedulingProblems.BuildAsync(grains, slug, settings, wanted, published);
        var result = await grain.ScheduleAllAsync(http.Viewer().SignedInEmail, problem);
        return TypedResults.Redirect($"/events/{slug}/scheduling{(result.Started ? "" : "?running=1")}#run");
    }

    private static async Task<IResult> PublishAsync(string slug, HttpContext http, IGrainFactory grains)
    {
        var published = await Grain(grains, slug).PublishAsync(http.Viewer().SignedInEmail);
        return TypedResults.Redirect($"/events/{slug}/scheduling{(published ? "?published=1" : "")}#run");
    }
}

public sealed record WantedForm(string A, string B, string Session);
