using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Events.Grains.Matchmaking;

// Which field a refusal is about; worded in the visitor's language ("ProfileField.Intro").
[GenerateSerializer]
public enum ProfileField
{
    Name,
    Organisation,
    City,
    Country,
    Languages,
    Intro,
    Themes,
    NeedTitle,
    NeedText,
    OfferTitle,
    OfferText,
}

// Cleans and checks a profile draft. Nothing is trimmed away silently except surrounding spaces:
// markup, control characters and oversized fields are refused with the field named, so the person
// knows what to change, and nothing is stored.
public static partial class ProfileInput
{
    public const int MaxLine = 120;
    public const int MaxIntro = 1_000;
    public const int MaxItemText = 1_000;
    public const int MaxItems = 5;
    public const int MaxLanguages = 6;
    public const int MaxThemes = 10;

    public static ProfileDraft Clean(ProfileDraft draft, IReadOnlyCollection<string> eventThemes) => draft with
    {
        Name = Line(draft.Name, ProfileField.Name, required: true),
        Organisation = Line(draft.Organisation, ProfileField.Organisation, required: false),
        Type = Enum.IsDefined(draft.Type) ? draft.Type : throw new ValidationFailedException(Problem.ProfileFieldRequired, ProfileField.Organisation),
        City = Line(draft.City, ProfileField.City, required: false),
        Country = Line(draft.Country, ProfileField.Country, required: false),
        Languages = Languages(draft.Languages),
        Intro = Markdown(draft.Intro, MaxIntro, ProfileField.Intro),
        Themes = Themes(draft.Themes, eventThemes),
        Needs = Items(draft.Needs, eventThemes, ProfileField.NeedTitle, ProfileField.NeedText),
        Offers = Items(draft.Offers, eventThemes, ProfileField.OfferTitle, ProfileField.OfferText),
    };

    private static ImmutableArray<string> Languages(ImmutableArray<string> languages)
    {
        var cleaned = (languages.IsDefault ? [] : languages).Select(l => Line(l, ProfileField.Languages, required: false))
            .Where(l => l.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToImmutableArray();
        return cleaned.Length <= MaxLanguages ? cleaned : throw new ValidationFailedException(Problem.ProfileTooManyItems, ProfileField.Languages, MaxLanguages);
    }

    private static ImmutableArray<string> Themes(ImmutableArray<string> themes, IReadOnlyCollection<string> eventThemes)
    {
        var cleaned = (themes.IsDefault ? [] : themes).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToImmutableArray();
        foreach (var theme in cleaned)
        {
            Theme(theme, eventThemes);
        }

        return cleaned.Length <= MaxThemes ? cleaned : throw new ValidationFailedException(Problem.ProfileTooManyItems, ProfileField.Themes, MaxThemes);
    }

    private static string Theme(string theme, IReadOnlyCollection<string> eventThemes) =>
        eventThemes.Contains(theme) ? theme : throw new ValidationFailedException(Problem.ProfileThemeUnknown, theme.Length <= 40 ? theme : theme[..40]);

    // Blank rows of the form (no title, no text) are dropped; a row with a text needs a title.
    private static ImmutableArray<NeedOffer> Items(ImmutableArray<NeedOffer> items, IReadOnlyCollection<string> eventThemes, ProfileField title, ProfileField text)
    {
        var cleaned = (items.IsDefault ? [] : items)
            .Where(i => !string.IsNullOrWhiteSpace(i.Title) || !string.IsNullOrWhiteSpace(i.Text))
            .Select(i => new NeedOffer(Theme((i.Theme ?? "").Trim(), eventThemes), Line(i.Title, title, required: true), Markdown(i.Text, MaxItemText, text)))
            .ToImmutableArray();
        return cleaned.Length <= MaxItems ? cleaned : throw new ValidationFailedException(Problem.ProfileTooManyItems, title, MaxItems);
    }

    private static string Line(string? value, ProfileField field, bool required)
    {
        var text = Checked(value, MaxLine, field, multiline: false);
        if (required && text.Length == 0)
        {
            throw new ValidationFailedException(Problem.ProfileFieldRequired, field);
        }

        return text.AsSpan().IndexOfAny('<', '>') < 0 ? text : throw new ValidationFailedException(Problem.ProfileMarkup, field);
    }

    // Markdown is rendered with HTML disabled anyway; a tag here is refused so that what the person
    // sees later is what they meant (and probes of the pages leave nothing behind).
    private static string Markdown(string? value, int max, ProfileField field)
    {
        var text = Checked(value, max, field, multiline: true);
        return Tag().IsMatch(text) ? throw new ValidationFailedException(Problem.ProfileMarkup, field) : text;
    }

    private static string Checked(string? value, int max, ProfileField field, bool multiline)
    {
        var text = (value ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        if (text.Length > max)
        {
            throw new ValidationFailedException(Problem.ProfileFieldTooLong, field, max, text.Length);
        }

        return text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\t'))
            ? throw new ValidationFailedException(Problem.ProfileControlCharacters, field)
            : text;
    }

    [GeneratedRegex(@"<\s*[a-zA-Z/!?]")]
    private static partial Regex Tag();
}
