namespace Events.Grains;

// What every grain does to text and links people type, with the Problem each refusal reports.
public static class Input
{
    public static string Required(string? value, int max, Problem missing, Problem tooLong)
    {
        var trimmed = (value ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw new ValidationFailedException(missing);
        }

        return trimmed.Length <= max ? trimmed : throw new ValidationFailedException(tooLong, max, trimmed.Length);
    }

    public static string Optional(string? value, int max, Problem tooLong)
    {
        var trimmed = (value ?? "").Trim();
        return trimmed.Length <= max ? trimmed : throw new ValidationFailedException(tooLong, max, trimmed.Length);
    }

    // Only http(s) links: anything else could run script or leave people nowhere.
    public static string? Link(string? url)
    {
        var trimmed = url?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return trimmed.Length <= 2_000 && Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.ToString()
            : throw new ValidationFailedException(Problem.LinkInvalid, trimmed.Length <= 60 ? trimmed : trimmed[..57] + "...");
    }
}
