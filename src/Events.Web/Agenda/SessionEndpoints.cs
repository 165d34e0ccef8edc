using System.Collections.Immutable;
using System.Globalization;
using Events.Grains;
using Events.Grains.Agenda;
using Orleans;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Agenda;

// A session as the organiser's form has it: dates and times in the event's time zone, one speaker
// per line as "Name, City".
public sealed record SessionForm
{
    public string? Title { get; init; }

    public string? Kind { get; init; }

    public string? Date { get; init; }

    public string? Start { get; init; }

    public string? End { get; init; }

    public string? Abstract { get; init; }

    public string? Speakers { get; init; }

    public string? Stream { get; init; }

    public string? Audio { get; init; }

    public string? Slides { get; init; }

    public static SessionForm From(AgendaSession session, TimeZoneInfo zone)
    {
        var start = TimeZoneInfo.ConvertTime(session.Start, zone);
        var end = TimeZoneInfo.ConvertTime(session.End, zone);
        return new SessionForm
        {
            Title = session.Title,
            Kind = session.Kind.ToString(),
            Date = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Start = start.ToString("HH:mm", CultureInfo.InvariantCulture),
            End = end.ToString("HH:mm", CultureInfo.InvariantCulture),
            Abstract = session.AbstractMarkdown,
            Speakers = string.Join("\n", session.Speakers.Select(s => string.IsNullOrEmpty(s.City) ? s.Name : $"{s.Name}, {s.City}")),
            Stream = session.Links?.Stream,
            Audio = session.Links?.AudioOnly,
            Slides = session.Links?.Slides,
        };
    }

    public ScheduleSession ToCommand(TimeZoneInfo zone)
    {
        if (!DateOnly.TryParseExact(Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || !TimeOnly.TryParseExact(Start, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !TimeOnly.TryParseExact(End, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
        {
            throw new ValidationFailedException(Problem.SessionTimesInvalid);
        }

        if (!Enum.TryParse<SessionKind>(Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
        {
            throw new ValidationFailedException(Problem.SessionTimesInvalid);
        }

        var speakers = (Speakers ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(',', 2, StringSplitOptions.TrimEntries))
            .Select(parts => new Speaker(parts[0], parts.Length > 1 ? parts[1] : ""))
            .ToImmutableArray();
        return new ScheduleSession(Title ?? "", kind, At(day, from, zone), At(day, to, zone), Abstract ?? "", speakers, new SessionLinks(Stream, Audio, Slides));
    }

    private static DateTimeOffset At(DateOnly day, TimeOnly time, TimeZoneInfo zone) => At(day.ToDateTime(time), zone);

    // A time typed in the event's zone. Years far off are refused before any arithmetic on them
    // (0001-01-01 minus an offset, or 9999-12-31 plus a delay, does not exist).
    public static DateTimeOffset At(DateTime local, TimeZoneInfo zone) =>
        local.Year is >= 2000 and <= 2199
            ? new DateTimeOffset(local, zone.GetUtcOffset(local))
            : throw new ValidationFailedException(Problem.SessionTimesInvalid);
}

public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/events/{slug}/sessions").RequireAuthorization(Policies.EventOrganiser)
            .OnRefusal(r => FormAsync(r.Route("slug"), r.Http.GetRouteValue("id") as string, r.Form<SessionForm>(), r.Error, r.Http, r.Grains, StatusCodes.Status400BadRequest));
        sessions.MapGet("/new", (string slug, HttpContext http, IGrainFactory grains) => FormAsync(slug, null, null, null, http, grains, StatusCodes.Status200OK));
        sessions.MapPost("/", (string slug, [FromForm] SessionForm form, HttpContext http, IGrainFactory grains) => SaveAsync(slug, null, form, http, grains));
        sessions.MapGet("/{id}/edit", (string slug, string id, HttpContext http, IGrainFactory grains) => FormAsync(slug, id, null, null, http, grains, StatusCodes.Status200OK));
        sessions.MapPost("/{id}/edit", (string slug, string id, [FromForm] SessionForm form, HttpContext http, IGrainFactory grains) => SaveAsync(slug, id, form, http, grains));
        return app;
    }

    private static async Task<IResult> FormAsync(string slug, string? id, SessionForm? typed, string? error, HttpContext http, IGrainFactory grains, int status)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(agenda.TimeZoneId);
        var session = id is null ? null : agenda.Sessions.FirstOrDefault(s => s.Id == id);
        if (id is not null && session is null)
        {
            return Pages.NoSession(slug, id);
        }

        var language = Text.LanguageOf(http);
        var first = agenda.Sessions.FirstOrDefault();
        return Pages.Render(new SessionFormPage
        {
            Slug = slug,
            TimeZoneId = agenda.TimeZoneId,
            Heading = Text.Get(language, session is null ? "session.new" : "session.edit"),
            Action = session is null ? $"/events/{slug}/sessions" : $"/events/{slug}/sessions/{id}/edit",
            Form = typed ?? (session is null
                ? new SessionForm { Kind = nameof(SessionKind.Talk), Date = first is null ? null : TimeZoneInfo.ConvertTime(first.Start, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }
                : SessionForm.From(session, zone)),
            Error = error,
        }, status);
    }

    private static async Task<IResult> SaveAsync(string slug, string? id, SessionForm form, HttpContext http, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IAgendaGrain>(slug);
        if (await grain.GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var command = form.ToCommand(TimeZoneInfo.FindSystemTimeZoneById(agenda.TimeZoneId));
        var saved = id is null
            ? await grain.ScheduleSessionAsync(command)
            : await grain.EditSessionAsync(http.Viewer().SignedInEmail, id, command);
        return TypedResults.Redirect($"/events/{slug}#{saved.Id}");
    }
}
