using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Audit;

// An event an organiser or moderator caused. Every grain event that implements this is recorded
// in the audit trail of the event it belongs to by the grain that committed it, before the call
// that caused it returns (see AuditTrail): an acknowledged action always has its entry.
public interface IAuditedEvent
{
    string Actor { get; }

    // What happened, as a kind and its arguments: the page words it in the reader's language.
    AuditAction Audit();
}

// One entry. What is what happened (kind and arguments); Action is the English sentence entries
// were stored as before they kept their kind, shown as it is (null in newer entries).
[GenerateSerializer, Immutable]
public sealed record AuditEntry(DateTimeOffset At, string Actor, string? Action, string Source, AuditAction? What = null);

// The kind of an action (its wording is "audit.action.{Kind}" in the catalogues, the arguments in
// its {0}, {1}... places) and its arguments. Kinds are part of the database format: never renamed.
[GenerateSerializer, Immutable]
public sealed record AuditAction(string Kind, ImmutableArray<AuditArgument> Arguments)
{
    public static AuditAction Of(string kind, params object?[] arguments) => new(kind, [.. arguments.Select(AuditArgument.Of)]);
}

public enum AuditArgumentKind
{
    // Shown as it is: names, identifiers, what someone typed.
    Text,

    // A catalogue key ("EventRole.Investor"): a word of the product, shown in the reader's language.
    Word,

    // An instant (ISO 8601, UTC), shown in the reader's time zone.
    Time,

    // An integer, shown with the reader's digits.
    Number,
}

[GenerateSerializer, Immutable]
public sealed record AuditArgument(AuditArgumentKind Kind, string Value)
{
    public static AuditArgument Of(object? value) => value switch
    {
        null => new(AuditArgumentKind.Text, ""),
        string text => new(AuditArgumentKind.Text, text),
        Enum word => new(AuditArgumentKind.Word, $"{word.GetType().Name}.{word}"),
        DateTimeOffset at => new(AuditArgumentKind.Time, at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
        int or long => new(AuditArgumentKind.Number, Convert.ToString(value, CultureInfo.InvariantCulture)!),
        _ => throw new ArgumentException($"An audit argument is text, a word, a time or a number, not {value.GetType().Name}.", nameof(value)),
    };
}

// The audit trail of one event, keyed by the event's slug. Append-only. It follows the journals of
// the event's grains and takes their audited events (see IJournalFollower).
public interface IAuditTrailGrain : IJournalFollower
{
    Task<IReadOnlyList<AuditEntry>> ListAsync(int max);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(AuditRecorded), "audit-recorded")]
[JsonDerivedType(typeof(AuditSourceFollowed), "audit-source-followed")]
[GenerateSerializer, Immutable]
public abstract record AuditEvent;

// Source and Sequence are absent from entries recorded before the trail followed sources.
[GenerateSerializer, Immutable]
public sealed record AuditRecorded(AuditEntry Entry, string? Source = null, long Sequence = 0) : AuditEvent;

[GenerateSerializer, Immutable]
public sealed record AuditSourceFollowed(string Source, long UpTo) : AuditEvent;

[GenerateSerializer, Immutable]
public sealed record AuditState(ImmutableList<AuditEntry> Entries, FollowedSources? Followed = null, bool Legacy = false)
    : IJournaledState<AuditState, AuditEvent>
{
    public static AuditState Initial { get; } = new(ImmutableList<AuditEntry>.Empty);

    public FollowedSources Sources => Followed ?? FollowedSources.None;

    // A trail with entries from before it followed sources cannot tell which events of a source it
    // lacks: a source it does not know yet starts from where its journal is now.
    public long? FollowedUpTo(string source) => Sources.UpTo.TryGetValue(source, out var upTo) ? upTo : Legacy ? null : 0;

    public AuditState Apply(AuditEvent @event) => @event switch
    {
        AuditRecorded { Source: null } recorded => this with { Entries = Entries.Add(recorded.Entry), Legacy = true },
        AuditRecorded recorded => new(Entries.Add(recorded.Entry), Sources.With(recorded.Source, recorded.Sequence), Legacy),
        AuditSourceFollowed followed => this with { Followed = Sources.With(followed.Source, followed.UpTo) },
        _ => this,
    };
}

[GrainType("audit")]
public sealed class AuditTrailGrain : JournalGrain<AuditState, AuditEvent>, IAuditTrailGrain
{
    public Task<long?> FollowedUpToAsync(JournalKey source) => Task.FromResult(State.FollowedUpTo(source.ToString()));

    public Task FollowAsync(JournalKey source, long upTo, ImmutableArray<GrainEvent> events)
    {
        var name = source.ToString();
        foreach (var e in State.Sources.New(source, events))
        {
            if (e.Event is IAuditedEvent audited)
            {
                RaiseEvent(new AuditRecorded(new AuditEntry(e.RecordedAt, audited.Actor, null, source.Type, audited.Audit()), name, e.Sequence));
            }
        }

        if (upTo > State.Sources.Of(name))
        {
            RaiseEvent(new AuditSourceFollowed(name, upTo));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(int max) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>([.. State.Entries.Reverse().Take(max)]);
}
