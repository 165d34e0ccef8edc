namespace Events.Grains.Journal;

public sealed record StoredEvent(long Sequence, string Payload, DateTimeOffset RecordedAt);

public sealed record StoredSnapshot(long Sequence, string Payload);

// Where journals live. Appends are atomic: all of a call's events and its snapshot, or nothing.
public interface IJournalStore
{
    Task<StoredSnapshot?> ReadSnapshotAsync(JournalKey grain, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(JournalKey grain, long afterSequence, int maxCount, CancellationToken cancellationToken);

    // The first event must carry the grain's last stored sequence + 1. If any sequence number is
    // taken already, nothing is written and JournalConflictException is thrown.
    Task AppendAsync(JournalKey grain, IReadOnlyList<StoredEvent> events, StoredSnapshot? snapshot, CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);

    // The journals whose commits may not all have reached their followers (migration 0004): marked
    // before an activation's first append, cleared by that activation (token) once all is handed over.
    // Returns the row's since sequence: an older one when a row was left behind.
    Task<long> MarkHandOverAsync(JournalKey grain, long sinceSequence, string token, CancellationToken cancellationToken);

    Task ClearHandOverAsync(JournalKey grain, string token, CancellationToken cancellationToken);

    Task<IReadOnlyList<PendingHandOver>> ListHandOversAsync(CancellationToken cancellationToken);
}

public sealed record PendingHandOver(JournalKey Grain, long SinceSequence, string Token);

// Thrown to the grain's caller when another writer appended first, so Orleans must be able to
// carry it across silos: without a generated codec the caller gets CodecNotFoundException instead.
[GenerateSerializer]
public sealed class JournalConflictException(JournalKey grain, long sequence, Exception? inner = null)
    : Exception($"Sequence {sequence} of grain {grain} was appended by another writer.", inner)
{
    [Id(0)]
    public JournalKey Grain { get; } = grain;
}
