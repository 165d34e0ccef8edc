using System.Globalization;
using System.Net;
using System.Net.Mail;
using Events.Grains.Storage;
using Microsoft.Extensions.Options;

namespace Events.Web.Mail;

// A mail with an Id is sent at most once per Id by the outbox folder, and carries the Id in its
// Message-ID over SMTP, so a mail sent again after a crash is recognisably the same one.
public sealed record OutgoingMail(string To, string Subject, string Body, string? Id = null);

public sealed record StoredMail(string FileName, string To, string Subject, DateTimeOffset Date, string Body);

public interface IMailSender
{
    Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
}

public sealed class MailOptions
{
    public const string Section = "Mail";

    public string From { get; set; } = "Events <events@localhost>";

    // With no SMTP host, mail is written to the outbox folder instead of being sent.
    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 587;

    public string? SmtpUser { get; set; }

    public string? SmtpPassword { get; set; }

    public bool SmtpSsl { get; set; } = true;

    // Defaults to the "outbox" folder beside the SQLite file.
    public string? OutboxFolder { get; set; }
}

public sealed class SmtpMailSender(IOptions<MailOptions> options) : IMailSender
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var client = new SmtpClient(settings.SmtpHost, settings.SmtpPort) { EnableSsl = settings.SmtpSsl };
        if (!string.IsNullOrEmpty(settings.SmtpUser))
        {
            client.Credentials = new NetworkCredential(settings.SmtpUser, settings.SmtpPassword);
        }

        using var message = new MailMessage(new MailAddress(settings.From).Address, mail.To, mail.Subject, mail.Body);
        message.From = new MailAddress(settings.From);
        if (mail.Id is not null)
        {
            message.Headers.Add("Message-ID", $"<{mail.Id}@{message.From.Host}>");
        }

        await client.SendMailAsync(message, cancellationToken);
    }
}

// The laptop and test stand-in for SMTP: one plain-text file per message, newest last by name.
public sealed class OutboxMailSender(IOptions<MailOptions> mail, IOptions<StorageOptions> storage, TimeProvider clock) : IMailSender
{
    public string Folder => mail.Value.OutboxFolder is { Length: > 0 } folder ? folder : Path.Combine(storage.Value.DataFolder, "outbox");

    public async Task SendAsync(OutgoingMail message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        if (message.Id is not null && Directory.EnumerateFiles(Folder, $"*-{message.Id}.eml").Any())
        {
            return;
        }

        var now = clock.GetUtcNow();
        var name = $"{now:yyyyMMddHHmmssfffffff}-{message.Id ?? Guid.NewGuid().ToString("N")}.eml";
        var text = $"From: {mail.Value.From}\nTo: {message.To}\nSubject: {message.Subject}\nDate: {now.ToString("R", CultureInfo.InvariantCulture)}\n\n{message.Body}";
        // Written aside, then renamed: a reader (the outbox page, a mail pickup) sees a whole mail
        // or none. The temporary name does not end in .eml, so ReadAll skips it.
        var temporary = Path.Combine(Folder, $".{name}.partial");
        await File.WriteAllTextAsync(temporary, text, cancellationToken);
        File.Move(temporary, Path.Combine(Folder, name));
    }

    public IReadOnlyList<StoredMail> ReadAll()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        return Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(Parse).ToList();
    }

    private static StoredMail Parse(string path)
    {
        var text = File.ReadAllText(path);
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var headers = text[..split].Split('\n').Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        return new StoredMail(
            Path.GetFileName(path),
            headers.GetValueOrDefault("To", ""),
            headers.GetValueOrDefault("Subject", ""),
            DateTimeOffset.Parse(headers.GetValueOrDefault("Date", ""), CultureInfo.InvariantCulture),
            text[(split + 2)..]);
    }
}
