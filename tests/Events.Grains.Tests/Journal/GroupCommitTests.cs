using Events.Grains.Journal;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Events.Grains.Tests.Journal;

// While one write of a grain is in flight, the calls that follow are decided one at a time and
// their events join the next write. The journal store is wrapped so a test can hold a write at the
// door and see how the batches came out; nothing here depends on timing.
public sealed class GroupCommitTests
{
    public static TheoryData<string> Databases => [TestDatabase.Sqlite, TestDatabase.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Calls_that_arrive_during_a_write_join_the_next_one_and_each_is_durable_in_the_order_decided(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var (gate, ledger, key) = await StartAsync(db);
        await ledger.GetAsync();

        var calls = await HoldFirstWriteAsync(gate, ledger, "call", 30);
        Assert.DoesNotContain(calls, c => c.IsCompleted);
        gate.Open();
        var versions = await Task.WhenAll(calls);

        // One write for the first call, one for the 29 decided while it was held.
        Assert.Equal([1, 29], gate.BatchSizes);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), versions.Order());
        var journal = await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 100);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), journal.Select(e => e.Sequence));
        // Each call was told the sequence its event holds, and decided on everything before it.
        for (var i = 0; i < 30; i++)
        {
            var entry = (EntryAdded)Assert.Single(journal, e => e.Sequence == versions[i]).Event;
            Assert.Equal($"call {i}", entry.Note);
            Assert.Equal(versions[i], entry.Number);
        }

        // A cold activation elsewhere reads back the same.
        var fresh = await db.StartClusterAsync();
        var reloaded = await fresh.GetGrain<ILedgerGrain>(key).GetAsync();
        Assert.Equal(30, reloaded.Count);
        Assert.Equal(journal.Select(e => ((EntryAdded)e.Event).Note), reloaded.Notes);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_write_that_fails_refuses_every_call_in_it_and_behind_it_and_nothing_of_them_is_ever_visible(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var (gate, ledger, key) = await StartAsync(db);
        await ledger.AddAsync("kept");

        var calls = await HoldFirstWriteAsync(gate, ledger, "lost", 10);
        // A read decided on the events not yet durable must not answer with them.
        var read = ledger.GetAsync();
        // Another writer takes sequence 2 meanwhile: the held write will meet it.
        await OtherWriterTakesSequence2Async(db, key);
        gate.Open();

        foreach (var call in calls)
        {
            await Assert.ThrowsAsync<JournalConflictException>(() => call);
        }

        // Depending on whether it entered before or after the failure, the read is refused or
        // answers the durable state: never with an entry that was not written.
        try
        {
            Assert.DoesNotContain((await read).Notes, n => n.StartsWith("lost", StringComparison.Ordinal));
        }
        catch (JournalConflictException)
        {
        }

        var journal = await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 100);
        Assert.Equal(["kept", "other writer"], journal.Select(e => ((EntryAdded)e.Event).Note));
        // The grain re-read the journal: its state is the durable one, and it carries on from there.
        Assert.Equal(["kept", "other writer"], (await ledger.GetAsync()).Notes);
        Assert.Equal(3, await ledger.AddAsync("next"));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_call_still_running_when_a_write_fails_cannot_commit_what_it_decided_on_the_lost_events(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var (gate, ledger, key) = await StartAsync(db);
        await ledger.AddAsync("kept");

        var calls = await HoldFirstWriteAsync(gate, ledger, "lost", 1);
        // This call sees "lost 0" (accepted, not yet durable) and is still running when its write fails.
        var slow = ledger.AddAfterReleaseAsync();
        await Eventually.SignalledAsync("the slow call to have read the state and be waiting", gate.Counter!.Waiting.Task);
        await OtherWriterTakesSequence2Async(db, key);
        gate.Open();
        await Assert.ThrowsAsync<JournalConflictException>(() => calls[0]);
        gate.Counter.Release.SetResult();

        await Assert.ThrowsAsync<JournalConflictException>(() => slow);
        var journal = await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 100);
        Assert.Equal(["kept", "other writer"], journal.Select(e => ((EntryAdded)e.Event).Note));
        Assert.Equal(3, await ledger.AddAsync("next"));
    }

    // Grains number what they create from Version (a question is "q{Version + 1}"): a call decided
    // between Orleans confirming a write and the writer hearing of it must count every event
    // accepted before it exactly once, or two questions end up stored under one id.
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_call_decided_just_as_a_write_is_confirmed_numbers_its_entry_with_the_sequence_it_is_stored_under(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var (gate, ledger, key) = await StartAsync(db);
        await ledger.AddNumberedByVersionAsync("first", afterNextWrite: false);

        gate.Close();
        var held = ledger.AddNumberedByVersionAsync("held", afterNextWrite: false);
        await gate.WaitForHeldWriteAsync();
        var numbered = ledger.AddNumberedByVersionAsync("decided as the held write is confirmed", afterNextWrite: true);
        await Eventually.SignalledAsync("the call to be waiting for the held write's confirmation", gate.Counter!.Waiting.Task);
        gate.Open();
        var answers = new[] { await held, await numbered, await ledger.AddNumberedByVersionAsync("last", afterNextWrite: false) };

        var journal = await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 100);
        var numbers = journal.Select(e => ((EntryAdded)e.Event).Number).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.Equal(journal.Select(e => e.Sequence), numbers);
        Assert.Equal([2L, 3, 4], answers);
    }

    private static Task OtherWriterTakesSequence2Async(TestDatabase db, string key) =>
        db.Store.AppendAsync(
            LedgerGrain.JournalOf(key),
            [new StoredEvent(2, System.Text.Json.JsonSerializer.Serialize<LedgerEvent>(new EntryAdded(2, "other writer"), GrainJson.Options), DateTimeOffset.UtcNow)],
            null,
            Ct);

    private static async Task<(GatedStore Gate, ILedgerGrain Ledger, string Key)> StartAsync(TestDatabase db)
    {
        var gate = new GatedStore();
        var cluster = await db.StartClusterAsync(new ClusterSetup { Silo = gate.Install });
        gate.Counter = cluster.Services(0).GetRequiredService<ActivationCounter>();
        var key = Guid.NewGuid().ToString("N");
        return (gate, cluster.GetGrain<ILedgerGrain>(key), key);
    }

    // The first call's write is held at the door; the others are sent once it is, and returned
    // when every one of them has been decided (raised its entry), all still unanswered.
    private static async Task<List<Task<long>>> HoldFirstWriteAsync(GatedStore gate, ILedgerGrain ledger, string note, int count)
    {
        var decided = gate.Counter!.Decided;
        gate.Close();
        var calls = new List<Task<long>> { ledger.AddAsync($"{note} 0") };
        await gate.WaitForHeldWriteAsync();
        calls.AddRange(Enumerable.Range(1, count - 1).Select(i => ledger.AddAsync($"{note} {i}")));
        await Eventually.UntilAsync($"{count} ledger calls decided", () => gate.Counter.Decided, seen => seen == decided + count);
        return calls;
    }

    // The real store behind a door a test can close: appends wait there until it opens.
    private sealed class GatedStore
    {
        private readonly List<int> _batchSizes = [];
        private TaskCompletionSource _open = Opened();
        private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ActivationCounter? Counter { get; set; }

        public IReadOnlyList<int> BatchSizes
        {
            get
            {
                lock (_batchSizes)
                {
                    return [.. _batchSizes];
                }
            }
        }

        public void Install(ISiloBuilder silo) =>
            silo.Services.Replace(ServiceDescriptor.Singleton<IJournalStore>(sp => new Store(new AdoJournalStore(sp.GetRequiredService<SqlDialect>()), this)));

        public void Close()
        {
            _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_batchSizes)
            {
                _batchSizes.Clear();
            }
        }

        public void Open() => _open.TrySetResult();

        public Task WaitForHeldWriteAsync() => Eventually.SignalledAsync("a write to be held at the gate", _held.Task);

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }

        private sealed class Store(IJournalStore inner, GatedStore gate) : IJournalStore
        {
            public Task<StoredSnapshot?> ReadSnapshotAsync(JournalKey grain, CancellationToken cancellationToken) => inner.ReadSnapshotAsync(grain, cancellationToken);

            public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(JournalKey grain, long afterSequence, int maxCount, CancellationToken cancellationToken) =>
                inner.ReadEventsAsync(grain, afterSequence, maxCount, cancellationToken);

            public async Task AppendAsync(JournalKey grain, IReadOnlyList<StoredEvent> events, StoredSnapshot? snapshot, CancellationToken cancellationToken)
            {
                if (grain.Type == LedgerGrain.TypeName)
                {
                    lock (gate._batchSizes)
                    {
                        gate._batchSizes.Add(events.Count);
                    }

                    gate._held.TrySetResult();
                    await gate._open.Task;
                }

                await inner.AppendAsync(grain, events, snapshot, cancellationToken);
            }

            public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);

            public Task<long> MarkHandOverAsync(JournalKey grain, long sinceSequence, string token, CancellationToken cancellationToken) =>
                inner.MarkHandOverAsync(grain, sinceSequence, token, cancellationToken);

            public Task ClearHandOverAsync(JournalKey grain, string token, CancellationToken cancellationToken) => inner.ClearHandOverAsync(grain, token, cancellationToken);

            public Task<IReadOnlyList<PendingHandOver>> ListHandOversAsync(CancellationToken cancellationToken) => inner.ListHandOversAsync(cancellationToken);
        }
    }
}
