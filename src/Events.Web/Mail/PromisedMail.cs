using System.Security.Cryptography;
using System.Text;
using Events.Grains.Mail;
using Events.Grains.People;
using Events.Web.Localization;
using Orleans;

namespace Events.Web.Mail;

// A feature's way of carrying out what its grains promise in the event's mail outbox (see
// OutboxMailer), each feature registering its own in DI, so that the outbox's mailer names none.
public interface IPromisedMail
{
    bool Handles(object promised);

    // Sends what the promise asks for (and does what else it promised, such as a refund); returns
    // when to try again if it must wait (matchmaking batches requests), or null when it is done.
    Task<DateTimeOffset?> ApplyAsync(string slug, MailPromise promise, object promised);
}

// What the features' mails share.
public static class PromisedMails
{
    // One id per promise and recipient: a mail sent again after a crash is recognisably the same one.
    public static string Id(MailPromise promise, string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{promise.Id}\n{email}")))[..32];

    // The recipient's own language, English for someone without an account.
    public static async Task<string> LanguageAsync(IGrainFactory grains, string email) =>
        await grains.GetGrain<IAccountGrain>(email).GetAsync() is { } account && Text.Languages.Contains(account.Language) ? account.Language : "en";
}
