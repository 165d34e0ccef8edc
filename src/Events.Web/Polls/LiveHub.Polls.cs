using Events.Grains;
using Events.Web.Shared;
using Events.Web.Localization;
using Events.Web.Polls;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

public sealed partial class LiveHub
{
    // Sent by the offline-safe input with the plain form's fields: the idempotency key makes a
    // resend after a reconnect harmless, and a stale one cannot undo a newer answer.
    [Authorize(Policy = Policies.EventMember)]
    public async Task<bool> AnswerPoll(
        string slug,
        string session,
        string poll,
        string? choice,
        Dictionary<string, string?>? choices,
        string? rating,
        Dictionary<string, string?>? ranks,
        Dictionary<string, string?>? words,
        string? text,
        string idempotencyKey)
    {
        if (await SessionLookups.SessionAsync(Grains, slug, session) is null)
        {
            throw new HubException(Text.Format(Language, "problem.SessionMissing", session));
        }

        var polls = PollEndpoints.Polls(Grains, slug, session);
        var found = (await polls.GetAsync(null, false)).Polls.FirstOrDefault(p => p.Poll.Id == poll)?.Poll
            ?? throw new ValidationFailedException(Problem.PollMissing);
        var answer = PollAnswerFields.Parse(found, choice, choices ?? [], rating, ranks ?? [], words ?? [], text);
        await polls.AnswerAsync(await PollEndpoints.RespondentAsync(Grains, Viewer.SignedInEmail), poll, answer, idempotencyKey);
        return true;
    }
}
