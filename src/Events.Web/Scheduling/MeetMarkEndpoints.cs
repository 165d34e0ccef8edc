using Events.Grains;
using Events.Grains.Matchmaking;
using Events.Grains.Scheduling;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans;

namespace Events.Web.Scheduling;

// "I'd like to meet" on a person's page: a plain form that marks or unmarks, then back to the page.
// A pair who marked each other is a meeting for the organisers' "Schedule all".
public static class MeetMarkEndpoints
{
    public static IEndpointRouteBuilder MapMeetMarks(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/events/{slug}").RequireAuthorization(Policies.EventMember)
            .MapPost("/directory/{personId}/mark", MarkAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .OnRefusal(r => Task.FromResult<IResult>(r.Problem == Problem.MarkNeedsProfile
                ? Pages.Message(StatusCodes.Status400BadRequest, "match.directory", "problem.MarkNeedsProfile", $"/events/{r.Route("slug")}/profile", "match.profile")
                : Pages.Message(StatusCodes.Status404NotFound, "match.directory", "problem.ProfileMissing", $"/events/{r.Route("slug")}/directory", "match.directory")));
        return app;
    }

    // What the person pages need: whether this viewer may mark (their own profile is in the
    // directory for others) and whom they marked.
    public static async Task<MarkView> ViewAsync(IGrainFactory grains, string slug, string email)
    {
        var visible = await grains.GetGrain<IDirectoryGrain>(slug).FindAsync(PersonIds.Of(slug, email), organiser: false) is not null;
        return new MarkView(visible, await grains.GetGrain<IMeetMarksGrain>(slug).MineAsync(email));
    }

    private static async Task<IResult> MarkAsync(string slug, string personId, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        await grains.GetGrain<IMeetMarksGrain>(slug).MarkAsync(http.Viewer().SignedInEmail, personId, form["mark"] != "false");
        return TypedResults.Redirect($"/events/{slug}/directory/{Uri.EscapeDataString(personId)}#mark");
    }
}

public sealed record MarkView(bool CanMark, MyMarks Marks)
{
    public static MarkView None { get; } = new(false, MyMarks.None);
}
