using System.Globalization;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Mixer;
using Events.Grains.People;
using Orleans;
using Events.Web.Localization;
using Events.Web.Offline;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Events.Web.Agenda;

public sealed record SessionChangeForm
{
    public string? Kind { get; init; }

    public int? Minutes { get; init; }

    // datetime-local in the event's time zone.
    public string? NewStart { get; init; }
}

// Why a session change was refused, shown beside that session's form.
public sealed record SessionProblem(string SessionId, string Error);

public static class AgendaEndpoints
{
    public const int MinRefreshSeconds = 30;
    public const int MaxRefreshSeconds = 600;

    // A feature page that belongs to one kind of session (a mixer slot, a pitch room) exists when
    // the agenda has a session of that kind with that id.
    public static async Task<(AgendaView Agenda, AgendaSession Session)?> FindSessionAsync(IGrainFactory grains, string slug, string sessionId, SessionKind kind) =>
        await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is { } agenda
        && agenda.Sessions.FirstOrDefault(s => s.Id == sessionId && s.Kind == kind) is { } session
            ? (agenda, session)
            : null;

    public static IEndpointRouteBuilder MapAgenda(this IEndpointRouteBuilder app)
    {
        // The agenda is public: attendees follow it without an account.
        var events = app.MapGroup("/events").AllowAnonymous();
        // An event's address: lower-case letters, digits and dashes, at most 64 characters.
        events.MapGet("/{slug:regex(^[a-z0-9][a-z0-9-]{{0,63}}$)}", (string slug, int? refresh, HttpContext http, IGrainFactory grains) =>
            RenderAsync(slug, http, grains, null, StatusCodes.Status200OK, refresh)).WithName("agenda").KeepOfflineCopy().CachedForAnonymousVisitors();
        events.MapGet("/{slug}/sessions", RegionAsync);
        events.MapGet("/{slug}/calendar.ics", (string slug, HttpContext http, IGrainFactory grains, IOptions<SiteOptions> site, TimeProvider clock) =>
            CalendarAsync(slug, null, http, grains, site.Value, clock));
        events.MapGet("/{slug}/sessions/{id}/calendar.ics", (string slug, string id, HttpContext http, IGrainFactory grains, IOptions<SiteOptions> site, TimeProvider clock) =>
            CalendarAsync(slug, id, http, grains, site.Value, clock));

        app.MapPost("/events/{slug}/sessions/{id}/change", ChangeAsync).RequireAuthorization(Policies.EventModerator)
            .OnRefusal(r => RenderAsync(r.Route("slug"), r.Http, r.Grains, new SessionProblem(r.Route("id"), r.Error), StatusCodes.Status400BadRequest));
        return app;
    }

    public static async Task<IResult> RenderAsync(string slug, HttpContext http, IGrainFactory grains, SessionProblem? sessionProblem, int status, int? refresh = null)
    {
        var agenda = await grains.GetGrain<IAgendaGrain>(slug).GetAsync();
        if (agenda is null)
        {
            return Pages.NoEvent(slug);
        }

        if (await HiddenFromAsync(http, agenda))
        {
            return PrivateEvent(agenda);
        }

        var canModerate = await CanModerateAsync(http, slug);
        var parts = new List<RenderFragment>();
        foreach (var part in http.RequestServices.GetServices<IEventPagePart>())
        {
            parts.Add(await part.RenderAsync(new EventPageContext(slug, http, grains, canModerate)));
        }

        return Pages.Render(new AgendaPage
        {
            Agenda = agenda,
            Parts = parts,
            CanModerate = canModerate,
            CanOrganise = await http.MayAsync(slug, Policies.EventOrganiser),
            Viewer = TimeZoneChoice.Of(http),
            SessionError = sessionProblem,
            Now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
            LineUps = await LineUpsAsync(grains, agenda),
            RefreshSeconds = refresh is { } seconds ? Math.Clamp(seconds, MinRefreshSeconds, MaxRefreshSeconds) : (int?)null,
        }, status);
    }

    private static async Task<IReadOnlyDictionary<string, System.Collections.Immutable.ImmutableArray<Intervention>>> LineUpsAsync(IGrainFactory grains, AgendaView agenda)
    {
        var lineUps = new Dictionary<string, System.Collections.Immutable.ImmutableArray<Intervention>>();
        foreach (var session in agenda.Sessions.Where(s => s.Kind == SessionKind.GlobalMixer))
        {
            lineUps[session.Id] = (await grains.GetGrain<IMixerSlotGrain>(new SessionKey(agenda.Slug, session.Id).ToString()).GetAsync()).LineUp;
        }

        return lineUps;
    }

    private static Task<bool> CanModerateAsync(HttpContext http, string slug) => http.MayAsync(slug, Policies.EventModerator);

    // A private event shows its title to everyone and the rest only to people with a role in it.
    public static async Task<bool> HiddenFromAsync(HttpContext http, AgendaView agenda) =>
        agenda.Visibility == EventVisibility.Private && !await http.MayAsync(agenda.Slug, Policies.EventMember);

    public static IResult PrivateEvent(AgendaView agenda) =>
        Pages.Message(StatusCodes.Status403Forbidden, "event.private-title", "event.private", $"/signin?returnUrl=%2Fevents%2F{agenda.Slug}", "shell.signin", agenda.Title);

    // The live region alone, for a page whose topic changed.
    private static async Task<IResult> RegionAsync(string slug, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        if (await HiddenFromAsync(http, agenda))
        {
            return PrivateEvent(agenda);
        }

        return Pages.Render(new AgendaRegion
        {
            Agenda = agenda,
            Now = clock.GetUtcNow(),
            CanModerate = await CanModerateAsync(http, slug),
            CanOrganise = await http.MayAsync(slug, Policies.EventOrganiser),
            Viewer = TimeZoneChoice.Of(http),
            LineUps = await LineUpsAsync(grains, agenda),
            Refetch = RegionRefetch.From(http.Request),
        });
    }

    private static async Task<IResult> CalendarAsync(string slug, string? sessionId, HttpContext http, IGrainFactory grains, SiteOptions site, TimeProvider clock)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        if (await HiddenFromAsync(http, agenda))
        {
            return PrivateEvent(agenda);
        }

        var sessions = sessionId is null ? agenda.Sessions : [.. agenda.Sessions.Where(s => s.Id == sessionId)];
        if (sessions.IsEmpty && sessionId is not null)
        {
            return Pages.NoSession(slug, sessionId);
        }

        var ics = CalendarFeed.Write(agenda, sessions, new Uri(site.PublicUrl), clock.GetUtcNow());
        return TypedResults.Text(ics, CalendarFeed.ContentType);
    }

    private static async Task<IResult> ChangeAsync(string slug, string id, [FromForm] SessionChangeForm form, HttpContext http, IGrainFactory grains)
    {
        var agendaGrain = grains.GetGrain<IAgendaGrain>(slug);
        if (await agendaGrain.GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        if (!Enum.TryParse<AgendaChangeKind>(form.Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
        {
            throw new ValidationFailedException(Problem.NewStartMissing);
        }

        DateTimeOffset? newStart = null;
        if (kind == AgendaChangeKind.Moved && DateTime.TryParseExact(form.NewStart, "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(agenda.TimeZoneId);
            newStart = SessionForm.At(local, zone);
        }

        await agendaGrain.ChangeSessionAsync(http.Viewer().SignedInEmail, new SessionChange(id, kind, form.Minutes ?? 0, newStart));
        return TypedResults.Redirect($"/events/{slug}#{id}");
    }
}
