using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Mixer;
using Orleans;
using Events.Web.Agenda;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Mixer;

public sealed record ProposalForm
{
    public string? Title { get; init; }

    public string? Presenter { get; init; }

    public string? City { get; init; }

    public string? Summary { get; init; }

    public int? Minutes { get; init; }
}

public sealed record DeclineForm
{
    public string? Reason { get; init; }
}

public sealed record MoveForm
{
    public int? By { get; init; }
}

public sealed record ControlForm
{
    public string? Control { get; init; }
}

public static class MixerEndpoints
{
    public static IEndpointRouteBuilder MapMixer(this IEndpointRouteBuilder app)
    {
        // A refused proposal shows the presenter's draft with its problem; a refused control, the console's.
        var slot = app.MapGroup("/events/{slug}/mixer/{sessionId}").OnRefusal(r => r.Form<ProposalForm>() is { } draft
            ? PageAsync(r.Route("slug"), r.Route("sessionId"), r.Http, r.Grains, StatusCodes.Status400BadRequest, draft, r.Error)
            : PageAsync(r.Route("slug"), r.Route("sessionId"), r.Http, r.Grains, StatusCodes.Status400BadRequest, controlError: r.Error));
        slot.MapGet("/", (string slug, string sessionId, HttpContext http, IGrainFactory grains) =>
            PageAsync(slug, sessionId, http, grains, StatusCodes.Status200OK)).AllowAnonymous();
        slot.MapGet("/live", RegionAsync).AllowAnonymous();
        slot.MapPost("/proposals", ProposeAsync).RequireAuthorization(Policies.EventPresenter);
        var moderators = slot.MapGroup("").RequireAuthorization(Policies.EventModerator);
        moderators.MapPost("/proposals/{id}/accept", (string slug, string sessionId, string id, HttpContext http, IGrainFactory grains) =>
            ModerateAsync(slug, sessionId, http, grains, (g, actor) => g.AcceptAsync(actor, id)));
        moderators.MapPost("/proposals/{id}/decline", (string slug, string sessionId, string id, [FromForm] DeclineForm form, HttpContext http, IGrainFactory grains) =>
            ModerateAsync(slug, sessionId, http, grains, (g, actor) => g.DeclineAsync(actor, id, form.Reason ?? "")));
        moderators.MapPost("/proposals/{id}/move", (string slug, string sessionId, string id, [FromForm] MoveForm form, HttpContext http, IGrainFactory grains) =>
            ModerateAsync(slug, sessionId, http, grains, (g, actor) => g.MoveAsync(actor, id, form.By ?? 0)));
        moderators.MapPost("/control", (string slug, string sessionId, [FromForm] ControlForm form, HttpContext http, IGrainFactory grains) =>
            ModerateAsync(slug, sessionId, http, grains, (g, actor) => g.ControlAsync(actor, ParseControl(form.Control))));
        return app;
    }

    public static MixerControl ParseControl(string? control) =>
        Enum.TryParse<MixerControl>(control, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ValidationFailedException(Problem.MixerControlNotNow, control ?? "", MixerPhase.NotStarted);

    public static Task<(AgendaView Agenda, AgendaSession Session)?> FindAsync(IGrainFactory grains, string slug, string sessionId) =>
        AgendaEndpoints.FindSessionAsync(grains, slug, sessionId, SessionKind.GlobalMixer);

    public static IMixerSlotGrain Slot(IGrainFactory grains, string slug, string sessionId) => grains.GetGrain<IMixerSlotGrain>(new SessionKey(slug, sessionId).ToString());

    private static async Task<IResult> PageAsync(string slug, string sessionId, HttpContext http, IGrainFactory grains, int status, ProposalForm? draft = null, string? proposalError = null, string? controlError = null)
    {
        if (await FindAsync(grains, slug, sessionId) is not var (agenda, session))
        {
            return Pages.NoSession(slug, sessionId);
        }

        var view = await Slot(grains, slug, sessionId).GetAsync();
        var email = http.Viewer().Email;
        return Pages.Render(new MixerPage
        {
            Slug = slug,
            SessionId = sessionId,
            Title = session.Title,
            TimeZoneId = agenda.TimeZoneId,
            View = view,
            CanModerate = await http.MayAsync(slug, Policies.EventModerator),
            CanPropose = await http.MayAsync(slug, Policies.EventPresenter),
            MyProposals = (IReadOnlyList<Intervention>)[.. view.LineUp.Concat(view.Proposals).Concat(view.Declined).Where(i => i.ProposedBy == email)],
            Draft = draft,
            ProposalError = proposalError,
            ControlError = controlError,
        }, status);
    }

    private static async Task<IResult> RegionAsync(string slug, string sessionId, HttpContext http, IGrainFactory grains)
    {
        if (await FindAsync(grains, slug, sessionId) is not var (agenda, _))
        {
            return Pages.NoSession(slug, sessionId);
        }

        return Pages.Render(new MixerRegion
        {
            Slug = slug,
            SessionId = sessionId,
            TimeZoneId = agenda.TimeZoneId,
            View = await Slot(grains, slug, sessionId).GetAsync(),
            CanModerate = await http.MayAsync(slug, Policies.EventModerator),
        });
    }

    private static async Task<IResult> ProposeAsync(string slug, string sessionId, [FromForm] ProposalForm form, HttpContext http, IGrainFactory grains)
    {
        if (await FindAsync(grains, slug, sessionId) is null)
        {
            return Pages.NoSession(slug, sessionId);
        }

        await Slot(grains, slug, sessionId).ProposeAsync(http.Viewer().SignedInEmail, new ProposeIntervention(form.Presenter ?? "", form.City ?? "", form.Title ?? "", form.Summary ?? "", form.Minutes ?? 0));
        return TypedResults.Redirect($"/events/{slug}/mixer/{sessionId}#propose");
    }

    private static async Task<IResult> ModerateAsync(string slug, string sessionId, HttpContext http, IGrainFactory grains, Func<IMixerSlotGrain, string, Task> action)
    {
        if (await FindAsync(grains, slug, sessionId) is null)
        {
            return Pages.NoSession(slug, sessionId);
        }

        await action(Slot(grains, slug, sessionId), http.Viewer().SignedInEmail);
        return TypedResults.Redirect($"/events/{slug}/mixer/{sessionId}#console");
    }
}
