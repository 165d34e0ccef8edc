using System.Collections.Immutable;
using Events.Grains;
using Events.Grains.Matchmaking;
using Events.Web.Localization;
using Events.Web.Matchmaking;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

// Meeting requests and answers sent by the offline-safe input (live.js): each carries the
// idempotency key the browser made, so a resend after a dropped connection does nothing twice and
// gets the first answer. Slots come as the forms' values, space-separated. Without JavaScript the
// same forms post to the matchmaking endpoints.
public sealed partial class LiveHub
{
    [Authorize(Policy = Policies.EventMember)]
    public Task<string> RequestMeeting(string slug, string to, string? message, string? slots, string idempotencyKey) => MeetingInputAsync(async matchmaking =>
    {
        var email = Viewer.SignedInEmail;
        var invitee = await MatchmakingEndpoints.InviteeAsync(Grains, slug, email, to ?? "") ?? throw new ValidationFailedException(Problem.ProfileMissing);
        return (await matchmaking.RequestOnceAsync(email, invitee, message ?? "", MeetingSlots(slots), idempotencyKey)).Id;
    }, slug);

    // Answers the meeting's id.
    [Authorize(Policy = Policies.EventMember)]
    public Task<string> AcceptMeeting(string slug, string requestId, string? slots, string idempotencyKey) => MeetingInputAsync(async matchmaking =>
        (await matchmaking.AcceptOnceAsync(Viewer.SignedInEmail, requestId ?? "", MeetingSlots(slots).FirstOrDefault(), idempotencyKey)).Id, slug);

    [Authorize(Policy = Policies.EventMember)]
    public Task<string> DeclineMeeting(string slug, string requestId, string? reason, string idempotencyKey) => MeetingInputAsync(async matchmaking =>
        (await matchmaking.DeclineOnceAsync(Viewer.SignedInEmail, requestId ?? "", reason, idempotencyKey)).Id, slug);

    private Task<string> MeetingInputAsync(Func<IMatchmakingGrain, Task<string>> input, string slug) =>
        input(Grains.GetGrain<IMatchmakingGrain>(slug));

    private static ImmutableArray<DateTimeOffset> MeetingSlots(string? slots) =>
        MatchmakingEndpoints.Slots((slots ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
