using System.Globalization;
using Events.Grains.Matchmaking;

namespace Events.Web.Matchmaking;

// Slots are shown in the event's time zone, in the viewer's language; forms carry them as UTC
// round-trip strings.
public static class MatchTimes
{
    public static string Label(MatchSettings settings, DateTimeOffset slot, string language)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZoneId, out var found) ? found : TimeZoneInfo.Utc;
        return TimeZoneInfo.ConvertTime(slot, zone).ToString("ddd d MMM HH:mm", CultureInfo.GetCultureInfo(language));
    }

    public static string Value(DateTimeOffset slot) => slot.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
