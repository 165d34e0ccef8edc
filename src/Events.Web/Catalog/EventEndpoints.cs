using System.Globalization;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Catalog;
using Events.Grains.People;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace Events.Web.Catalog;

// An event as the organiser's form has it: dates and times in the event's own time zone.
public sealed record EventForm
{
    public string? Title { get; init; }

    public string? Slug { get; init; }

    public string? Description { get; init; }

    public string? TimeZone { get; init; }

    public string? StartDate { get; init; }

    public string? StartTime { get; init; }

    public string? EndDate { get; init; }

    public string? EndTime { get; init; }

    public string[]? Languages { get; init; }

    public string? Visibility { get; init; }

    public string? Capacity { get; init; }

    public static EventForm From(AgendaView agenda)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(agenda.TimeZoneId);
        var start = TimeZoneInfo.ConvertTime(agenda.StartsAt ?? DateTimeOffset.UnixEpoch, zone);
        var end = TimeZoneInfo.ConvertTime(agenda.EndsAt ?? DateTimeOffset.UnixEpoch, zone);
        return new EventForm
        {
            Title = agenda.Title,
            Slug = agenda.Slug,
            Description = agenda.SummaryMarkdown,
            TimeZone = agenda.TimeZoneId,
            StartDate = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            StartTime = start.ToString("HH:mm", CultureInfo.InvariantCulture),
            EndDate = end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            EndTime = end.ToString("HH:mm", CultureInfo.InvariantCulture),
            Languages = agenda.Languages.IsDefault ? [] : [.. agenda.Languages],
            Visibility = agenda.Visibility.ToString(),
            Capacity = agenda.Capacity?.ToString(CultureInfo.InvariantCulture),
        };
    }

    public EventDetails ToDetails()
    {
        var zoneId = (TimeZone ?? "").Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone))
        {
            throw new ValidationFailedException(Problem.TimeZoneUnknown, zoneId);
        }

        var start = At(StartDate, StartTime, zone);
        var end = At(EndDate, EndTime, zone);
        if (!Enum.TryParse<EventVisibility>(Visibility, ignoreCase: false, out var visibility) || !Enum.IsDefined(visibility))
        {
            visibility = EventVisibility.Listed;
        }

        int? capacity = null;
        if (!string.IsNullOrWhiteSpace(Capacity))
        {
            capacity = int.TryParse(Capacity.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seats)
                ? seats
                : throw new ValidationFailedException(Problem.EventCapacity, AgendaGrain.MaxCapacity);
        }

        return new EventDetails(Title ?? "", Description ?? "", zoneId, start, end, [.. Languages ?? []], visibility, capacity);
    }

    // The form's range is what a date input can hold; anything else (0001-01-01, 9999-12-31 23:59
    // shifted past the calendar's end) is refused as unreadable rather than overflowing.
    private static DateTimeOffset At(string? date, string? time, TimeZoneInfo zone)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || !TimeOnly.TryParseExact(time, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            || day.Year is < 2000 or > 2999)
        {
            throw new ValidationFailedException(Problem.SessionTimesInvalid);
        }

        var local = day.ToDateTime(at);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}

public sealed record CancelForm
{
    public string? Reason { get; init; }
}

// Creating, editing, cancelling and archiving events, and the organiser's dashboard of one event.
// The agenda grain holds an event's details and is the claim on its address (one activation per
// slug); the catalog's listing and the creator's organiser role follow it, and saving the form
// again repairs them if a crash came in between.
public static class EventEndpoints
{
    public static readonly string[] OfferedLanguages = ["en", "fr", "pt", "ar", "es", "sw"];

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var create = app.MapGroup("/events").RequireAuthorization(Policies.SiteOrganiser);
        create.MapGet("/new", (HttpContext http) => FormAsync(null, NewEventForm(), null, http, StatusCodes.Status200OK));
        create.MapPost("/new", CreateAsync)
            .OnRefusal(r => Task.FromResult(FormAsync(null, r.Form<EventForm>()! with { Slug = SlugOf(r.Form<EventForm>()!) }, r.Error, r.Http, StatusCodes.Status400BadRequest)));

        // A refused edit answers the form as typed; a refused cancel or archive, the dashboard.
        var manage = app.MapGroup("/events/{slug}").RequireAuthorization(Policies.EventOrganiser).OnRefusal(async r => r.Form<EventForm>() is { } typed
            ? FormAsync(await r.Grains.GetGrain<IAgendaGrain>(r.Route("slug")).GetAsync(), typed with { Slug = r.Route("slug") }, r.Error, r.Http, StatusCodes.Status400BadRequest)
            : await DashboardAsync(r.Route("slug"), r.Http, r.Grains, r.Error));
        manage.MapGet("/manage", DashboardAsync);
        manage.MapGet("/edit", async (string slug, HttpContext http, IGrainFactory grains) =>
            await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is { } agenda
                ? FormAsync(agenda, EventForm.From(agenda), null, http, StatusCodes.Status200OK)
                : Pages.NoEvent(slug));
        manage.MapPost("/edit", EditAsync);
        manage.MapPost("/cancel", CancelAsync);
        manage.MapPost("/archive", ArchiveAsync).WithMetadata(ReadOnlyEvents.Allowed);
        return app;
    }

    private static EventForm NewEventForm() => new()
    {
        TimeZone = "Africa/Lagos",
        StartTime = "09:00",
        EndTime = "17:00",
        Languages = ["en"],
        Visibility = nameof(EventVisibility.Listed),
    };

    private static IResult FormAsync(AgendaView? agenda, EventForm form, string? error, HttpContext http, int status) =>
        Pages.Render(new EventFormPage
        {
            Agenda = agenda,
            Form = form,
            Error = error,
            Heading = Text.Get(Text.LanguageOf(http), agenda is null ? "event.new" : "event.edit"),
        }, status);

    private static async Task<IResult> CreateAsync([FromForm] EventForm form, HttpContext http, IGrainFactory grains)
    {
        var actor = http.Viewer().SignedInEmail;
        var slug = SlugOf(form);
        var details = form.ToDetails();
        if (!AgendaGrain.IsValidSlug(slug))
        {
            throw new ValidationFailedException(Problem.EventAddressInvalid, AgendaGrain.MaxSlugLength);
        }

        var agenda = await grains.GetGrain<IAgendaGrain>(slug).CreateAsync(actor, details);
        await grains.GetGrain<IEventAccessGrain>(slug).GrantAsync(actor, actor, EventRole.Organiser, null);
        await PublishAsync(grains, agenda);
        return TypedResults.Redirect($"/events/{slug}/manage");
    }

    private static async Task<IResult> EditAsync(string slug, [FromForm] EventForm form, HttpContext http, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IAgendaGrain>(slug);
        if (await grain.GetAsync() is null)
        {
            return Pages.NoEvent(slug);
        }

        await PublishAsync(grains, await grain.EditDetailsAsync(http.Viewer().SignedInEmail, form.ToDetails()));
        return TypedResults.Redirect($"/events/{slug}/manage");
    }

    private static async Task<IResult> CancelAsync(string slug, [FromForm] CancelForm form, HttpContext http, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IAgendaGrain>(slug);
        if (await grain.GetAsync() is null)
        {
            return Pages.NoEvent(slug);
        }

        await PublishAsync(grains, await grain.CancelAsync(http.Viewer().SignedInEmail, form.Reason ?? ""));
        return TypedResults.Redirect($"/events/{slug}/manage");
    }

    private static async Task<IResult> ArchiveAsync(string slug, HttpContext http, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IAgendaGrain>(slug);
        if (await grain.GetAsync() is null)
        {
            return Pages.NoEvent(slug);
        }

        await PublishAsync(grains, await grain.ArchiveAsync(http.Viewer().SignedInEmail));
        return TypedResults.Redirect($"/events/{slug}/manage");
    }

    private static string SlugOf(EventForm form) => (form.Slug ?? "").Trim().ToLowerInvariant();

    private static Task PublishAsync(IGrainFactory grains, AgendaView agenda) =>
        grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).PublishAsync(EventListing.Of(agenda));

    private static async Task<IResult> DashboardAsync(string slug, HttpContext http, IGrainFactory grains, string? error = null)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var access = grains.GetGrain<IEventAccessGrain>(slug);
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return Pages.Render(new EventDashboardPage
        {
            Agenda = agenda,
            Members = (await access.ListMembersAsync()).Count,
            OpenInvitations = (await access.ListInvitationsAsync()).Count(i => !i.Revoked && i.ExpiresAt > now && i.AcceptedBy.Count < i.MaxUses),
            Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}
