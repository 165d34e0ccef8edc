using System.Collections.Immutable;
using System.Globalization;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Matchmaking;
using Events.Grains.People;
using Events.Grains.Pitches;
using Events.Grains.Tickets;
using Events.Web.Localization;
using Events.Web.Offline;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace Events.Web.Matchmaking;

// Matchmaking for one event: each member's profile (/profile), the directory of those who
// consented, suggestions that say why, and request-based 1:1 meetings (/meetings). Every page is
// plain HTML with forms; the meetings page also follows the viewer's own live topic.
public static class MatchmakingEndpoints
{
    public const int PageSize = 50;

    public static IEndpointRouteBuilder MapMatchmaking(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/events/{slug}").RequireAuthorization(Policies.EventMember);
        members.MapGet("/profile", (string slug, HttpContext http, IGrainFactory grains) => ProfilePageAsync(slug, http, grains, null, null, false));
        members.MapPost("/profile", SaveProfileAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .OnRefusal(r => ProfilePageAsync(r.Route("slug"), r.Http, r.Grains, ProfileForm.Parse(r.Form<IFormCollection>()!), r.Error, false));
        members.MapPost("/profile/consent", ConsentAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .OnRefusal(r => ProfilePageAsync(r.Route("slug"), r.Http, r.Grains, null, r.Error, false));
        members.MapGet("/directory", DirectoryAsync);
        members.MapGet("/directory/{personId}", PersonAsync);
        members.MapGet("/suggestions", SuggestionsAsync);
        members.MapGet("/meetings", (string slug, HttpContext http, IGrainFactory grains) => MeetingsPageAsync(slug, http, grains, null, StatusCodes.Status200OK)).KeepOfflineCopy();
        members.MapGet("/meetings/live", MeetingsRegionAsync);
        members.MapPost("/meetings/requests", RequestAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .OnRefusal(r => MeetingsPageAsync(r.Route("slug"), r.Http, r.Grains, r.Error, StatusCodes.Status400BadRequest));
        members.MapGet("/meetings/availability", (string slug, HttpContext http, IGrainFactory grains) => AvailabilityPageAsync(slug, http, grains, null, false));
        members.MapPost("/meetings/availability", SaveAvailabilityAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .OnRefusal(r => AvailabilityPageAsync(r.Route("slug"), r.Http, r.Grains, r.Error, false));
        members.MapGet("/meetings/requests/{requestId}/{mode:regex(^(propose|reschedule)$)}", (string slug, string requestId, string mode, HttpContext http, IGrainFactory grains) =>
            OtherTimesPageAsync(slug, requestId, mode, http, grains, null));
        members.MapPost("/meetings/requests/{requestId}/{mode:regex(^(propose|reschedule)$)}", OtherTimesAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .OnRefusal(r => OtherTimesPageAsync(r.Route("slug"), r.Route("requestId"), r.Route("mode"), r.Http, r.Grains, r.Error));
        members.MapPost("/meetings/requests/{requestId}/{answer}", AnswerAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .OnRefusal(r => MeetingsPageAsync(r.Route("slug"), r.Http, r.Grains, r.Error, StatusCodes.Status409Conflict));

        var organisers = app.MapGroup("/events/{slug}").RequireAuthorization(Policies.EventOrganiser);
        organisers.MapGet("/matchmaking", (string slug, HttpContext http, IGrainFactory grains) => SettingsPageAsync(slug, http, grains, null, null, false));
        organisers.MapPost("/matchmaking", SaveSettingsAsync)
            .OnRefusal(r => SettingsPageAsync(r.Route("slug"), r.Http, r.Grains, SettingsForm.Read(r.Form<IFormCollection>()!), r.Error, false));
        organisers.MapPost("/directory/{personId}/moderate", ModerateAsync);
        organisers.MapPost("/directory/{personId}/arrange", ArrangeAsync)
            .OnRefusal(r => Task.FromResult<IResult>(Pages.Message(StatusCodes.Status409Conflict, "match.arrange", $"problem.{r.Problem}", $"/events/{r.Route("slug")}/directory/{r.Route("personId")}", "match.directory", r.Arguments)));
        return app.MapMyAgenda().MapMatchStats();
    }

    public static string Email(HttpContext http) => http.Viewer().SignedInEmail;

    private static IProfileGrain Profile(IGrainFactory grains, string slug, string email) => grains.GetGrain<IProfileGrain>(new ProfileKey(slug, email).ToString());

    // ---- Profiles ----

    private static async Task<IResult> ProfilePageAsync(string slug, HttpContext http, IGrainFactory grains, ProfileDraft? typed, string? error, bool saved)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var email = Email(http);
        var profile = await Profile(grains, slug, email).GetAsync();
        var last = profile is null && typed is null ? await grains.GetGrain<IPersonMatchGrain>(email).LastAsync() : null;
        var settings = await grains.GetGrain<IMatchmakingGrain>(slug).GetSettingsAsync();
        return Pages.Render(new ProfilePage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Themes = settings.Themes,
            Draft = typed ?? profile?.Draft ?? last,
            OfferedFromLastEvent = last is not null,
            Listed = profile?.Listed ?? await RegistrationConsentAsync(grains, slug, email),
            Exists = profile is not null,
            Error = error,
            Saved = saved,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    // Consent asked at registration ("list me in the attendee directory") is the starting point;
    // the profile page then lets the person change it either way.
    private static async Task<bool> RegistrationConsentAsync(IGrainFactory grains, string slug, string email) =>
        (await grains.GetGrain<ITicketOfficeGrain>(slug).GetAsync()).Orders
            .Where(o => o.Registrant.Email == email && o.IsActive)
            .Any(o => o.Registrant.InDirectory);

    private static async Task<IResult> SaveProfileAsync(string slug, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is null)
        {
            return Pages.NoEvent(slug);
        }

        await Profile(grains, slug, Email(http)).SaveAsync(ProfileForm.Parse(form), form["listed"] == "true");
        return TypedResults.Redirect($"/events/{slug}/profile?saved=1");
    }

    private static async Task<IResult> ConsentAsync(string slug, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        await Profile(grains, slug, Email(http)).SetListedAsync(form["listed"] == "true");
        return TypedResults.Redirect($"/events/{slug}/profile");
    }

    // ---- Directory ----

    private static async Task<IResult> DirectoryAsync(string slug, HttpContext http, IGrainFactory grains, string? type, string? theme, string? country, string? language, string? offers, int? page)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var organiser = await http.MayAsync(slug, Policies.EventOrganiser);
        var mine = await Profile(grains, slug, Email(http)).GetAsync();
        var query = new DirectoryQuery(
            Enum.TryParse<OrgType>(type, out var t) && Enum.IsDefined(t) ? t : null,
            Blank(theme), Blank(country), Blank(language), offers == "true", page ?? 1, PageSize);
        var found = await grains.GetGrain<IDirectoryGrain>(slug).ListAsync(query, mine?.Draft.Needs ?? [], organiser);
        return Pages.Render(new DirectoryPage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Query = query,
            Found = found,
            Themes = (await grains.GetGrain<IMatchmakingGrain>(slug).GetSettingsAsync()).Themes,
            CanModerate = organiser,
            HasNeeds = mine?.Draft.Needs.Length > 0,
            Marks = await grains.GetGrain<Events.Grains.Scheduling.IMeetMarksGrain>(slug).MineAsync(Email(http)),
        });
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static async Task<IResult> PersonAsync(string slug, string personId, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var organiser = await http.MayAsync(slug, Policies.EventOrganiser);
        var directory = grains.GetGrain<IDirectoryGrain>(slug);
        if (await directory.FindAsync(personId, organiser) is not { } entry)
        {
            return Pages.Message(StatusCodes.Status404NotFound, "match.directory", "problem.ProfileMissing", $"/events/{slug}/directory", "match.directory");
        }

        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        var email = Email(http);
        var other = await directory.EmailOfAsync(personId);
        var isMe = other == email;
        var settings = await matchmaking.GetSettingsAsync();
        return Pages.Render(new PersonPage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Entry = entry,
            IsMe = isMe,
            Settings = settings,
            FreeSlots = isMe || other is null ? ImmutableArray<DateTimeOffset>.Empty : await matchmaking.FreeSlotsAsync(email, other),

            // Organisers may book this person with anyone others can see, at any slot ahead.
            Others = organiser ? (await directory.VisibleAsync()).Where(e => e.PersonId != personId).OrderBy(e => e.Profile.Name, StringComparer.OrdinalIgnoreCase).ToImmutableArray() : [],
            WindowSlots = organiser ? [.. settings.Slots().Where(s => s > clock.GetUtcNow())] : ImmutableArray<DateTimeOffset>.Empty,
            Arranged = http.Request.Query.ContainsKey("arranged"),
            Marks = isMe ? Events.Web.Scheduling.MarkView.None : await Events.Web.Scheduling.MeetMarkEndpoints.ViewAsync(grains, slug, email),
            Pitch = other is null ? null : await TeamPitchAsync(grains, slug, other),
        });
    }

    // The pitch card of the city team this person presents with in this event, if it has one.
    private static async Task<PitchCard?> TeamPitchAsync(IGrainFactory grains, string slug, string email) =>
        await grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email) is { Team: { } team } membership && membership.Roles.HasFlag(EventRole.Presenter)
            ? await grains.GetGrain<IPitchCardsGrain>(slug).GetAsync(TeamKey.From(team))
            : null;

    private static async Task<IResult> ArrangeAsync(string slug, string personId, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        var directory = grains.GetGrain<IDirectoryGrain>(slug);
        var a = await directory.EmailOfAsync(personId);
        var b = await directory.EmailOfAsync(form["with"].ToString());
        if (a is null || b is null)
        {
            return Pages.Message(StatusCodes.Status404NotFound, "match.directory", "problem.ProfileMissing", $"/events/{slug}/directory", "match.directory");
        }

        await grains.GetGrain<IMatchmakingGrain>(slug).ArrangeAsync(Email(http), a, b, Slot(form["slot"]), form["note"]);
        return TypedResults.Redirect($"/events/{slug}/directory/{personId}?arranged=1#arrange");
    }

    private static DateTimeOffset Slot(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : default;

    public static ImmutableArray<DateTimeOffset> Slots(IEnumerable<string?> values) => [.. values.Select(Slot).Where(s => s != default)];

    private static async Task<IResult> ModerateAsync(string slug, string personId, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        var email = await grains.GetGrain<IDirectoryGrain>(slug).EmailOfAsync(personId);
        if (email is null || !Enum.TryParse<ProfileModeration>(form["action"], out var action) || !Enum.IsDefined(action))
        {
            return Pages.Message(StatusCodes.Status404NotFound, "match.directory", "problem.ProfileMissing", $"/events/{slug}/directory", "match.directory");
        }

        await Profile(grains, slug, email).ModerateAsync(Email(http), action);
        return TypedResults.Redirect(Pages.LocalOr(form["returnUrl"], $"/events/{slug}/directory"));
    }

    // ---- Suggestions ----

    private static async Task<IResult> SuggestionsAsync(string slug, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var email = Email(http);
        var mine = await Profile(grains, slug, email).GetAsync();
        var suggestions = ImmutableArray<Suggestion>.Empty;
        if (mine is not null)
        {
            var known = await grains.GetGrain<IMatchmakingGrain>(slug).KnownAsync(email);
            var visible = await grains.GetGrain<IDirectoryGrain>(slug).VisibleAsync();
            suggestions = new SuggestionEngine(visible).For(mine.Entry, known.Select(k => PersonIds.Of(slug, k)).ToHashSet(), pitchScores: await PitchScoresAsync(grains, slug, http.Viewer(), agenda));
        }

        return Pages.Render(new SuggestionsPage { Slug = slug, EventTitle = agenda.Title, HasProfile = mine is not null, Suggestions = suggestions });
    }

    // An investor's average score for each team they scored, given to each member of that team
    // (by person id): a team they rated high is worth meeting.
    private static async Task<IReadOnlyDictionary<string, decimal>?> PitchScoresAsync(IGrainFactory grains, string slug, Viewer viewer, AgendaView agenda)
    {
        var email = viewer.SignedInEmail;
        var membership = await viewer.MembershipAsync(slug);
        if (membership is null || !membership.Roles.HasFlag(Events.Grains.People.EventRole.Investor))
        {
            return null;
        }

        var byTeam = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var session in agenda.Sessions.Where(s => s.Kind == SessionKind.PitchRoom))
        {
            var room = grains.GetGrain<Events.Grains.Pitches.IPitchRoomGrain>(new SessionKey(slug, session.Id).ToString());
            foreach (var pitch in (await room.GetAsync()).Pitches)
            {
                if (await room.GetScorecardAsync(pitch.Team, email) is { Scores.Count: > 0 } card)
                {
                    byTeam[pitch.Team] = (decimal)card.Scores.Values.Average();
                }
            }
        }

        var scores = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var member in await grains.GetGrain<Events.Grains.People.IEventAccessGrain>(slug).ListMembersAsync())
        {
            if (member.Team is { } team && byTeam.TryGetValue(Events.Grains.Pitches.TeamKey.From(team), out var score))
            {
                scores[PersonIds.Of(slug, member.Email)] = score;
            }
        }

        return scores;
    }

    // ---- Meetings ----

    private static async Task<MeetingsModel?> MeetingsModelAsync(string slug, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return null;
        }

        var email = Email(http);
        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        var mine = await matchmaking.MineAsync(email);
        return new MeetingsModel(slug, agenda.Title, email, PersonIds.Of(slug, email), mine, await NamesAsync(grains, slug, email, mine), await matchmaking.GetSettingsAsync(), await InboxVersionAsync(grains, slug, email), http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
    }

    // The names pages show for everyone this person has requests or meetings with (never addresses).
    public static async Task<IReadOnlyDictionary<string, string>> NamesAsync(IGrainFactory grains, string slug, string email, MyMeetings mine)
    {
        var directory = grains.GetGrain<IDirectoryGrain>(slug);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var other in mine.Incoming.Select(r => r.From).Concat(mine.Outgoing.Select(r => r.To)).Concat(mine.Meetings.Select(m => m.Other(email))).Distinct())
        {
            names[other] = await NameAsync(directory, slug, other);
        }

        return names;
    }

    private static async Task<string> NameAsync(IDirectoryGrain directory, string slug, string email) =>
        await directory.FindAsync(PersonIds.Of(slug, email), organiser: true) is { } entry ? $"{entry.Profile.Name} ({SuggestionEngine.Who(entry.Profile)})" : "—";

    // ---- Own free slots and refused types ----

    private static async Task<IResult> AvailabilityPageAsync(string slug, HttpContext http, IGrainFactory grains, string? error, bool saved)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        return Pages.Render(new AvailabilityPage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Settings = await matchmaking.GetSettingsAsync(),
            Mine = await matchmaking.AvailabilityAsync(Email(http)),
            Error = error,
            Saved = saved || http.Request.Query.ContainsKey("saved"),
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> SaveAvailabilityAsync(string slug, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        ImmutableArray<OrgType> refused = [.. form["refuse"].Select(t => Enum.TryParse<OrgType>(t, out var type) && Enum.IsDefined(type) ? type : (OrgType)(-1))];
        await grains.GetGrain<IMatchmakingGrain>(slug).SetAvailabilityAsync(Email(http), new MeetingPrefs(form["mode"] == "custom", Slots(form["slot"]), refused, form["phone"].ToString()));
        return TypedResults.Redirect($"/events/{slug}/meetings/availability?saved=1");
    }

    // ---- Other times: the invitee's counter-proposal, or either side moving a booked meeting ----

    private static async Task<IResult> OtherTimesPageAsync(string slug, string requestId, string mode, HttpContext http, IGrainFactory grains, string? error)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var email = Email(http);
        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        var mine = await matchmaking.MineAsync(email);
        var request = mode == "propose"
            ? mine.Incoming.FirstOrDefault(r => r.Id == requestId && r.Status == RequestStatus.Pending)
            : mine.Incoming.Concat(mine.Outgoing).FirstOrDefault(r => r.Id == requestId && r.Status == RequestStatus.Accepted);
        if (request is null)
        {
            return Pages.Message(StatusCodes.Status404NotFound, "match.meetings", "problem.MeetingRequestMissing", $"/events/{slug}/meetings", "match.meetings");
        }

        var other = request.From == email ? request.To : request.From;
        return Pages.Render(new OtherTimesPage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            RequestId = requestId,
            Mode = mode,
            OtherName = await NameAsync(grains.GetGrain<IDirectoryGrain>(slug), slug, other),
            Settings = await matchmaking.GetSettingsAsync(),
            FreeSlots = await matchmaking.FreeSlotsAsync(email, other),
            Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> OtherTimesAsync(string slug, string requestId, string mode, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        _ = mode == "propose"
            ? await matchmaking.ProposeAsync(Email(http), requestId, form["message"].ToString(), Slots(form["slot"]))
            : await matchmaking.RescheduleAsync(Email(http), requestId, form["message"].ToString(), Slots(form["slot"]));
        return TypedResults.Redirect($"/events/{slug}/meetings#outgoing");
    }

    private static Task<long> InboxVersionAsync(IGrainFactory grains, string slug, string email) =>
        grains.GetGrain<IMeetingInboxGrain>(MeetingInbox.Key(slug, email)).VersionAsync();

    private static async Task<IResult> MeetingsPageAsync(string slug, HttpContext http, IGrainFactory grains, string? error, int status) =>
        await MeetingsModelAsync(slug, http, grains) is { } model
            ? Pages.Render(new MeetingsPage { Model = model, Error = error }, status)
            : Pages.NoEvent(slug);

    private static async Task<IResult> MeetingsRegionAsync(string slug, HttpContext http, IGrainFactory grains) =>
        await MeetingsModelAsync(slug, http, grains) is { } model
            ? Pages.Render(new MeetingsRegion { Model = model })
            : Pages.NoEvent(slug);

    private static async Task<IResult> RequestAsync(string slug, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        var email = Email(http);
        var to = await InviteeAsync(grains, slug, email, form["to"].ToString());
        if (to is null)
        {
            return Pages.Message(StatusCodes.Status404NotFound, "match.directory", "problem.ProfileMissing", $"/events/{slug}/directory", "match.directory");
        }

        await grains.GetGrain<IMatchmakingGrain>(slug).RequestAsync(email, to, form["message"].ToString(), Slots(form["slot"]));
        return TypedResults.Redirect($"/events/{slug}/meetings#outgoing");
    }

    // The address of the person a request goes to (null: nobody others can see), once it is sure
    // the sender may ask: only someone others can see may, the invitee must know who is asking.
    public static async Task<string?> InviteeAsync(IGrainFactory grains, string slug, string email, string personId)
    {
        if (await Profile(grains, slug, email).GetAsync() is not { VisibleToOthers: true })
        {
            throw new ValidationFailedException(Problem.ProfileMissing);
        }

        var directory = grains.GetGrain<IDirectoryGrain>(slug);
        return await directory.FindAsync(personId, organiser: false) is { } entry ? await directory.EmailOfAsync(entry.PersonId) : null;
    }

    private static async Task<IResult> AnswerAsync(string slug, string requestId, string answer, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        var email = Email(http);
        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        switch (answer)
        {
            case "accept":
                await matchmaking.AcceptAsync(email, requestId, Slot(form["slot"]));
                break;
            case "schedule":
                await matchmaking.AcceptToScheduleAsync(email, requestId);
                break;
            case "decline":
                await matchmaking.DeclineAsync(email, requestId, form["reason"]);
                break;
            case "cancel":
                await matchmaking.CancelAsync(email, requestId, form["note"]);
                break;
            default:
                return Pages.Message(StatusCodes.Status404NotFound, "match.meetings", "problem.MeetingRequestMissing", $"/events/{slug}/meetings", "match.meetings");
        }

        return TypedResults.Redirect($"/events/{slug}/meetings");
    }

    // ---- Settings (organisers) ----

    private static async Task<IResult> SettingsPageAsync(string slug, HttpContext http, IGrainFactory grains, SettingsForm? typed, string? error, bool saved)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var settings = await grains.GetGrain<IMatchmakingGrain>(slug).GetSettingsAsync();
        return Pages.Render(new SettingsPage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Form = typed ?? SettingsForm.From(settings, agenda.TimeZoneId),
            Error = error,
            Saved = saved || http.Request.Query.ContainsKey("saved"),
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> SaveSettingsAsync(string slug, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        await grains.GetGrain<IMatchmakingGrain>(slug).SetSettingsAsync(Email(http), SettingsForm.Read(form).ToSettings(agenda.TimeZoneId));
        return TypedResults.Redirect($"/events/{slug}/matchmaking?saved=1");
    }
}

public sealed record MeetingsModel(
    string Slug,
    string EventTitle,
    string Email,
    string PersonId,
    MyMeetings Mine,
    IReadOnlyDictionary<string, string> Names,
    MatchSettings Settings,
    long InboxVersion,
    DateTimeOffset Now)
{
    public string Topic => MeetingsTopic.Of(new(Slug, PersonId));
}
