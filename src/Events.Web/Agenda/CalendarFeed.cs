using System.Globalization;
using System.Text;
using Events.Grains.Agenda;

namespace Events.Web.Agenda;

// iCalendar (RFC 5545) for an event or one session. Times are written in UTC ("Z"), which needs no
// VTIMEZONE and is shown in each reader's own zone. UID never changes for a session and SEQUENCE is
// its revision, so calendar apps update an entry when a session moves instead of adding another.
public static class CalendarFeed
{
    public const string ContentType = "text/calendar; charset=utf-8";
    private const int MaxOctets = 75;

    public static string Write(AgendaView agenda, IEnumerable<AgendaSession> sessions, Uri site, DateTimeOffset now) =>
        Write(agenda.Title, agenda.TimeZoneId, sessions.Select(session =>
        {
            var speakers = string.Join(", ", session.Speakers.Select(s => string.IsNullOrEmpty(s.City) ? s.Name : $"{s.Name} ({s.City})"));
            return new CalendarEntry(
                $"{agenda.Slug}.{session.Id}@{site.Host}", session.Start, session.End, session.Revision, session.LastModified ?? now, session.Title,
                speakers.Length == 0 ? session.AbstractMarkdown : speakers + "\n\n" + session.AbstractMarkdown,
                new Uri(site, $"/events/{agenda.Slug}#{session.Id}"), session.Status == SessionStatus.Cancelled);
        }), now);

    // Any entries (sessions, a person's meetings) as one calendar.
    public static string Write(string name, string timeZoneId, IEnumerable<CalendarEntry> entries, DateTimeOffset now)
    {
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Events//City network events//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:" + Escape(name),
            "X-WR-TIMEZONE:" + timeZoneId,
        };

        foreach (var entry in entries)
        {
            lines.AddRange(
            [
                "BEGIN:VEVENT",
                "UID:" + entry.Uid,
                "DTSTAMP:" + Utc(now),
                "DTSTART:" + Utc(entry.Start),
                "DTEND:" + Utc(entry.End),
                "SEQUENCE:" + entry.Sequence.ToString(CultureInfo.InvariantCulture),
                "LAST-MODIFIED:" + Utc(entry.LastModified),
                "SUMMARY:" + Escape(entry.Summary),
                "DESCRIPTION:" + Escape(entry.Description),
                $"URL:{entry.Url}",
                "STATUS:" + (entry.Cancelled ? "CANCELLED" : "CONFIRMED"),
                "END:VEVENT",
            ]);
        }

        lines.Add("END:VCALENDAR");
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            Fold(line, text);
        }

        return text.ToString();
    }

    private static string Utc(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    // TEXT values: backslash, semicolon and comma are escaped, line breaks become \n (RFC 5545 3.3.11).
    public static string Escape(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace(";", "\\;", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal)
        .Replace("\r\n", "\\n", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal)
        .Replace("\r", "\\n", StringComparison.Ordinal);

    // Lines longer than 75 octets are folded with CRLF and one space (RFC 5545 3.1), never inside a
    // UTF-8 character.
    private static void Fold(string line, StringBuilder output)
    {
        var octets = 0;
        var limit = MaxOctets;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > limit)
            {
                output.Append("\r\n ");
                octets = 0;
                limit = MaxOctets - 1;
            }

            output.Append(rune.ToString());
            octets += size;
        }

        output.Append("\r\n");
    }
}

// One VEVENT. Uid never changes for the thing it stands for; Sequence grows with each change.
public sealed record CalendarEntry(string Uid, DateTimeOffset Start, DateTimeOffset End, int Sequence, DateTimeOffset LastModified, string Summary, string Description, Uri Url, bool Cancelled);
