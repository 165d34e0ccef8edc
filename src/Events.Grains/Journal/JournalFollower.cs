using System.Collections.Immutable;

namespace Events.Grains.Journal;

// A grain that must hold some of another grain's committed events before that grain's caller hears
// of the call (the audit trail, the mail outbox, the follow-ups a scorecard asks for). The source
// hands them over right after its commit; on the first commit of an activation it first asks how
// far the follower got and hands over what a process killed between a commit and its hand-over
// left behind, read back from its journal. A source that is never called again is caught up on the
// next start (JournalCatchUp). A follower remembers how far it followed each source and ignores
// what it already took, so nothing is taken twice.
public interface IJournalFollower : IGrainWithStringKey
{
    // Null when the follower cannot tell: the source then starts from its present sequence.
    Task<long?> FollowedUpToAsync(JournalKey source);

    // Takes the events (those after how far it followed the source) and notes it followed up to upTo.
    Task FollowAsync(JournalKey source, long upTo, ImmutableArray<GrainEvent> events);
}

// Every journaled grain: the silo's start-up catch-up wakes sources whose hand-over row a dead
// process left behind (see JournalCatchUp).
public interface IJournalSource : IGrainWithStringKey
{
    // Hands every follower what it lacks of this journal, then removes the row written with token
    // unless this activation owns the row now.
    Task CatchUpFollowersAsync(long since, string token);
}

// Which follower of a source grain takes which of its events.
public sealed record Follower(Func<IGrainFactory, JournalKey, IJournalFollower> Find, Func<object, bool> Takes);

// A follower of every grain, journaled or state, whose event hierarchy (TakesAnyOf its base type)
// holds an event it takes: the audit trail. Registered in DI by the silo's wiring, so the journal
// names no feature; their registration order is each grain's order of followers, the same in
// every activation (hand-overs are tracked by place).
public sealed record StandingFollower(Follower Follower, Func<Type, bool> TakesAnyOf);

// How far a follower has followed each source journal: part of the follower's state.
[GenerateSerializer, Immutable]
public sealed record FollowedSources(ImmutableDictionary<string, long> UpTo)
{
    public static FollowedSources None { get; } = new(ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal));

    public long Of(string source) => UpTo.GetValueOrDefault(source);

    // Null for a source never followed: a follower added after the source's journal began starts
    // from the journal's present end rather than acting on its whole past.
    public long? Known(JournalKey source) => UpTo.TryGetValue(source.ToString(), out var upTo) ? upTo : null;

    public FollowedSources With(string source, long upTo) => upTo > Of(source) ? new(UpTo.SetItem(source, upTo)) : this;

    // The events of the hand-over this follower has not taken yet (state grains' events have no sequence: all new).
    public IEnumerable<GrainEvent> New(JournalKey source, IEnumerable<GrainEvent> events)
    {
        var after = Of(source.ToString());
        return events.Where(e => e.Sequence == 0 || e.Sequence > after);
    }
}
