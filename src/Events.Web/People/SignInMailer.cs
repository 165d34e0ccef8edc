using Events.Grains.People;
using Orleans;
using Events.Web.Localization;
using Events.Web.Mail;
using Events.Web.Security;
using Microsoft.Extensions.Options;

namespace Events.Web.People;

// Starts a sign-in: a fresh challenge, and the mail with its link and code.
public sealed class SignInMailer(IGrainFactory grains, IMailSender mail, IOptions<SiteOptions> site)
{
    public async Task<IssuedSignIn> StartAsync(string email, PendingInvitation? invitation, string? note, string language, CancellationToken cancellationToken)
    {
        var (issued, link) = await IssueAsync(email, invitation);
        var minutes = (int)SignInChallengeGrain.Lifetime.TotalMinutes;
        var body = (note is null ? "" : note + "\n\n") + Text.Format(language, "mail.body", minutes, link, issued.Code);
        await mail.SendAsync(new OutgoingMail(email, Text.Get(language, "mail.subject"), body), cancellationToken);
        return issued;
    }

    // A fresh challenge and its link, for mails of other features that let the reader sign in.
    public async Task<(IssuedSignIn Issued, string Link)> IssueAsync(string email, PendingInvitation? invitation)
    {
        var issued = await grains.GetGrain<ISignInChallengeGrain>(Secrets.NewToken(16)).IssueAsync(email, invitation);
        return (issued, site.Value.Link($"/signin/link?t={Uri.EscapeDataString(issued.LinkToken)}"));
    }
}
