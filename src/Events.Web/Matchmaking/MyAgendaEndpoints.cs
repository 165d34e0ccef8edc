using System.Collections.Immutable;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Matchmaking;
using Events.Web.Agenda;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Orleans;

namespace Events.Web.Matchmaking;

// One person's day: "My agenda" (the programme, their meetings and their requests waiting for an
// answer in one list), a meeting's own page, and their meetings as a calendar file.
public static class MyAgendaEndpoints
{
    public static IEndpointRouteBuilder MapMyAgenda(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/events/{slug}").RequireAuthorization(Policies.EventMember)
            .OnRefusal(r => MeetingAsync<MeetingPage>(r.Route("slug"), r.Route("meetingId"), r.Http, r.Grains, r.Service<TimeProvider>(), r.Error));
        members.MapGet("/my-agenda", MyAgendaAsync);
        members.MapGet("/meetings/m/{meetingId}", (string slug, string meetingId, HttpContext http, IGrainFactory grains, TimeProvider clock) =>
            MeetingAsync<MeetingPage>(slug, meetingId, http, grains, clock));
        members.MapGet("/meetings/m/{meetingId}/live", (string slug, string meetingId, HttpContext http, IGrainFactory grains, TimeProvider clock) =>
            MeetingAsync<MeetingRegion>(slug, meetingId, http, grains, clock));
        members.MapGet("/meetings/calendar.ics", CalendarAsync);
        members.MapPost("/meetings/m/{meetingId}/feedback", (string slug, string meetingId, IFormCollection form, HttpContext http, IGrainFactory grains, TimeProvider clock) =>
            AfterAsync(slug, meetingId, http, grains, clock, m => m.FeedbackAsync(MatchmakingEndpoints.Email(http), meetingId, Enum.TryParse<MeetingFeedback>(form["feedback"], out var f) ? f : (MeetingFeedback)(-1))))
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        members.MapPost("/meetings/m/{meetingId}/later", (string slug, string meetingId, IFormCollection form, HttpContext http, IGrainFactory grains, TimeProvider clock) =>
            AfterAsync(slug, meetingId, http, grains, clock, m => m.LaterAsync(MatchmakingEndpoints.Email(http), meetingId, Enum.TryParse<LaterOutcome>(form["outcome"], out var o) ? o : (LaterOutcome)(-1))))
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        return app;
    }

    private static async Task<IResult> MyAgendaAsync(string slug, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var email = MatchmakingEndpoints.Email(http);
        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        var mine = await matchmaking.MineAsync(email);
        var settings = await matchmaking.GetSettingsAsync();
        var names = await MatchmakingEndpoints.NamesAsync(grains, slug, email, mine);
        var now = clock.GetUtcNow();
        var items = new List<AgendaItem>();
        items.AddRange(agenda.Sessions.Where(s => s.Status != SessionStatus.Cancelled && s.End > now)
            .Select(s => new AgendaItem(s.Start, s.End, "session", s.Title, $"/events/{slug}#{s.Id}")));
        items.AddRange(mine.Meetings.Where(m => !m.Cancelled && m.Start.AddMinutes(m.Minutes) > now)
            .Select(m => new AgendaItem(m.Start, m.Start.AddMinutes(m.Minutes), "meeting", names[m.Other(email)], $"/events/{slug}/meetings/m/{m.Id}")));

        // A pending request sits at each time it proposes, until it is answered.
        items.AddRange(mine.Incoming.Concat(mine.Outgoing).Where(r => r.Status == RequestStatus.Pending)
            .SelectMany(r => r.Slots.Where(s => s > now).Select(s => new AgendaItem(s, s.AddMinutes(settings.SlotMinutes), "request", names[r.From == email ? r.To : r.From], $"/events/{slug}/meetings#{r.Id}"))));

        return Pages.Render(new MyAgendaPage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Items = items.OrderBy(i => i.Start).ThenBy(i => i.Kind, StringComparer.Ordinal).ToImmutableArray(),
            EventZone = MatchTimes.Zone(agenda.TimeZoneId),
            Viewer = TimeZoneChoice.Of(http),
        });
    }

    private static async Task<IResult> AfterAsync(string slug, string meetingId, HttpContext http, IGrainFactory grains, TimeProvider clock, Func<IMatchmakingGrain, Task> answer)
    {
        await answer(grains.GetGrain<IMatchmakingGrain>(slug));
        return TypedResults.Redirect($"/events/{slug}/meetings/m/{meetingId}#after");
    }

    private static async Task<IResult> MeetingAsync<TPage>(string slug, string meetingId, HttpContext http, IGrainFactory grains, TimeProvider clock, string? error = null)
        where TPage : Microsoft.AspNetCore.Components.IComponent, IMeetingView, new()
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var email = MatchmakingEndpoints.Email(http);
        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        if (await matchmaking.MeetingAsync(email, meetingId) is not { } detail)
        {
            return Pages.Message(StatusCodes.Status404NotFound, "match.meetings", "problem.MeetingRequestMissing", $"/events/{slug}/meetings", "match.meetings");
        }

        var other = detail.Meeting.Other(email);
        var model = new MeetingModel(
            slug,
            email,
            agenda.Title,
            detail,
            await grains.GetGrain<IDirectoryGrain>(slug).FindAsync(PersonIds.Of(slug, other), organiser: true),
            MatchTimes.Zone(agenda.TimeZoneId),
            TimeZoneChoice.Of(http),
            clock.GetUtcNow(),
            PersonIds.Of(slug, email),
            await grains.GetGrain<IMeetingInboxGrain>(MeetingInbox.Key(slug, email)).VersionAsync());
        return Pages.Render(new TPage { Model = model, Error = error }, error is null ? StatusCodes.Status200OK : StatusCodes.Status409Conflict);
    }

    // The signed-in person's meetings, cancelled ones included so calendar apps remove them. UID
    // stays with the meeting; a cancellation raises SEQUENCE; a moved meeting is a new one and
    // the old one is cancelled.
    private static async Task<IResult> CalendarAsync(string slug, HttpContext http, IGrainFactory grains, IOptions<SiteOptions> options, TimeProvider clock)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var email = MatchmakingEndpoints.Email(http);
        var mine = await grains.GetGrain<IMatchmakingGrain>(slug).MineAsync(email);
        var names = await MatchmakingEndpoints.NamesAsync(grains, slug, email, mine);
        var site = new Uri(options.Value.PublicUrl);
        var language = Localization.Text.LanguageOf(http);
        var now = clock.GetUtcNow();
        var entries = mine.Meetings.Select(m => new CalendarEntry(
            $"{slug}.meeting.{m.Id}@{site.Host}",
            m.Start,
            m.Start.AddMinutes(m.Minutes),
            m.Cancelled ? 1 : 0,
            now,
            Localization.Text.Format(language, "match.calendar-summary", names[m.Other(email)]),
            m.PlaceKind switch
            {
                MeetingPlaceKind.Virtual => m.Place,
                MeetingPlaceKind.Tables => Localization.Text.Format(language, "match.table", m.Place),
                _ => Localization.Text.Get(language, "match.phone"),
            },
            new Uri(site, $"/events/{slug}/meetings/m/{m.Id}"),
            m.Cancelled));
        return TypedResults.Text(CalendarFeed.Write($"{agenda.Title} · {Localization.Text.Get(language, "match.meetings")}", agenda.TimeZoneId, entries, now), CalendarFeed.ContentType);
    }
}

// Kind: "session", "meeting" or "request".
public sealed record AgendaItem(DateTimeOffset Start, DateTimeOffset End, string Kind, string Title, string Href);

// The meeting page and its live region take the same parameters, so one method renders either.
public interface IMeetingView
{
    MeetingModel Model { get; set; }

    string? Error { get; set; }
}

public sealed record MeetingModel(
    string Slug,
    string Email,
    string EventTitle,
    MeetingDetail Detail,
    DirectoryEntry? Other,
    TimeZoneInfo EventZone,
    TimeZoneInfo? Viewer,
    DateTimeOffset Now,
    string PersonId,
    long InboxVersion)
{
    public Meeting Meeting => Detail.Meeting;

    public DateTimeOffset End => Meeting.Start.AddMinutes(Meeting.Minutes);

    public string Topic => MeetingsTopic.Of(new(Slug, PersonId));

    public bool StartsSoon => !Meeting.Cancelled && Now >= Meeting.Start.AddMinutes(-5) && Now < Meeting.Start;
}
