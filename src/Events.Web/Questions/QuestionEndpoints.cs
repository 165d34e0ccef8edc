using System.Globalization;
using System.Text;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Questions;
using Orleans;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Questions;

public sealed record AskForm
{
    public string? Text { get; init; }

    public bool? Anonymous { get; init; }

    public string? IdempotencyKey { get; init; }
}

public sealed record VoteForm
{
    public bool? Up { get; init; }
}

public sealed record TextForm
{
    public string? Text { get; init; }
}

public sealed record ModerateForm
{
    public string? Action { get; init; }
}

public sealed record ModeForm
{
    public bool? PreModerated { get; init; }
}

public static class QuestionEndpoints
{
    public static IEndpointRouteBuilder MapQuestions(this IEndpointRouteBuilder app)
    {
        var board = app.MapGroup("/events/{slug}/qa/{session}")
            .OnRefusal(r => PageAsync(r.Route("slug"), r.Route("session"), null, r.Http, r.Grains, r.Form<AskForm>()?.Text, r.Error, StatusCodes.Status400BadRequest));
        board.MapGet("/", (string slug, string session, string? sort, HttpContext http, IGrainFactory grains) => PageAsync(slug, session, sort, http, grains, null, null, StatusCodes.Status200OK)).AllowAnonymous();
        board.MapGet("/live", RegionAsync).AllowAnonymous();
        board.MapGet("/projector", ProjectorAsync).AllowAnonymous();
        board.MapGet("/projector/live", ProjectorRegionAsync).AllowAnonymous();
        board.MapGet("/export.csv", ExportAsync).RequireAuthorization(Policies.EventOrganiser);

        var members = board.MapGroup("").RequireAuthorization(Policies.EventMember);
        members.MapPost("/questions", AskAsync);
        members.MapPost("/questions/{id}/vote", (string slug, string session, string id, [FromForm] VoteForm form, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, id, http, grains, (b, who) => b.VoteAsync(who, id, form.Up ?? true)));
        members.MapPost("/questions/{id}/edit", (string slug, string session, string id, [FromForm] TextForm form, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, id, http, grains, (b, who) => b.EditAsync(who, id, form.Text ?? "")));
        members.MapPost("/questions/{id}/withdraw", (string slug, string session, string id, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, id, http, grains, (b, who) => b.WithdrawAsync(who, id)));
        var moderators = board.MapGroup("").RequireAuthorization(Policies.EventModerator);
        moderators.MapPost("/questions/{id}/moderate", (string slug, string session, string id, [FromForm] ModerateForm form, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, id, http, grains, (b, who) => b.ModerateAsync(who, id, ParseAction(form.Action))));
        moderators.MapPost("/questions/{id}/correct", (string slug, string session, string id, [FromForm] TextForm form, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, id, http, grains, (b, who) => b.CorrectAsync(who, id, form.Text ?? "")));
        moderators.MapPost("/questions/{id}/ban", (string slug, string session, string id, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, id, http, grains, async (b, who) =>
            {
                var author = (await b.ExportAsync()).Questions.FirstOrDefault(q => q.Id == id) ?? throw new ValidationFailedException(Problem.QuestionMissing);
                await grains.GetGrain<IQuestionBansGrain>(slug).BanAsync(who, author.AuthorEmail);
            }));
        moderators.MapPost("/mode", (string slug, string session, [FromForm] ModeForm form, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, "ask", http, grains, (b, who) => b.SetPreModeratedAsync(who, form.PreModerated ?? false)));
        return app;
    }

    public static IQuestionBoardGrain Board(IGrainFactory grains, string slug, string session) => grains.Reference<IQuestionBoardGrain>(new SessionKey(slug, session).ToString());

    public static ModerationAction ParseAction(string? action) =>
        Enum.TryParse<ModerationAction>(action, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ValidationFailedException(Problem.QuestionMissing);

    private static async Task<IResult> PageAsync(string slug, string session, string? sort, HttpContext http, IGrainFactory grains, string? typed, string? error, int status)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is not { } found)
        {
            return Pages.NoSession(slug, session);
        }

        var moderator = await http.MayAsync(slug, Policies.EventModerator);
        return Pages.Render(new QuestionBoardPage
        {
            Slug = slug,
            SessionId = session,
            SessionTitle = found.Title,
            Board = await Board(grains, slug, session).GetAsync(http.Viewer().Email, moderator),
            Polls = await Events.Web.Polls.PollEndpoints.Polls(grains, slug, session).GetAsync(http.Viewer().Email, false),
            Sort = sort == "new" ? "new" : "votes",
            CanAsk = await http.MayAsync(slug, Policies.EventMember),
            CanModerate = moderator,
            // The export is the organisers': a link nobody else could follow is not shown.
            CanExport = await http.MayAsync(slug, Policies.EventOrganiser),
            Viewer = http.Viewer().Email,
            IdempotencyKey = Secrets.NewToken(16),
            Typed = typed,
            Error = error,
        }, status);
    }

    private static async Task<IResult> RegionAsync(string slug, string session, string? sort, HttpContext http, IGrainFactory grains)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        var moderator = await http.MayAsync(slug, Policies.EventModerator);
        return Pages.Render(new QuestionsRegion
        {
            Slug = slug,
            SessionId = session,
            Board = await Board(grains, slug, session).GetAsync(http.Viewer().Email, moderator),
            Sort = sort == "new" ? "new" : "votes",
            CanAsk = await http.MayAsync(slug, Policies.EventMember),
            CanModerate = moderator,
            Viewer = http.Viewer().Email,
            Refetch = RegionRefetch.From(http.Request),
        });
    }

    // The projector shows what any attendee may see: it is often a shared, signed-out screen.
    private static async Task<IResult> ProjectorAsync(string slug, string session, IGrainFactory grains) =>
        await SessionLookups.SessionAsync(grains, slug, session) is { } found
            ? Pages.Render(new ProjectorPage { Slug = slug, SessionId = session, SessionTitle = found.Title, Board = await Board(grains, slug, session).GetAsync(null, false) })
            : Pages.NoSession(slug, session);

    private static async Task<IResult> ProjectorRegionAsync(string slug, string session, IGrainFactory grains) =>
        await SessionLookups.SessionAsync(grains, slug, session) is not null
            ? Pages.Render(new ProjectorRegion { Slug = slug, SessionId = session, Board = await Board(grains, slug, session).GetAsync(null, false) })
            : Pages.NoSession(slug, session);

    private static async Task<IResult> AskAsync(string slug, string session, [FromForm] AskForm form, HttpContext http, IGrainFactory grains)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        var asked = await Board(grains, slug, session).AskAsync(await SessionLookups.AskerAsync(grains, http.Viewer().SignedInEmail), form.Text ?? "", form.Anonymous ?? false, form.IdempotencyKey ?? "");
        return TypedResults.Redirect($"/events/{slug}/qa/{session}#{asked.Id}");
    }

    private static async Task<IResult> ActAsync(string slug, string session, string anchor, HttpContext http, IGrainFactory grains, Func<IQuestionBoardGrain, string, Task> action)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        await action(Board(grains, slug, session), http.Viewer().SignedInEmail);
        return TypedResults.Redirect($"/events/{slug}/qa/{session}#{anchor}");
    }

    private static async Task<IResult> ExportAsync(string slug, string session, IGrainFactory grains)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        var csv = new StringBuilder("question,votes,state,asked_at,answered_at,asker\r\n");
        foreach (var q in (await Board(grains, slug, session).ExportAsync()).Questions)
        {
            csv.Append(Csv.Cell(q.Text)).Append(',')
                .Append(q.Voters.Count.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(q.Status.ToString().ToLowerInvariant()).Append(',')
                .Append(q.AskedAt.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                .Append(q.AnsweredAt?.ToString("O", CultureInfo.InvariantCulture) ?? "").Append(',')
                .Append(q.Anonymous ? "" : Csv.Cell($"{q.AuthorName} <{q.AuthorEmail}>")).Append("\r\n");
        }

        return Csv.File(csv, $"questions-{slug}-{session}.csv");
    }
}
