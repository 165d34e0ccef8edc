using Events.Grains.People;
using Events.Grains.Pitches;
using Orleans;
using Events.Web.Security;
using Microsoft.AspNetCore.Http;

namespace Events.Web.Pitches;

// Who is looking at a pitch page, as far as privacy goes. Moderators and organisers see every
// scorecard; an investor sees only their own; a city team sees its own pitch's released feedback.
public sealed record PitchViewer(string? Email, bool Moderates, bool Organises, bool Scores, string? Team)
{
    public bool IsTeam(string team) => Team is not null && Team == team;

    public bool MayEditCard(string team) => Organises || IsTeam(team);

    public static async Task<PitchViewer> OfAsync(HttpContext http, IGrainFactory grains, string slug)
    {
        var email = http.User.Email();
        if (email is null)
        {
            return new PitchViewer(null, false, false, false, null);
        }

        var membership = await grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email);
        var team = membership is { Team: { } name } && membership.Roles.HasFlag(EventRole.Presenter) ? TeamKey.From(name) : null;
        return new PitchViewer(
            email,
            await http.MayAsync(slug, Policies.EventModerator),
            await http.MayAsync(slug, Policies.EventOrganiser),
            await http.MayAsync(slug, Policies.EventInvestor),
            team);
    }
}
