using System.Globalization;
using System.Text;
using Events.Grains.Agenda;
using Events.Grains.Matchmaking;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orleans;

namespace Events.Web.Matchmaking;

// Organisers' statistics and exports for matchmaking, the later "what came of it" question, and
// the directory as CSV for members (only people who consented, never an address).
public static class MatchStatsEndpoints
{
    public static IEndpointRouteBuilder MapMatchStats(this IEndpointRouteBuilder app)
    {
        var organisers = app.MapGroup("/events/{slug}/matchmaking").RequireAuthorization(Policies.EventOrganiser);
        organisers.MapGet("/stats", StatsAsync);
        organisers.MapPost("/ask-later", AskLaterAsync).WithMetadata(new RequireAntiforgeryTokenAttribute());
        organisers.MapGet("/meetings.csv", MeetingsCsvAsync);
        organisers.MapGet("/profiles.csv", ProfilesCsvAsync);
        app.MapGet("/events/{slug}/directory.csv", DirectoryCsvAsync).RequireAuthorization(Policies.EventMember);
        return app;
    }

    private static async Task<IResult> StatsAsync(string slug, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var report = await grains.GetGrain<IMatchmakingGrain>(slug).ReportAsync();
        var profiles = await grains.GetGrain<IDirectoryGrain>(slug).AllAsync();
        return Pages.Render(new MatchStatsPage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Stats = MatchStats.From(report, profiles),
            Asked = http.Request.Query.ContainsKey("asked"),
        });
    }

    private static async Task<IResult> AskLaterAsync(string slug, HttpContext http, IGrainFactory grains)
    {
        await grains.GetGrain<IMatchmakingGrain>(slug).AskLaterAsync(MatchmakingEndpoints.Email(http));
        return TypedResults.Redirect($"/events/{slug}/matchmaking/stats?asked=1");
    }

    private static async Task<IResult> MeetingsCsvAsync(string slug, IGrainFactory grains)
    {
        var report = await grains.GetGrain<IMatchmakingGrain>(slug).ReportAsync();
        var byEmail = (await grains.GetGrain<IDirectoryGrain>(slug).AllAsync()).ToDictionary(p => p.Email, StringComparer.Ordinal);
        var csv = new StringBuilder("id,start,minutes,a_name,a_organisation,a_type,a_country,b_name,b_organisation,b_type,b_country,place_kind,place,status,booked_by_organiser,held,a_feedback,b_feedback,later_outcome\r\n");
        foreach (var record in report.Meetings)
        {
            var m = record.Meeting;
            csv.Append(m.Id).Append(',')
                .Append(m.Start.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                .Append(m.Minutes.ToString(CultureInfo.InvariantCulture)).Append(',');
            foreach (var email in new[] { m.A, m.B })
            {
                var p = byEmail.GetValueOrDefault(email)?.Draft;
                csv.Append(Csv.Cell(p?.Name ?? "")).Append(',').Append(Csv.Cell(p?.Organisation ?? "")).Append(',')
                    .Append(p?.Type.ToString() ?? "").Append(',').Append(Csv.Cell(p?.Country ?? "")).Append(',');
            }

            csv.Append(m.PlaceKind).Append(',').Append(Csv.Cell(m.Place)).Append(',')
                .Append(m.Cancelled ? "cancelled" : "booked").Append(',')
                .Append(record.Request?.BookedBy is not null ? "yes" : "no").Append(',')
                .Append(record.After.Held).Append(',')
                .Append(record.After.Feedback.TryGetValue(m.A, out var fa) ? fa.ToString() : "").Append(',')
                .Append(record.After.Feedback.TryGetValue(m.B, out var fb) ? fb.ToString() : "").Append(',')
                .Append(record.After.Outcome?.ToString() ?? "").Append("\r\n");
        }

        return Csv.File(csv, $"meetings-{slug}.csv");
    }

    // Organisers: every profile, with its address and whether it is listed.
    private static async Task<IResult> ProfilesCsvAsync(string slug, IGrainFactory grains) =>
        Profiles(slug, "profiles", (await grains.GetGrain<IDirectoryGrain>(slug).AllAsync()).Select(p => (p.Entry, (string?)p.Email, (bool?)p.Listed)));

    // Members: the directory as they see it; no address, nobody who did not consent or is hidden.
    private static async Task<IResult> DirectoryCsvAsync(string slug, IGrainFactory grains) =>
        Profiles(slug, "directory", (await grains.GetGrain<IDirectoryGrain>(slug).VisibleAsync()).Select(e => (e, (string?)null, (bool?)null)));

    private static IResult Profiles(string slug, string name, IEnumerable<(DirectoryEntry Entry, string? Email, bool? Listed)> rows)
    {
        var organiser = name == "profiles";
        var csv = new StringBuilder(organiser
            ? "person_id,name,email,organisation,type,city,country,languages,themes,needs,offers,verified,listed,hidden\r\n"
            : "person_id,name,organisation,type,city,country,languages,themes,needs,offers,verified\r\n");
        foreach (var (entry, email, listed) in rows)
        {
            var p = entry.Profile;
            csv.Append(entry.PersonId).Append(',').Append(Csv.Cell(p.Name)).Append(',');
            if (organiser)
            {
                csv.Append(Csv.Cell(email ?? "")).Append(',');
            }

            csv.Append(Csv.Cell(p.Organisation)).Append(',').Append(p.Type).Append(',')
                .Append(Csv.Cell(p.City)).Append(',').Append(Csv.Cell(p.Country)).Append(',')
                .Append(Csv.Cell(string.Join(' ', p.Languages))).Append(',')
                .Append(Csv.Cell(string.Join("; ", p.Themes))).Append(',')
                .Append(Csv.Cell(string.Join("; ", p.Needs.Select(n => $"{n.Theme}: {n.Title}")))).Append(',')
                .Append(Csv.Cell(string.Join("; ", p.Offers.Select(o => $"{o.Theme}: {o.Title}")))).Append(',')
                .Append(entry.Verified ? "yes" : "no");
            if (organiser)
            {
                csv.Append(',').Append(listed == true ? "yes" : "no").Append(',').Append(entry.Hidden ? "yes" : "no");
            }

            csv.Append("\r\n");
        }

        return Csv.File(csv, $"{name}-{slug}.csv");
    }
}
