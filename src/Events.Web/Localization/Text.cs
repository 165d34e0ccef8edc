using System.Globalization;
using System.Text.Json;
using Events.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;

namespace Events.Web.Localization;

// Every word a person reads, in English, French and Portuguese: one file per language
// (strings.en.json, strings.fr.json, strings.pt.json), the same keys in each (a test checks).
// The language is the request's UI culture: a cookie set by the switcher, else Accept-Language.
public sealed class Text
{
    public const string CookieName = "events.lang";
    public static readonly string[] Languages = ["en", "fr", "pt"];

    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ByLanguage =
        Languages.ToDictionary(l => l, Load);

    public static IReadOnlyDictionary<string, string> Strings(string language) => ByLanguage[language];

    public static string LanguageOf(CultureInfo culture) =>
        Languages.Contains(culture.TwoLetterISOLanguageName) ? culture.TwoLetterISOLanguageName : "en";

    public static string LanguageOf(HttpContext? http) =>
        http?.Features.Get<IRequestCultureFeature>() is { } feature ? LanguageOf(feature.RequestCulture.UICulture) : LanguageOf(CultureInfo.CurrentUICulture);

    // The current request's language.
    public string Language => LanguageOf(CultureInfo.CurrentUICulture);

    public string this[string key] => Get(Language, key);

    public string Format(string key, params object?[] arguments) => Format(Language, key, arguments);

    public string Problem(ValidationFailedException problem) => Problem(Language, problem);

    public static string Problem(string language, ValidationFailedException problem) =>
        Format(language, "problem." + problem.Problem, [.. problem.Arguments]);

    public static string Get(string language, string key) =>
        ByLanguage[language].TryGetValue(key, out var text) || ByLanguage["en"].TryGetValue(key, out text) ? text : key;

    // Enum arguments (roles, session kinds) are words too: "EventRole.Investor" is looked up.
    public static string Format(string language, string key, params object?[] arguments)
    {
        var words = arguments.Select(a => a is Enum e ? Get(language, $"{e.GetType().Name}.{e}") : a).ToArray();
        return string.Format(CultureInfo.GetCultureInfo(language), Get(language, key), words);
    }

    public static void Configure(RequestLocalizationOptions options)
    {
        options.SetDefaultCulture("en");
        options.AddSupportedCultures(Languages);
        options.AddSupportedUICultures(Languages);
        options.FallBackToParentCultures = true;
        options.FallBackToParentUICultures = true;
        options.RequestCultureProviders =
        [
            new CookieRequestCultureProvider { CookieName = CookieName },
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
    }

    private static IReadOnlyDictionary<string, string> Load(string language)
    {
        using var stream = typeof(Text).Assembly.GetManifestResourceStream($"Events.Web.Localization.strings.{language}.json")
            ?? throw new InvalidOperationException($"strings.{language}.json is missing from the build.");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
            ?? throw new InvalidDataException($"strings.{language}.json is empty.");
    }
}
