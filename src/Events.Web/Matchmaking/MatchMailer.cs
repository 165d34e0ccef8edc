using System.Text;
using Events.Grains.Mail;
using Events.Grains.Matchmaking;
using Events.Grains.People;
using Events.Web.Localization;
using Events.Web.Mail;
using Events.Web.Security;
using Microsoft.Extensions.Options;
using Orleans;

namespace Events.Web.Matchmaking;

// Matchmaking's mails, in each recipient's language: a request received, accepted, declined, a
// meeting cancelled, a meeting booked by the organisers, a reminder before a meeting. Mails carry names and links, never the
// other person's address. New requests are batched: nobody gets more than one mail about them per
// 15 minutes; a request that arrives sooner waits (its promise stays in the outbox) and the next
// mail lists every request received since the last one.
public sealed class MatchMailer(IGrainFactory grains, IMailSender mail, IOptions<SiteOptions> site, TimeProvider clock) : IPromisedMail
{
    public static readonly TimeSpan RequestMailGap = TimeSpan.FromMinutes(15);

    public bool Handles(object promised) => promised is MeetingRequested or MeetingRequestAnswered or MeetingBooked or MeetingCancelled or MeetingArranged or MeetingReminderDue;

    // Sends what the promise asks for; returns when to try again if it must wait (batching).
    public async Task<DateTimeOffset?> ApplyAsync(string slug, MailPromise promise, object promised)
    {
        var matchmaking = grains.GetGrain<IMatchmakingGrain>(slug);
        switch (promised)
        {
            case MeetingRequested requested:
                return await RequestsAsync(slug, matchmaking, promise, requested.Request);
            case MeetingRequestAnswered { Status: RequestStatus.Declined } declined:
                var request = await FindRequestAsync(matchmaking, declined.RequestId);
                if (request is not null)
                {
                    await SendAsync(promise, slug, request.From, "mail.match-declined-subject", "mail.match-declined-body", "/events/{0}/suggestions", request.To, declined.Reason is { } reason ? $"“{reason}”" : "");
                }

                break;
            case MeetingBooked booked:
                await SendAsync(promise, slug, booked.Meeting.A, "mail.match-accepted-subject", "mail.match-accepted-body", $"/events/{{0}}/meetings/m/{booked.Meeting.Id}", booked.Meeting.B, await WhenAsync(matchmaking, booked.Meeting, booked.Meeting.A));
                break;
            case MeetingCancelled cancelled:
                var meeting = await FindMeetingAsync(matchmaking, cancelled.MeetingId);
                if (meeting is not null)
                {
                    var other = meeting.Other(cancelled.By);
                    await SendAsync(promise, slug, other, "mail.match-cancelled-subject", "mail.match-cancelled-body", $"/events/{{0}}/meetings/m/{meeting.Id}", cancelled.By, await WhenAsync(matchmaking, meeting, other) + (cancelled.Note is { } note ? $" “{note}”" : ""));
                }

                break;
            case MeetingArranged arranged:
                foreach (var email in new[] { arranged.Meeting.A, arranged.Meeting.B })
                {
                    await SendAsync(promise, slug, email, "mail.match-arranged-subject", "mail.match-arranged-body", $"/events/{{0}}/meetings/m/{arranged.Meeting.Id}", arranged.Meeting.Other(email), await WhenAsync(matchmaking, arranged.Meeting, email));
                }

                break;
            case MeetingReminderDue due:
                // Promised when it fell due; a meeting cancelled or moved (cancelled, then booked
                // anew under another id) since then is not reminded, nor one that is over.
                if (await FindMeetingAsync(matchmaking, due.MeetingId) is { Cancelled: false } reminded && clock.GetUtcNow() < reminded.Start.AddMinutes(reminded.Minutes))
                {
                    foreach (var email in new[] { reminded.A, reminded.B })
                    {
                        await SendAsync(promise, slug, email, "mail.match-reminder-subject", "mail.match-reminder-body", $"/events/{{0}}/meetings/m/{reminded.Id}", reminded.Other(email), await WhenAsync(matchmaking, reminded, email));
                    }
                }

                break;
        }

        return null;
    }

    private static async Task<Meeting?> FindMeetingAsync(IMatchmakingGrain matchmaking, string meetingId) =>
        (await matchmaking.ReportAsync()).Meetings.FirstOrDefault(m => m.Meeting.Id == meetingId)?.Meeting;

    private static async Task<MeetingRequest?> FindRequestAsync(IMatchmakingGrain matchmaking, string requestId) =>
        (await matchmaking.ReportAsync()).Requests.FirstOrDefault(r => r.Id == requestId);

    private async Task<DateTimeOffset?> RequestsAsync(string slug, IMatchmakingGrain matchmaking, MailPromise promise, MeetingRequest request)
    {
        var last = await matchmaking.RequestsMailedAtAsync(request.To);
        if (last >= request.CreatedAt)
        {
            return null; // an earlier mail already listed it
        }

        var now = clock.GetUtcNow();
        if (last is { } at && now < at + RequestMailGap)
        {
            return at + RequestMailGap;
        }

        var waiting = (await matchmaking.MineAsync(request.To)).Incoming
            .Where(r => r.Status == RequestStatus.Pending && (last is null || r.CreatedAt > last))
            .OrderBy(r => r.CreatedAt)
            .ToList();
        if (waiting.Count > 0)
        {
            var language = await LanguageAsync(request.To);
            var lines = new StringBuilder();
            foreach (var r in waiting)
            {
                lines.Append("- ").Append(await NameAsync(slug, r.From)).Append(r.Message.Length > 0 ? $": “{r.Message}”" : "").Append('\n');
            }

            await mail.SendAsync(new OutgoingMail(
                request.To,
                Text.Format(language, "mail.match-requests-subject", waiting.Count),
                Text.Format(language, "mail.match-requests-body", waiting.Count, lines.ToString().TrimEnd(), site.Value.Link($"/events/{slug}/meetings#incoming")),
                PromisedMails.Id(promise, request.To)), CancellationToken.None);
        }

        await matchmaking.NoteRequestsMailedAsync(request.To, now);
        return null;
    }

    private async Task SendAsync(MailPromise promise, string slug, string to, string subjectKey, string bodyKey, string pathFormat, string about, string detail)
    {
        var language = await LanguageAsync(to);
        var name = await NameAsync(slug, about);
        var link = site.Value.Link(string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, slug));
        await mail.SendAsync(new OutgoingMail(to, Text.Format(language, subjectKey, name), Text.Format(language, bodyKey, name, detail, link), PromisedMails.Id(promise, to)), CancellationToken.None);
    }

    private async Task<string> WhenAsync(IMatchmakingGrain matchmaking, Meeting meeting, string recipient)
    {
        var settings = await matchmaking.GetSettingsAsync();
        return $"{MatchTimes.Label(settings, meeting.Start, await LanguageAsync(recipient))} ({settings.TimeZoneId})";
    }

    private async Task<string> NameAsync(string slug, string email) =>
        (await grains.GetGrain<IDirectoryGrain>(slug).FindAsync(PersonIds.Of(slug, email), organiser: true))?.Profile.Name ?? "—";

    private Task<string> LanguageAsync(string email) => PromisedMails.LanguageAsync(grains, email);
}
