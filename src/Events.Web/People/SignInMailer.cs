using Events.Grains.People;
using Events.Grains.Runtime;
using Events.Web.Mail;
using Events.Web.Security;
using Microsoft.Extensions.Options;

namespace Events.Web.People;

// Starts a sign-in: a fresh challenge, and the mail with its link and code.
public sealed class SignInMailer(IGrainFactory grains, IMailSender mail, IOptions<SiteOptions> site)
{
    public async Task<IssuedSignIn> StartAsync(string email, PendingInvitation? invitation, string? invitationNote, CancellationToken cancellationToken)
    {
        var challengeId = Secrets.NewToken(16);
        var issued = await grains.GetGrain<ISignInChallengeGrain>(challengeId).IssueAsync(email, invitation);
        var link = site.Value.Link($"/signin/link?t={Uri.EscapeDataString(issued.LinkToken)}");
        var minutes = (int)SignInChallengeGrain.Lifetime.TotalMinutes;
        var body = $"""
            Hello,

            {(invitationNote is null ? "" : invitationNote + "\n\n")}Open this link to sign in to Events. It works once, for {minutes} minutes:
            {link}

            Or type this code on the page where you asked to sign in: {issued.Code}

            If you did not ask to sign in, ignore this message: nothing happens without the link or the code.
            """;
        await mail.SendAsync(new OutgoingMail(email, "Sign in to Events", body), cancellationToken);
        return issued;
    }
}
