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
    // The moderator console's buttons, from a page with JavaScript; the forms do the same without it.
    [Authorize(Policy = Policies.EventModerator)]
    public async Task<string> ControlMixer(string slug, string sessionId, string control)
    {
        if (await MixerEndpoints.FindAsync(Grains, slug, sessionId) is null)
        {
            throw new HubException(Text.Format(Language, "problem.SessionMissing", sessionId));
        }

        var view = await MixerEndpoints.Slot(Grains, slug, sessionId).ControlAsync(Context.User!.Email()!, MixerEndpoints.ParseControl(control));
        return view.Now.Phase.ToString();
    }
}
