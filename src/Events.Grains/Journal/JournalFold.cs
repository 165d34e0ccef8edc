using System.Text.Json;

namespace Events.Grains.Journal;

// State = latest snapshot (of the current shape) + the events after it, read page by page.
internal static class JournalFold
{
    private const int PageSize = 500;

    public static async Task<(TState State, long Version)> ReadAsync<TState, TEvent>(IJournalStore store, JournalKey journal)
        where TState : class, IJournaledState<TState, TEvent>
        where TEvent : class
    {
        // A snapshot of another shape (or unreadable) is passed over: the journal has it all.
        var snapshot = await store.ReadSnapshotAsync(journal, CancellationToken.None);
        var fromSnapshot = snapshot is null ? null : SnapshotShape.Read<TState, TEvent>(snapshot.Payload);
        var state = fromSnapshot ?? TState.Initial;
        var version = fromSnapshot is null ? 0 : snapshot!.Sequence;
        while (true)
        {
            var batch = await store.ReadEventsAsync(journal, version, PageSize, CancellationToken.None);
            foreach (var stored in batch)
            {
                state = state.Apply(Deserialize<TEvent>(stored.Payload));
                version = stored.Sequence;
            }

            if (batch.Count < PageSize)
            {
                return (state, version);
            }
        }
    }

    private static T Deserialize<T>(string payload) =>
        JsonSerializer.Deserialize<T>(payload, GrainJson.Options)
        ?? throw new InvalidDataException("A grain's journal has an empty entry.");
}
