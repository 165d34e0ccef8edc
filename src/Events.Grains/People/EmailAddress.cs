using System.Net.Mail;

namespace Events.Grains.People;

public static class EmailAddress
{
    public const int MaxLength = 254;

    // The one spelling of an address used as a key: trimmed and lower-cased.
    public static string Normalize(string? email)
    {
        var trimmed = (email ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw new ValidationFailedException(Problem.EmailMissing);
        }

        if (trimmed.Length > MaxLength || !MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed || !trimmed.Contains('.', StringComparison.Ordinal))
        {
            throw new ValidationFailedException(Problem.EmailInvalid, Shorten(trimmed));
        }

        return trimmed.ToLowerInvariant();
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
