using System.Globalization;
using System.Text;
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

public sealed record FollowUpStatusForm
{
    public string? Status { get; init; }
}

// One follow-up as one viewer may see it. InvestorEmail and TeamContact are filled in only when
// the viewer may have them: after the team accepted, or for organisers.
public sealed record FollowUpRow(
    FollowUp FollowUp,
    string InvestorName,
    string? InvestorEmail,
    string? TeamContact,
    IReadOnlyList<FollowUpStatus> Next,
    string? MeetPersonId = null);

// A matchmaking meeting as the follow-up tracking shows it: who met, whether it was held, and the
// furthest outcome either side reported.
public sealed record MeetingOutcomeRow(string Id, string Between, DateTimeOffset Start, Events.Grains.Matchmaking.MeetingHeld Held, Events.Grains.Matchmaking.MeetingFeedback? Feedback, Events.Grains.Matchmaking.LaterOutcome? Later);

public static class FollowUpEndpoints
{
    public static IEndpointRouteBuilder MapFollowUps(this IEndpointRouteBuilder app)
    {
        var followUps = app.MapGroup("/events/{slug}/follow-ups").RequireAuthorization(Policies.EventMember)
            .OnRefusal(r => PageAsync(r.Route("slug"), r.Http, r.Grains, r.Error));
        followUps.MapGet("/", (string slug, HttpContext http, IGrainFactory grains) => PageAsync(slug, http, grains, null));
        followUps.MapPost("/{id}/status", UpdateAsync);
        app.MapGet("/events/{slug}/follow-ups.csv", ExportAsync).RequireAuthorization(Policies.EventOrganiser);
        return app;
    }

    private static IFollowUpsGrain FollowUps(IGrainFactory grains, string slug) => grains.GetGrain<IFollowUpsGrain>(slug);

    private static FollowUpParty? PartyOf(PitchViewer viewer, FollowUp followUp) =>
        viewer.Organises ? FollowUpParty.Organiser
        : followUp.Investor == viewer.Email ? FollowUpParty.Investor
        : viewer.IsTeam(followUp.Team) ? FollowUpParty.Team
        : null;

    private static async Task<IResult> PageAsync(string slug, HttpContext http, IGrainFactory grains, string? error)
    {
        var viewer = await PitchViewer.OfAsync(http, slug);
        var cards = PitchCardEndpoints.Cards(grains, slug);
        var rows = new List<FollowUpRow>();
        foreach (var followUp in await FollowUps(grains, slug).ListAsync())
        {
            if (PartyOf(viewer, followUp) is not { } party)
            {
                continue;
            }

            var account = await grains.GetGrain<IAccountGrain>(followUp.Investor).GetAsync();
            var name = account is { HasProfile: true }
                ? account.DisplayName + (account.Organisation.Length > 0 ? $" ({account.Organisation})" : "")
                : Text.Get(Text.LanguageOf(http), "followup.an-investor");
            var exchanged = followUp.ContactsExchanged || party == FollowUpParty.Organiser;
            var contact = (await cards.GetAsync(followUp.Team))?.Current.Content;
            rows.Add(new FollowUpRow(
                followUp,
                name,
                exchanged ? followUp.Investor : null,
                (exchanged || party == FollowUpParty.Team) && contact is not null ? $"{contact.ContactName} · {contact.ContactDetails}" : null,
                [.. Enum.GetValues<FollowUpStatus>().Where(s => s != followUp.Status && FollowUpsGrain.Allowed(party, followUp.Status, s))],
                party == FollowUpParty.Investor && followUp.Status != FollowUpStatus.Declined ? await TeamMemberToMeetAsync(grains, slug, followUp.Team) : null));
        }

        return Pages.Render(new FollowUpsPage
        {
            Slug = slug,
            Rows = (IReadOnlyList<FollowUpRow>)rows,
            Organises = viewer.Organises,
            Meetings = await MeetingOutcomesAsync(grains, slug, viewer),
            Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    // An investor asks a team for a meeting through matchmaking (one booking flow): the first member
    // of the team who shows a profile in the directory.
    private static async Task<string?> TeamMemberToMeetAsync(IGrainFactory grains, string slug, string team)
    {
        var directory = grains.GetGrain<Events.Grains.Matchmaking.IDirectoryGrain>(slug);
        foreach (var member in await grains.GetGrain<IEventAccessGrain>(slug).ListMembersAsync())
        {
            if (member.Team is { } name && TeamKey.From(name) == team
                && await directory.FindAsync(Events.Grains.Matchmaking.PersonIds.Of(slug, member.Email), organiser: false) is { } entry)
            {
                return entry.PersonId;
            }
        }

        return null;
    }

    // Meeting outcomes join the pitch follow-ups: organisers see every meeting, others their own.
    private static async Task<IReadOnlyList<MeetingOutcomeRow>> MeetingOutcomesAsync(IGrainFactory grains, string slug, PitchViewer viewer)
    {
        var report = await grains.GetGrain<Events.Grains.Matchmaking.IMatchmakingGrain>(slug).ReportAsync();
        var directory = grains.GetGrain<Events.Grains.Matchmaking.IDirectoryGrain>(slug);
        var rows = new List<MeetingOutcomeRow>();
        foreach (var record in report.Meetings.Where(r => !r.Meeting.Cancelled && (viewer.Organises || (viewer.Email is { } me && r.Meeting.Involves(me)))))
        {
            async Task<string> Name(string email) =>
                (await directory.FindAsync(Events.Grains.Matchmaking.PersonIds.Of(slug, email), organiser: true))?.Profile.Name ?? "—";

            var feedback = record.After.Feedback.Values.DefaultIfEmpty().Max();
            rows.Add(new MeetingOutcomeRow(
                record.Meeting.Id,
                $"{await Name(record.Meeting.A)} ↔ {await Name(record.Meeting.B)}",
                record.Meeting.Start,
                record.After.Held,
                record.After.Feedback.IsEmpty ? null : feedback,
                record.After.Outcome));
        }

        return rows;
    }

    private static async Task<IResult> UpdateAsync(string slug, string id, [FromForm] FollowUpStatusForm form, HttpContext http, IGrainFactory grains)
    {
        var viewer = await PitchViewer.OfAsync(http, slug);
        var followUp = (await FollowUps(grains, slug).ListAsync()).FirstOrDefault(f => f.Id == id);
        if (followUp is null || PartyOf(viewer, followUp) is not { } party)
        {
            throw new ValidationFailedException(Problem.FollowUpMissing, id);
        }

        var status = Enum.TryParse<FollowUpStatus>(form.Status, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ValidationFailedException(Problem.FollowUpStatusNotAllowed, followUp.Status, form.Status ?? "");
        await FollowUps(grains, slug).UpdateAsync(viewer.Email!, party, id, status);
        return TypedResults.Redirect($"/events/{slug}/follow-ups#{id}");
    }

    private static async Task<IResult> ExportAsync(string slug, IGrainFactory grains)
    {
        var csv = new StringBuilder("id,team,investor,status,requested_at,updated_at,room\r\n");
        foreach (var f in await FollowUps(grains, slug).ListAsync())
        {
            csv.Append(f.Id).Append(',')
                .Append(Csv.Cell(f.TeamName)).Append(',')
                .Append(Csv.Cell(f.Investor)).Append(',')
                .Append(f.Status.ToString()).Append(',')
                .Append(f.RequestedAt.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                .Append(f.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                .Append(Csv.Cell(f.Session)).Append("\r\n");
        }

        return Csv.File(csv, $"follow-ups-{slug}.csv");
    }
}
