using Events.Grains;
using Events.Grains.Mixer;
using Events.Web.Localization;
using Events.Web.Mixer;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

public sealed partial class LiveHub
{
    // The moderator console's buttons, from a page with JavaScript (live.js's offline-safe input);
    // the forms do the same without it. The key makes a resend harmless: "Next" moves on once.
    [Authorize(Policy = Policies.EventModerator)]
    public async Task<string> ControlMixer(string slug, string sessionId, string control, string idempotencyKey)
    {
        if (await MixerEndpoints.FindAsync(Grains, slug, sessionId) is null)
        {
            throw new HubException(Text.Format(Language, "problem.SessionMissing", sessionId));
        }

        var view = await MixerEndpoints.Slot(Grains, slug, sessionId).ControlAsync(Viewer.SignedInEmail, MixerEndpoints.ParseControl(control), idempotencyKey);
        return view.Now.Phase.ToString();
    }
}
