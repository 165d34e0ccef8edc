using Events.Grains;
using Events.Grains.Questions;
using Events.Web.Shared;
using Events.Web.Localization;
using Events.Web.Questions;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

public sealed partial class LiveHub
{
    // Sent by the offline-safe input: the idempotency key makes a resend harmless.
    [Authorize(Policy = Policies.EventMember)]
    public async Task<string> AskQuestion(string slug, string session, string text, bool? anonymous, string idempotencyKey)
    {
        if (await SessionLookups.SessionAsync(Grains, slug, session) is null)
        {
            throw new HubException(Text.Format(Language, "problem.SessionMissing", session));
        }

        var asker = await SessionLookups.AskerAsync(Grains, Viewer.SignedInEmail);
        return (await QuestionEndpoints.Board(Grains, slug, session).AskAsync(asker, text, anonymous ?? false, idempotencyKey)).Id;
    }

    // Sent by the vote buttons' offline-safe input. A vote sets a state (up or not), so a resend is
    // harmless as it is; the key only keeps the call's shape the same as every queued input's.
    [Authorize(Policy = Policies.EventMember)]
    public Task<int> VoteQuestion(string slug, string session, string questionId, bool up, string idempotencyKey) =>
        QuestionEndpoints.Board(Grains, slug, session).VoteAsync(Viewer.SignedInEmail, questionId, up);
}
