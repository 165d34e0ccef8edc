using Events.Grains;
using Events.Web.Localization;
using Events.Web.Pitches;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

public sealed partial class LiveHub
{
    // Sent by the scorecard's offline-safe input; the form posts the same without JavaScript.
    [Authorize(Policy = Policies.EventInvestor)]
    public async Task<string> ScorePitch(string slug, string session, string team, Dictionary<string, string?>? scores, string? comment, string? note, string? interest, bool? conflict, string idempotencyKey)
    {
        if (await PitchRoomEndpoints.FindAsync(Grains, slug, session) is null)
        {
            throw new HubException(Text.Format(Language, "problem.SessionMissing", session));
        }

        var input = PitchRoomEndpoints.ParseScorecard(scores ?? [], comment, note, interest, conflict ?? false);
        await PitchRoomEndpoints.Room(Grains, slug, session).SaveScorecardAsync(Viewer.SignedInEmail, team, input, idempotencyKey);
        return "saved";
    }

    // The room console's buttons, from a page with JavaScript; the forms do the same without it.
    // Every control moves a pitch out of one phase, so a resend is refused and changes nothing: the
    // key only keeps the call's shape the same as every queued input's.
    [Authorize(Policy = Policies.EventModerator)]
    public async Task<string> ControlPitchRoom(string slug, string session, string team, string control, int? minutes, string idempotencyKey)
    {
        if (await PitchRoomEndpoints.FindAsync(Grains, slug, session) is null)
        {
            throw new HubException(Text.Format(Language, "problem.SessionMissing", session));
        }

        var view = await PitchRoomEndpoints.Room(Grains, slug, session)
            .ControlAsync(Viewer.SignedInEmail, team, PitchRoomEndpoints.ParseControl(control), minutes ?? Events.Grains.Pitches.PitchRoomGrain.DefaultMinutes);
        return view.Pitches.First(p => p.Team == team).Phase.ToString();
    }
}
