using System.Globalization;
using Events.Grains.Matchmaking;

namespace Events.Web.Matchmaking;

// Slots are shown in the event's time zone, in the viewer's language; forms carry them as UTC
// round-trip strings. Only instants are converted to a zone here, never wall clock to instant.
public static class MatchTimes
{
    public static TimeZoneInfo Zone(string timeZoneId) => TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var found) ? found : TimeZoneInfo.Utc;

    public static string Label(MatchSettings settings, DateTimeOffset slot, string language) =>
        TimeZoneInfo.ConvertTime(slot, Zone(settings.TimeZoneId)).ToString("ddd d MMM HH:mm", CultureInfo.GetCultureInfo(language));

    public static string Value(DateTimeOffset slot) => slot.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string Clock(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm", CultureInfo.InvariantCulture);

    public static long UnixMilliseconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
}
