using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Polls;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Orleans;

namespace Events.Web.Polls;

public sealed record PollDraftForm
{
    public string? Kind { get; init; }

    public string? Question { get; init; }

    // One option per line.
    public string? Options { get; init; }

    public bool? Anonymous { get; init; }

    public PollDraft ToDraft() => new(
        Enum.TryParse<PollKind>(Kind, ignoreCase: false, out var kind) && Enum.IsDefined(kind) ? kind : PollKind.SingleChoice,
        Question ?? "",
        [.. (Options ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        Anonymous ?? false);
}

public sealed record PollControlForm
{
    public string? Action { get; init; }
}

public sealed record TextModerationForm
{
    public bool? Approve { get; init; }
}

// The fields of an answer, the same from the plain form and from the hub: "choice" (one option),
// "choice-<i>" (each ticked option), "rating", "rank-<i>" (the place given to option i, from 1),
// "word-<n>", "text".
public static class PollAnswerFields
{
    public static PollAnswer Parse(Poll poll, string? choice, IReadOnlyDictionary<string, string?> choices, string? rating, IReadOnlyDictionary<string, string?> ranks, IReadOnlyDictionary<string, string?> words, string? text)
    {
        static int? Number(string? value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

        return poll.Kind switch
        {
            PollKind.SingleChoice => PollAnswer.Empty with { Choices = Number(choice) is { } one ? [one] : [] },
            PollKind.MultipleChoice => PollAnswer.Empty with
            {
                Choices = [.. choices.Where(c => !string.IsNullOrEmpty(c.Value)).Select(c => Number(c.Key) ?? -1)],
            },
            // Places 1..n given per option; the order is the options sorted by place. A place
            // missing or given twice leaves the ranking incomplete, which the grain refuses.
            PollKind.Ranking => PollAnswer.Empty with
            {
                Choices = ranks.Select(r => (Option: Number(r.Key), Place: Number(r.Value)))
                    .Where(r => r.Option is not null && r.Place is not null)
                    .DistinctBy(r => r.Place)
                    .OrderBy(r => r.Place)
                    .Select(r => r.Option!.Value)
                    .ToImmutableArray(),
            },
            PollKind.Stars or PollKind.Scale => PollAnswer.Empty with { Rating = Number(rating) },
            PollKind.WordCloud => PollAnswer.Empty with
            {
                Words = [.. words.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => w.Value ?? "").Where(w => w.Trim().Length > 0)],
            },
            _ => PollAnswer.Empty with { Text = text },
        };
    }

    public static IReadOnlyDictionary<string, string?> Prefixed(IFormCollection form, string prefix) =>
        form.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(k => k[prefix.Length..], k => (string?)form[k].ToString());
}

// A session's polls: the audience answers at /events/{slug}/polls/{session}, the moderator prepares
// and runs them on the same page, and the projector shows the live one.
public static class PollEndpoints
{
    public static IEndpointRouteBuilder MapPolls(this IEndpointRouteBuilder app)
    {
        var polls = app.MapGroup("/events/{slug}/polls/{session}")
            .OnRefusal(r => PageAsync(r.Route("slug"), r.Route("session"), r.Http, r.Grains, r.Form<PollDraftForm>(), r.Error, StatusCodes.Status400BadRequest));
        polls.MapGet("/", (string slug, string session, HttpContext http, IGrainFactory grains) => PageAsync(slug, session, http, grains, null, null, StatusCodes.Status200OK)).AllowAnonymous();
        polls.MapGet("/live", RegionAsync).AllowAnonymous();
        polls.MapGet("/banner", BannerAsync).AllowAnonymous();
        polls.MapGet("/projector", ProjectorAsync).AllowAnonymous();
        polls.MapGet("/projector/live", ProjectorRegionAsync).AllowAnonymous();
        polls.MapGet("/export.csv", (string slug, string session, IGrainFactory grains) => ExportAsync(slug, [session], grains, $"polls-{slug}-{session}.csv"))
            .RequireAuthorization(Policies.EventOrganiser);
        var moderators = polls.MapGroup("").RequireAuthorization(Policies.EventModerator);
        moderators.MapPost("/", PrepareAsync);
        moderators.MapPost("/{pollId}/control", (string slug, string session, string pollId, [FromForm] PollControlForm form, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, http, grains, (p, who) => p.ControlAsync(who, pollId, ParseControl(form.Action))));
        moderators.MapPost("/{pollId}/texts/{answerId}", (string slug, string session, string pollId, string answerId, [FromForm] TextModerationForm form, HttpContext http, IGrainFactory grains) =>
            ActAsync(slug, session, http, grains, (p, who) => p.ModerateTextAsync(who, pollId, answerId, form.Approve ?? false)));
        polls.MapPost("/{pollId}/answer", AnswerAsync).RequireAuthorization(Policies.EventMember).WithMetadata(new RequireAntiforgeryTokenAttribute());
        app.MapGet("/events/{slug}/polls.csv", async (string slug, IGrainFactory grains) =>
            await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is { } agenda
                ? await ExportAsync(slug, [.. agenda.Sessions.Select(s => s.Id)], grains, $"polls-{slug}.csv")
                : Pages.NoEvent(slug)).RequireAuthorization(Policies.EventOrganiser);
        return app;
    }

    public static IPollsGrain Polls(IGrainFactory grains, string slug, string session) => grains.GetGrain<IPollsGrain>(new SessionKey(slug, session).ToString());

    public static async Task<Respondent> RespondentAsync(IGrainFactory grains, string email)
    {
        var asker = await SessionLookups.AskerAsync(grains, email);
        return new Respondent(asker.Email, asker.Name);
    }

    private static PollControl ParseControl(string? action) =>
        Enum.TryParse<PollControl>(action, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ValidationFailedException(Problem.PollControlNotNow);

    private static async Task<IResult> PageAsync(string slug, string session, HttpContext http, IGrainFactory grains, PollDraftForm? draft, string? error, int status)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is not { } found)
        {
            return Pages.NoSession(slug, session);
        }

        var moderator = await http.MayAsync(slug, Policies.EventModerator);
        return Pages.Render(new PollsPage
        {
            Slug = slug,
            SessionId = session,
            SessionTitle = found.Title,
            Polls = await Polls(grains, slug, session).GetAsync(http.Viewer().Email, moderator),
            CanAnswer = await http.MayAsync(slug, Policies.EventMember),
            CanModerate = moderator,
            CanExport = await http.MayAsync(slug, Policies.EventOrganiser),
            IdempotencyKey = Secrets.NewToken(16),
            Draft = draft,
            Error = error,
        }, status);
    }

    private static async Task<IResult> RegionAsync(string slug, string session, HttpContext http, IGrainFactory grains)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        var moderator = await http.MayAsync(slug, Policies.EventModerator);
        return Pages.Render(new PollsRegion
        {
            Slug = slug,
            SessionId = session,
            Polls = await Polls(grains, slug, session).GetAsync(http.Viewer().Email, moderator),
            CanAnswer = await http.MayAsync(slug, Policies.EventMember),
            CanModerate = moderator,
            IdempotencyKey = Secrets.NewToken(16),
        });
    }

    private static async Task<IResult> BannerAsync(string slug, string session, HttpContext http, IGrainFactory grains) =>
        await SessionLookups.SessionAsync(grains, slug, session) is not null
            ? Pages.Render(new PollBanner { Slug = slug, SessionId = session, Polls = await Polls(grains, slug, session).GetAsync(http.Viewer().Email, false) })
            : Pages.NoSession(slug, session);

    // The projector shows what any attendee may see: often a shared, signed-out screen.
    private static async Task<IResult> ProjectorAsync(string slug, string session, IGrainFactory grains) =>
        await SessionLookups.SessionAsync(grains, slug, session) is { } found
            ? Pages.Render(new PollProjectorPage { Slug = slug, SessionId = session, SessionTitle = found.Title, Polls = await Polls(grains, slug, session).GetAsync(null, false) })
            : Pages.NoSession(slug, session);

    private static async Task<IResult> ProjectorRegionAsync(string slug, string session, IGrainFactory grains) =>
        await SessionLookups.SessionAsync(grains, slug, session) is not null
            ? Pages.Render(new PollProjectorRegion { Slug = slug, SessionId = session, Polls = await Polls(grains, slug, session).GetAsync(null, false) })
            : Pages.NoSession(slug, session);

    private static async Task<IResult> PrepareAsync(string slug, string session, [FromForm] PollDraftForm form, HttpContext http, IGrainFactory grains)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        var poll = await Polls(grains, slug, session).PrepareAsync(http.Viewer().SignedInEmail, form.ToDraft());
        return TypedResults.Redirect($"/events/{slug}/polls/{session}#{poll.Id}");
    }

    private static async Task<IResult> AnswerAsync(string slug, string session, string pollId, IFormCollection form, HttpContext http, IGrainFactory grains)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        var grain = Polls(grains, slug, session);
        var poll = (await grain.GetAsync(null, false)).Polls.FirstOrDefault(p => p.Poll.Id == pollId)?.Poll
            ?? throw new ValidationFailedException(Problem.PollMissing);
        var answer = PollAnswerFields.Parse(poll, form["choice"], PollAnswerFields.Prefixed(form, "choice-"), form["rating"],
            PollAnswerFields.Prefixed(form, "rank-"), PollAnswerFields.Prefixed(form, "word-"), form["text"]);
        await grain.AnswerAsync(await RespondentAsync(grains, http.Viewer().SignedInEmail), pollId, answer, form["idempotencyKey"].ToString());
        return TypedResults.Redirect($"/events/{slug}/polls/{session}#{pollId}");
    }

    private static async Task<IResult> ActAsync(string slug, string session, HttpContext http, IGrainFactory grains, Func<IPollsGrain, string, Task> action)
    {
        if (await SessionLookups.SessionAsync(grains, slug, session) is null)
        {
            return Pages.NoSession(slug, session);
        }

        await action(Polls(grains, slug, session), http.Viewer().SignedInEmail);
        return TypedResults.Redirect($"/events/{slug}/polls/{session}");
    }

    // Names appear only for polls that were not anonymous, and only here (organisers).
    private static async Task<IResult> ExportAsync(string slug, IReadOnlyList<string> sessions, IGrainFactory grains, string fileName)
    {
        var csv = new StringBuilder("session,poll,kind,question,answered_at,answer,respondent\r\n");
        foreach (var session in sessions)
        {
            var export = await Polls(grains, slug, session).ExportAsync();
            var polls = export.Polls.ToDictionary(p => p.Id);
            foreach (var (pollId, response) in export.Responses.Select(r => (r.PollId, r.Response)))
            {
                var poll = polls[pollId];
                csv.Append(Csv.Cell(session)).Append(',')
                    .Append(Csv.Cell(poll.Id)).Append(',')
                    .Append(poll.Kind).Append(',')
                    .Append(Csv.Cell(poll.Question)).Append(',')
                    .Append(response.At.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                    .Append(Csv.Cell(PollsGrain.Describe(poll, response.Answer))).Append(',')
                    .Append(poll.Anonymous ? "" : Csv.Cell($"{response.VoterName} <{response.Voter}>")).Append("\r\n");
            }
        }

        return Csv.File(csv, fileName);
    }
}
