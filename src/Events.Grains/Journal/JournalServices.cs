using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Events.Grains.Journal;

public sealed class JournalOptions
{
    public const string Section = "Grains";

    // A grain with no call for this long leaves memory (Orleans' collection age); its next call reloads it.
    public TimeSpan IdleDeactivation { get; set; } = TimeSpan.FromMinutes(10);

    // A snapshot of the state is written every this many events; 0 turns snapshots off.
    public int SnapshotInterval { get; set; } = 50;

    // A snapshot at least this large is written again only once the events since it add up to half
    // its size, so snapshots never write more than twice what the journal itself does.
    public int SnapshotSizeFloorBytes { get; set; } = 16 * 1024;
}

// What every journaled grain on a silo shares: the store, the clock, and where committed events go.
public sealed class JournalServices(
    IJournalStore store,
    TimeProvider clock,
    IOptions<JournalOptions> options,
    GrainEventPublisher publisher,
    JournalRelay relay,
    IEnumerable<StandingFollower> standing)
{
    private readonly StandingFollower[] _standing = [.. standing];
    private readonly ConcurrentDictionary<Type, Follower[]> _standingByEventBase = new();

    public IJournalStore Store { get; } = store;

    public TimeProvider Clock { get; } = clock;

    public JournalOptions Options { get; } = options.Value;

    // Runs in the committing grain's turn: local subscribers first, then every other silo.
    internal void Publish(IReadOnlyList<GrainEvent> committed)
    {
        publisher.PublishCommittedHere(committed);
        relay.SendToOtherSilos(committed);
    }

    // What state grains change: published on this silo only; nothing is pushed live.
    internal void PublishHereOnly(IReadOnlyList<GrainEvent> changes) => publisher.PublishCommittedHere(changes);

    // The standing followers of grains whose events derive from eventBase; the others never call them.
    internal IReadOnlyList<Follower> StandingFollowers(Type eventBase) =>
        _standingByEventBase.GetOrAdd(eventBase, static (type, all) => [.. all.Where(s => s.TakesAnyOf(type)).Select(s => s.Follower)], _standing);
}
