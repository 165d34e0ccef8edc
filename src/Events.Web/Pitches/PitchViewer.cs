using Events.Grains.People;
using Events.Grains.Pitches;
using Events.Web.Security;
using Microsoft.AspNetCore.Http;

namespace Events.Web.Pitches;

// Who is looking at a pitch page, as far as privacy goes. Moderators and organisers see every
// scorecard; an investor sees only their own; a city team sees its own pitch's released feedback.
public sealed record PitchViewer(string? Email, bool Moderates, bool Organises, bool Scores, string? Team)
{
    public bool IsTeam(string team) => Team is not null && Team == team;

    public bool MayEditCard(string team) => Organises || IsTeam(team);

    // Every answer here comes from the request's viewer, which asks the grains once for all of them.
    public static async Task<PitchViewer> OfAsync(HttpContext http, string slug)
    {
        var viewer = http.Viewer();
        if (viewer.Email is not { } email)
        {
            return new PitchViewer(null, false, false, false, null);
        }

        var membership = await viewer.MembershipAsync(slug);
        var team = membership is { Team: { } name } && membership.Roles.HasFlag(EventRole.Presenter) ? TeamKey.From(name) : null;
        return new PitchViewer(
            email,
            await http.MayAsync(slug, Policies.EventModerator),
            await http.MayAsync(slug, Policies.EventOrganiser),
            await http.MayAsync(slug, Policies.EventInvestor),
            team);
    }
}
