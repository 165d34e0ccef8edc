using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Mail;

// An event whose commit promises people a mail (the web's mailer writes it).
public interface IPromisesMail
{
    bool PromisesMail { get; }
}

// One promised mail: the committed event that promised it, by its journal and sequence number.
[GenerateSerializer, Immutable]
public sealed record MailPromise(string Id, JournalKey Source, long Sequence);

// The mails an event's grains promised and the mailer has not sent yet, keyed by the event's slug.
// A promise is made before the promising call is acknowledged (the outbox follows the journals that
// promise mail, see IJournalFollower) and stays until the mailer says it was sent, so a process
// killed before sending leaves it for the next start. The mailer claims promises for a while, so
// two silos do not send the same one at once.
public interface IMailOutboxGrain : IJournalFollower
{
    Task<ImmutableArray<MailPromise>> ClaimAsync(TimeSpan lease);

    Task SentAsync(string id);

    Task<ImmutableArray<MailPromise>> PendingAsync();
}

[JsonPolymorphic]
[JsonDerivedType(typeof(MailPromised), "mail-promised")]
[JsonDerivedType(typeof(MailSent), "mail-sent")]
[JsonDerivedType(typeof(MailSourceFollowed), "mail-source-followed")]
[GenerateSerializer, Immutable]
public abstract record OutboxEvent;

[GenerateSerializer, Immutable]
public sealed record MailPromised(MailPromise Promise) : OutboxEvent;

[GenerateSerializer, Immutable]
public sealed record MailSent(string Id) : OutboxEvent;

[GenerateSerializer, Immutable]
public sealed record MailSourceFollowed(string Source, long UpTo) : OutboxEvent;

[GenerateSerializer, Immutable]
public sealed record OutboxState(ImmutableList<MailPromise> Pending, FollowedSources Followed) : IJournaledState<OutboxState, OutboxEvent>
{
    public static OutboxState Initial { get; } = new(ImmutableList<MailPromise>.Empty, FollowedSources.None);

    public OutboxState Apply(OutboxEvent @event) => @event switch
    {
        MailPromised promised => new(Pending.Add(promised.Promise), Followed.With(promised.Promise.Source.ToString(), promised.Promise.Sequence)),
        MailSent sent => this with { Pending = Pending.RemoveAll(p => p.Id == sent.Id) },
        MailSourceFollowed followed => this with { Followed = Followed.With(followed.Source, followed.UpTo) },
        _ => this,
    };
}

[GrainType("mail-outbox")]
public sealed class MailOutboxGrain(TimeProvider clock) : JournalGrain<OutboxState, OutboxEvent>, IMailOutboxGrain
{
    // Claims live in memory: if this activation is lost, so are they, and the promises are claimable again.
    private readonly Dictionary<string, DateTimeOffset> _claimedUntil = [];

    // A source the outbox has never heard from starts from its present sequence: journals written
    // before the outbox existed promise nothing again.
    public Task<long?> FollowedUpToAsync(JournalKey source) =>
        Task.FromResult(State.Followed.Known(source));

    public Task FollowAsync(JournalKey source, long upTo, ImmutableArray<GrainEvent> events)
    {
        foreach (var e in State.Followed.New(source, events))
        {
            if (e.Event is IPromisesMail { PromisesMail: true })
            {
                RaiseEvent(new MailPromised(new MailPromise($"{source}#{e.Sequence}", source, e.Sequence)));
            }
        }

        if (upTo > State.Followed.Of(source.ToString()))
        {
            RaiseEvent(new MailSourceFollowed(source.ToString(), upTo));
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<MailPromise>> ClaimAsync(TimeSpan lease)
    {
        var now = clock.GetUtcNow();
        ImmutableArray<MailPromise> claimed = [.. State.Pending.Where(p => !_claimedUntil.TryGetValue(p.Id, out var until) || until <= now)];
        foreach (var promise in claimed)
        {
            _claimedUntil[promise.Id] = now + lease;
        }

        return Task.FromResult(claimed);
    }

    public Task SentAsync(string id)
    {
        _claimedUntil.Remove(id);
        if (State.Pending.Any(p => p.Id == id))
        {
            RaiseEvent(new MailSent(id));
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<MailPromise>> PendingAsync() => Task.FromResult<ImmutableArray<MailPromise>>([.. State.Pending]);
}

public static class MailOutbox
{
    // The outbox of the event a promising grain belongs to.
    public static Follower Follower { get; } = new(
        (grains, source) => grains.GetGrain<IMailOutboxGrain>(EventKeys.SlugOf(source.Key)),
        e => e is IPromisesMail { PromisesMail: true });
}
