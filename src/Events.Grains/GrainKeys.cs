using System.Diagnostics.CodeAnalysis;

namespace Events.Grains;

// A grain that belongs to one event is keyed by the event's slug alone ("{slug}") or by the slug and
// one part more ("{slug}/{part}"). These strings are stored (journal rows, snapshots, Orleans
// storage), so their format never changes. A slug never contains '/'; the part after the first '/'
// may (an email address may hold one), so a key is split at its first '/' only.
public static class EventKeys
{
    public const char Separator = '/';

    // The event a key belongs to, whichever kind of key it is.
    public static string SlugOf(string key) => key.IndexOf(Separator, StringComparison.Ordinal) is var at and >= 0 ? key[..at] : key;

    internal static string Format(string slug, string part) => string.Concat(slug, "/", part);

    internal static bool TryParse<TKey>(string? key, [MaybeNullWhen(false)] out TKey parsed)
        where TKey : IEventPartKey<TKey>
    {
        var at = key?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        var wellFormed = at > 0 && at < key!.Length - 1;
        parsed = wellFormed ? TKey.Create(key![..at], key[(at + 1)..]) : default;
        return wellFormed;
    }

    internal static TKey Parse<TKey>(string key)
        where TKey : IEventPartKey<TKey> =>
        TryParse<TKey>(key, out var parsed)
            ? parsed
            : throw new FormatException($"\"{key}\" is not a {TKey.Shape} key: expected \"{{slug}}/{{{TKey.Shape}}}\", both parts non-empty.");
}

public interface IEventPartKey<TSelf>
    where TSelf : IEventPartKey<TSelf>
{
    // What the part after the slug is, for the message that refuses a malformed key.
    static abstract string Shape { get; }

    static abstract TSelf Create(string slug, string part);
}

// A session's own grain: its question board, polls, pitch room or mixer slot.
public readonly record struct SessionKey(string Slug, string SessionId) : IEventPartKey<SessionKey>
{
    public static string Shape => "session";

    public static SessionKey Create(string slug, string part) => new(slug, part);

    public static SessionKey Parse(string key) => EventKeys.Parse<SessionKey>(key);

    public static bool TryParse(string? key, out SessionKey parsed) => EventKeys.TryParse(key, out parsed);

    public override string ToString() => EventKeys.Format(Slug, SessionId);
}

// A person in one event by their person id (PersonIds.Of), never by address: their meeting inbox,
// whose key is also the name of a live topic.
public readonly record struct PersonKey(string Slug, string PersonId) : IEventPartKey<PersonKey>
{
    public static string Shape => "person id";

    public static PersonKey Create(string slug, string part) => new(slug, part);

    public static bool TryParse(string? key, out PersonKey parsed) => EventKeys.TryParse(key, out parsed);

    public override string ToString() => EventKeys.Format(Slug, PersonId);
}

// A person in one event by their email address: their matchmaking profile. Grains only: never in a
// page or a topic.
public readonly record struct ProfileKey(string Slug, string Email) : IEventPartKey<ProfileKey>
{
    public static string Shape => "email";

    public static ProfileKey Create(string slug, string part) => new(slug, part);

    public static ProfileKey Parse(string key) => EventKeys.Parse<ProfileKey>(key);

    public override string ToString() => EventKeys.Format(Slug, Email);
}
