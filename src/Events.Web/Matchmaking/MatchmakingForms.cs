using System.Collections.Immutable;
using System.Globalization;
using Events.Grains.Matchmaking;
using Microsoft.AspNetCore.Http;

namespace Events.Web.Matchmaking;

// The profile form's fields: name, organisation, type, city, country, languages (comma separated),
// intro, theme (one per ticked box), need-{i}-theme/-title/-text and offer-{i}-... for i 0–4.
public static class ProfileForm
{
    public static ProfileDraft Parse(IFormCollection form) => new(
        form["name"].ToString(),
        form["organisation"].ToString(),
        Enum.TryParse<OrgType>(form["type"], out var type) && Enum.IsDefined(type) ? type : OrgType.City,
        form["city"].ToString(),
        form["country"].ToString(),
        [.. form["languages"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        form["intro"].ToString(),
        [.. form["theme"].Select(t => t ?? "")],
        Items(form, "need"),
        Items(form, "offer"));

    // Rows beyond the five the form shows are read too, so the grain can refuse a sixth plainly.
    private static ImmutableArray<NeedOffer> Items(IFormCollection form, string prefix) =>
        [.. Enumerable.Range(0, 10)
            .Where(i => form.ContainsKey($"{prefix}-{i}-title") || form.ContainsKey($"{prefix}-{i}-text"))
            .Select(i => new NeedOffer(form[$"{prefix}-{i}-theme"].ToString(), form[$"{prefix}-{i}-title"].ToString(), form[$"{prefix}-{i}-text"].ToString()))];
}

// The organisers' settings form, as typed. Windows: one per line, "yyyy-MM-dd HH:mm-HH:mm" in the
// event's time zone.
public sealed record SettingsForm(string Themes, string Windows, string SlotMinutes, string Place, string RoomTemplate, string Tables, string MaxOutgoing, string RequestHours)
{
    public static SettingsForm Read(IFormCollection form) => new(
        form["themes"].ToString(), form["windows"].ToString(), form["slotMinutes"].ToString(), form["place"].ToString(),
        form["roomTemplate"].ToString(), form["tables"].ToString(), form["maxOutgoing"].ToString(), form["requestHours"].ToString());

    public static SettingsForm From(MatchSettings s, string timeZoneId)
    {
        var zone = Zone(timeZoneId);
        var windows = s.Windows.Select(w =>
        {
            var start = TimeZoneInfo.ConvertTime(w.Start, zone);
            var end = TimeZoneInfo.ConvertTime(w.End, zone);
            return $"{start.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}-{end.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        });
        return new(string.Join('\n', s.Themes), string.Join('\n', windows), N(s.SlotMinutes), s.Place.ToString(), s.RoomTemplate ?? "", N(s.Tables), N(s.MaxOutgoing), N(s.RequestHours));
    }

    public MatchSettings ToSettings(string timeZoneId)
    {
        var zone = Zone(timeZoneId);
        return new MatchSettings(
            [.. Lines(Themes)],
            [.. Lines(Windows).Select(line => Window(line, zone))],
            Number(SlotMinutes, MatchSettings.DefaultSlotMinutes),
            Enum.TryParse<MeetingPlaceKind>(Place, out var place) && Enum.IsDefined(place) ? place : MeetingPlaceKind.Virtual,
            string.IsNullOrWhiteSpace(RoomTemplate) ? null : RoomTemplate.Trim(),
            Number(Tables, 0),
            Number(MaxOutgoing, MatchSettings.DefaultMaxOutgoing),
            Number(RequestHours, MatchSettings.DefaultRequestHours),
            timeZoneId);
    }

    private static MeetingWindow Window(string line, TimeZoneInfo zone)
    {
        // "2027-03-02 09:00-12:00": a day, a start and an end on that day.
        var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
        var times = parts.Length == 2 ? parts[1].Split('-', StringSplitOptions.TrimEntries) : [];
        if (times.Length != 2
            || !DateTime.TryParseExact($"{parts[0]} {times[0]}", "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !DateTime.TryParseExact($"{parts[0]} {times[1]}", "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
        {
            throw new Events.Grains.ValidationFailedException(Events.Grains.Problem.MatchSettingsInvalid);
        }

        return new MeetingWindow(new DateTimeOffset(start, zone.GetUtcOffset(start)).ToUniversalTime(), new DateTimeOffset(end, zone.GetUtcOffset(end)).ToUniversalTime());
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static int Number(string text, int fallback) =>
        string.IsNullOrWhiteSpace(text) ? fallback : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
