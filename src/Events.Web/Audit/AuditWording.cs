using System.Globalization;
using Events.Grains.Audit;
using Events.Web.Localization;

namespace Events.Web.Audit;

// An audit entry in the reader's words: its kind's sentence from the catalogue ("audit.action.{Kind}"),
// product words looked up, times in the reader's zone. Entries stored before entries kept their kind
// are English sentences and are shown as they were stored.
public static class AuditWording
{
    public const string TimeFormat = "yyyy-MM-dd HH:mm";

    public static string Of(AuditEntry entry, string language, TimeZoneInfo zone)
    {
        if (entry.What is not { } what)
        {
            return entry.Action ?? "";
        }

        var culture = CultureInfo.GetCultureInfo(language);
        var key = "audit.action." + what.Kind;
        object[] arguments = [.. what.Arguments.Select(a => Argument(a, language, culture, zone))];
        return Text.Strings(language).ContainsKey(key)
            ? string.Format(culture, Text.Get(language, key), arguments)
            // A kind this build has no words for: what it is and its arguments, rather than nothing.
            : $"{what.Kind}: {string.Join(", ", arguments)}";
    }

    public static string Time(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static string Argument(AuditArgument argument, string language, CultureInfo culture, TimeZoneInfo zone) => argument.Kind switch
    {
        AuditArgumentKind.Word => Text.Get(language, argument.Value),
        AuditArgumentKind.Time when DateTimeOffset.TryParse(argument.Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) => Time(at, zone),
        AuditArgumentKind.Number when long.TryParse(argument.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number.ToString("N0", culture),
        _ => argument.Value,
    };
}
