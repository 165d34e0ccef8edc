using Events.Grains;
using Events.Grains.People;
using Events.Grains.Pitches;
using Orleans;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Pitches;

public sealed record PitchCardForm
{
    public string? Challenge { get; init; }

    public string? Solution { get; init; }

    public string? Evidence { get; init; }

    public string? BudgetAsk { get; init; }

    public string? PartnersSought { get; init; }

    public string? SlidesUrl { get; init; }

    public string? VideoUrl { get; init; }

    public string? ContactName { get; init; }

    public string? ContactDetails { get; init; }

    public static PitchCardForm From(PitchCardContent content) => new()
    {
        Challenge = content.Challenge,
        Solution = content.Solution,
        Evidence = content.Evidence,
        BudgetAsk = content.BudgetAsk,
        PartnersSought = content.PartnersSought,
        SlidesUrl = content.SlidesUrl,
        VideoUrl = content.VideoUrl,
        ContactName = content.ContactName,
        ContactDetails = content.ContactDetails,
    };
}

public static class PitchCardEndpoints
{
    public static IEndpointRouteBuilder MapPitchCards(this IEndpointRouteBuilder app)
    {
        var cards = app.MapGroup("/events/{slug}/pitches").RequireAuthorization(Policies.EventMember)
            .OnRefusal(r => FormAsync(r.Route("slug"), r.Route("team"), r.Http, r.Grains, r.Form<PitchCardForm>(), r.Error));
        cards.MapGet("/", ListAsync);
        cards.MapGet("/{team}", CardAsync);
        var presenters = cards.MapGroup("").RequireAuthorization(Policies.EventPresenter);
        presenters.MapGet("/{team}/edit", (string slug, string team, HttpContext http, IGrainFactory grains) => FormAsync(slug, team, http, grains, null, null));
        presenters.MapPost("/{team}/edit", SaveAsync);
        return app;
    }

    public static IPitchCardsGrain Cards(IGrainFactory grains, string slug) => grains.GetGrain<IPitchCardsGrain>(slug);

    private static async Task<IResult> ListAsync(string slug, HttpContext http, IGrainFactory grains)
    {
        var viewer = await PitchViewer.OfAsync(http, slug);
        return Pages.Render(new PitchCardsPage
        {
            Slug = slug,
            Cards = await Cards(grains, slug).ListAsync(),
            OwnTeam = viewer.Team,
        });
    }

    private static async Task<IResult> CardAsync(string slug, string team, int? version, HttpContext http, IGrainFactory grains)
    {
        var card = await Cards(grains, slug).GetAsync(team);
        var viewer = await PitchViewer.OfAsync(http, slug);
        if (card is null)
        {
            return viewer.IsTeam(team)
                ? TypedResults.Redirect($"/events/{slug}/pitches/{team}/edit")
                : Pages.Message(StatusCodes.Status404NotFound, "message.not-found", "pitch.no-card", $"/events/{slug}/pitches", null, team);
        }

        var shown = version is { } number && card.Versions.FirstOrDefault(v => v.Number == number) is { } older ? older : card.Current;
        return Pages.Render(new PitchCardPage
        {
            Slug = slug,
            Card = card,
            Shown = shown,
            MayEdit = viewer.MayEditCard(team),
        });
    }

    private static async Task<IResult> FormAsync(string slug, string team, HttpContext http, IGrainFactory grains, PitchCardForm? draft, string? error)
    {
        var viewer = await PitchViewer.OfAsync(http, slug);
        if (!viewer.MayEditCard(team))
        {
            return Pages.Message(StatusCodes.Status403Forbidden, "message.forbidden", "pitch.not-your-team");
        }

        var card = await Cards(grains, slug).GetAsync(team);
        if (await TeamNameAsync(slug, team, http, card) is not { } teamName)
        {
            return Pages.Message(StatusCodes.Status404NotFound, "message.not-found", "pitch.no-card", $"/events/{slug}/pitches", null, team);
        }

        return Pages.Render(new PitchCardFormPage
        {
            Slug = slug,
            Team = team,
            TeamName = teamName,
            Form = draft ?? (card is null ? new PitchCardForm() : PitchCardForm.From(card.Current.Content)),
            Version = card?.Current.Number ?? 0,
            Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> SaveAsync(string slug, string team, [FromForm] PitchCardForm form, HttpContext http, IGrainFactory grains)
    {
        var viewer = await PitchViewer.OfAsync(http, slug);
        var card = await Cards(grains, slug).GetAsync(team);
        if (!viewer.MayEditCard(team) || await TeamNameAsync(slug, team, http, card) is not { } teamName)
        {
            return Pages.Message(StatusCodes.Status403Forbidden, "message.forbidden", "pitch.not-your-team");
        }

        await Cards(grains, slug).SaveAsync(http.Viewer().SignedInEmail, team, new PitchCardContent(
            teamName,
            form.Challenge ?? "",
            form.Solution ?? "",
            form.Evidence ?? "",
            form.BudgetAsk ?? "",
            form.PartnersSought ?? "",
            form.SlidesUrl,
            form.VideoUrl,
            form.ContactName ?? "",
            form.ContactDetails ?? ""));
        return TypedResults.Redirect($"/events/{slug}/pitches/{team}");
    }

    // A card's team name: from the card once it exists, else from the presenter's own membership.
    private static async Task<string?> TeamNameAsync(string slug, string team, HttpContext http, PitchCard? card)
    {
        if (card is not null)
        {
            return card.Current.Content.TeamName;
        }

        var membership = await http.Viewer().MembershipAsync(slug);
        return membership?.Team is { } name && TeamKey.From(name) == team ? name : null;
    }
}
