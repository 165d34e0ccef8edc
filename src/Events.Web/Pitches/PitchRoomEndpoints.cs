using System.Globalization;
using System.Text;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Pitches;
using Orleans;
using Events.Web.Agenda;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Pitches;

public sealed record AddPitchForm
{
    public string? Team { get; init; }
}

public sealed record PitchControlForm
{
    public string? Control { get; init; }

    public int? Minutes { get; init; }
}

public sealed record LeaderboardRow(AgendaSession Room, PitchFeedback Feedback);

public static class PitchRoomEndpoints
{
    public const string ScorePrefix = "score-";

    public static IEndpointRouteBuilder MapPitchRooms(this IEndpointRouteBuilder app)
    {
        var room = app.MapGroup("/events/{slug}/rooms/{session}")
            .OnRefusal(r => RoomPageAsync(r.Route("slug"), r.Route("session"), r.Http, r.Grains, r.Error));
        room.MapGet("/", (string slug, string session, HttpContext http, IGrainFactory grains) => RoomPageAsync(slug, session, http, grains, null)).AllowAnonymous();
        room.MapGet("/live", RegionAsync).AllowAnonymous();
        var moderators = room.MapGroup("").RequireAuthorization(Policies.EventModerator);
        moderators.MapPost("/pitches", (string slug, string session, [FromForm] AddPitchForm form, HttpContext http, IGrainFactory grains) =>
            ModerateAsync(slug, session, http, grains, (r, actor) => r.AddPitchAsync(actor, form.Team ?? "")));
        moderators.MapPost("/pitches/{team}/control", (string slug, string session, string team, [FromForm] PitchControlForm form, HttpContext http, IGrainFactory grains) =>
            ModerateAsync(slug, session, http, grains, (r, actor) => r.ControlAsync(actor, team, ParseControl(form.Control), form.Minutes ?? PitchRoomGrain.DefaultMinutes)));
        room.MapGet("/pitches/{team}", (string slug, string session, string team, HttpContext http, IGrainFactory grains) =>
            PitchPageAsync(slug, session, team, http, grains, null, null)).RequireAuthorization(Policies.EventMember);
        // Its own refusal: the pitch's page again with the scores as typed (none when they did not
        // parse), not the room's page that the group answers other refusals with.
        room.MapPost("/pitches/{team}/scorecard", ScoreAsync).RequireAuthorization(Policies.EventInvestor)
            .OnRefusal(r => PitchPageAsync(r.Route("slug"), r.Route("session"), r.Route("team"), r.Http, r.Grains, ReadScorecard(r.Form<IFormCollection>()!), r.Error));

        var organisers = app.MapGroup("/events/{slug}").RequireAuthorization(Policies.EventOrganiser);
        organisers.MapGet("/leaderboard", LeaderboardAsync);
        organisers.MapGet("/scores.csv", ExportAsync);
        return app;
    }

    public static IPitchRoomGrain Room(IGrainFactory grains, string slug, string session) => grains.GetGrain<IPitchRoomGrain>(new SessionKey(slug, session).ToString());

    public static Task<(AgendaView Agenda, AgendaSession Session)?> FindAsync(IGrainFactory grains, string slug, string session) =>
        AgendaEndpoints.FindSessionAsync(grains, slug, session, SessionKind.PitchRoom);

    public static PitchControl ParseControl(string? control) =>
        Enum.TryParse<PitchControl>(control, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ValidationFailedException(Problem.PitchControlNotNow, control ?? "", PitchPhase.Waiting);

    // From a form or the hub: scores arrive as text per criterion id; anything unreadable counts as
    // missing, which the grain refuses with the criterion's name.
    public static ScorecardInput ParseScorecard(IReadOnlyDictionary<string, string?> scores, string? comment, string? note, string? interest, bool conflict)
    {
        var parsed = scores
            .Where(s => int.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(s => s.Key, s => int.Parse(s.Value!, CultureInfo.InvariantCulture));
        var choice = Enum.TryParse<Interest>(interest, ignoreCase: false, out var i) && Enum.IsDefined(i)
            ? i
            : throw new ValidationFailedException(Problem.InterestChoice);
        return new ScorecardInput(parsed, comment ?? "", note ?? "", choice, conflict);
    }

    private static async Task<IResult> RoomPageAsync(string slug, string session, HttpContext http, IGrainFactory grains, string? error)
    {
        if (await FindAsync(grains, slug, session) is not var (agenda, found))
        {
            return Pages.NoSession(slug, session);
        }

        var view = await Room(grains, slug, session).GetAsync();
        var moderates = await http.MayAsync(slug, Policies.EventModerator);
        var cards = moderates ? await PitchCardEndpoints.Cards(grains, slug).ListAsync() : [];
        return Pages.Render(new PitchRoomPage
        {
            Slug = slug,
            Session = found,
            TimeZoneId = agenda.TimeZoneId,
            View = view,
            CanModerate = moderates,
            Addable = (IReadOnlyList<PitchCard>)[.. cards.Where(c => view.Pitches.All(p => p.Team != c.Team))],
            Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> RegionAsync(string slug, string session, HttpContext http, IGrainFactory grains)
    {
        if (await FindAsync(grains, slug, session) is not var (agenda, _))
        {
            return Pages.NoSession(slug, session);
        }

        return Pages.Render(new PitchRoomRegion
        {
            Slug = slug,
            Session = session,
            TimeZoneId = agenda.TimeZoneId,
            View = await Room(grains, slug, session).GetAsync(),
            CanModerate = await http.MayAsync(slug, Policies.EventModerator),
        });
    }

    private static async Task<IResult> ModerateAsync(string slug, string session, HttpContext http, IGrainFactory grains, Func<IPitchRoomGrain, string, Task> action)
    {
        if (await FindAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        await action(Room(grains, slug, session), http.Viewer().SignedInEmail);
        return TypedResults.Redirect($"/events/{slug}/rooms/{session}#console");
    }

    private static async Task<IResult> PitchPageAsync(string slug, string session, string team, HttpContext http, IGrainFactory grains, ScorecardInput? draft, string? error)
    {
        if (await FindAsync(grains, slug, session) is not var (_, found))
        {
            return Pages.NoSession(slug, session);
        }

        var room = Room(grains, slug, session);
        var viewer = await PitchViewer.OfAsync(http, slug);
        if ((await room.GetAsync()).Pitches.FirstOrDefault(p => p.Team == team) is not { } pitch)
        {
            return Pages.Message(StatusCodes.Status404NotFound, "message.not-found", "problem.PitchMissing", $"/events/{slug}/rooms/{session}", null, team);
        }

        // Each part is fetched only for a viewer allowed to see it, so nothing private reaches a page by accident.
        var seesEverything = viewer.Moderates;
        var seesFeedback = seesEverything || (viewer.IsTeam(team) && pitch.Released);
        return Pages.Render(new PitchPage
        {
            Slug = slug,
            Session = found,
            Pitch = pitch,
            Rubric = pitch.Rubric.IsEmpty ? (await grains.GetGrain<IRubricGrain>(slug).GetAsync()).Criteria : pitch.Rubric,
            Own = viewer.Scores && viewer.Email is { } email ? await room.GetScorecardAsync(team, email) : null,
            MayScore = viewer.Scores,
            IsTeam = viewer.IsTeam(team),
            Feedback = seesFeedback ? (await room.GetFeedbackAsync(team)).Summary : null,
            Scorecards = seesEverything ? await room.ListScorecardsAsync(team) : null,
            Draft = draft,
            Error = error,
            IdempotencyKey = Guid.NewGuid().ToString("N"),
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ScoreAsync(string slug, string session, string team, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        if (await FindAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        var input = ReadScorecard(form) ?? throw new ValidationFailedException(Problem.InterestChoice);
        var key = form["idempotencyKey"].ToString();
        await Room(grains, slug, session).SaveScorecardAsync(http.Viewer().SignedInEmail, team, input, key.Length > 0 ? key : null);
        return TypedResults.Redirect($"/events/{slug}/rooms/{session}/pitches/{team}#scorecard");
    }

    // The scorecard form as typed, or null when its interest is not one of the choices.
    private static ScorecardInput? ReadScorecard(IFormCollection form) =>
        Enum.TryParse<Interest>(form["interest"], ignoreCase: false, out var interest) && Enum.IsDefined(interest)
            ? ParseScorecard(
                form.Keys.Where(k => k.StartsWith(ScorePrefix, StringComparison.Ordinal)).ToDictionary(k => k[ScorePrefix.Length..], k => (string?)form[k].ToString()),
                form["comment"], form["note"], form["interest"], form["conflict"] == "true")
            : null;

    private static async Task<IReadOnlyList<LeaderboardRow>> AllPitchesAsync(IGrainFactory grains, string slug)
    {
        var rows = new List<LeaderboardRow>();
        foreach (var room in (await grains.GetGrain<IAgendaGrain>(slug).GetAsync())?.Sessions.Where(s => s.Kind == SessionKind.PitchRoom) ?? [])
        {
            var grain = Room(grains, slug, room.Id);
            foreach (var pitch in (await grain.GetAsync()).Pitches)
            {
                rows.Add(new LeaderboardRow(room, await grain.GetFeedbackAsync(pitch.Team)));
            }
        }

        return rows;
    }

    private static async Task<IResult> LeaderboardAsync(string slug, IGrainFactory grains) =>
        Pages.Render(new LeaderboardPage
        {
            Slug = slug,
            Rows = (IReadOnlyList<LeaderboardRow>)[.. (await AllPitchesAsync(grains, slug))
                .OrderByDescending(r => r.Feedback.Summary.Scorecards > 0)
                .ThenByDescending(r => r.Feedback.Summary.WeightedTotal)],
        });

    // One row per investor and pitch, with every criterion's score: for organisers only.
    private static async Task<IResult> ExportAsync(string slug, IGrainFactory grains)
    {
        var criteria = (await grains.GetGrain<IRubricGrain>(slug).GetAsync()).Criteria;
        var csv = new StringBuilder("room,team,investor,conflict,interest,")
            .AppendJoin(',', criteria.Select(c => Csv.Cell(c.Name)))
            .Append(",comment,private_note,updated_at\r\n");
        foreach (var row in await AllPitchesAsync(grains, slug))
        {
            foreach (var card in await Room(grains, slug, row.Room.Id).ListScorecardsAsync(row.Feedback.Pitch.Team))
            {
                csv.Append(Csv.Cell(row.Room.Title)).Append(',')
                    .Append(Csv.Cell(row.Feedback.Pitch.TeamName)).Append(',')
                    .Append(Csv.Cell(card.Investor)).Append(',')
                    .Append(card.Conflict ? "yes" : "no").Append(',')
                    .Append(card.Interest.ToString().ToLowerInvariant()).Append(',')
                    .AppendJoin(',', row.Feedback.Pitch.Rubric.Select(c => card.Scores.TryGetValue(c.Id, out var s) ? s.ToString(CultureInfo.InvariantCulture) : ""))
                    .Append(',').Append(Csv.Cell(card.Comment))
                    .Append(',').Append(Csv.Cell(card.PrivateNote))
                    .Append(',').Append(card.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)).Append("\r\n");
            }
        }

        return Csv.File(csv, $"scores-{slug}.csv");
    }
}
