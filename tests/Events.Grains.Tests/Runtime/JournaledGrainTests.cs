using System.Text.Json;
using Events.Grains.Runtime;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Grains.Tests.Runtime;

public sealed class JournaledGrainTests
{
    public static TheoryData<string> Databases => [TestDatabase.Sqlite, TestDatabase.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewKey() => Guid.NewGuid().ToString("N");

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Hundred_concurrent_calls_append_sequences_1_to_100_and_state_reflects_all(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var runtime = await db.StartRuntimeAsync();
        var key = NewKey();
        var ledger = runtime.GetGrain<ILedgerGrain>(key);

        var versions = await Task.WhenAll(Enumerable.Range(1, 100).Select(i => Task.Run(() => ledger.AddAsync($"call {i}"), Ct)));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), versions.Order());
        var journal = await runtime.ReadEventsAsync(runtime.GetGrainId<ILedgerGrain>(key), 0, 1000, Ct);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), journal.Select(e => e.Sequence));
        var state = await ledger.GetAsync();
        Assert.Equal(100, state.Count);
        // Each call decided on the state left by the one before it: numbers are 1..100 with no repeats.
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), state.Numbers);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => $"call {i}").Order(), state.Notes.Order());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Deactivating_and_reactivating_restores_the_same_state(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var runtime = await db.StartRuntimeAsync();
        var ledger = runtime.GetGrain<ILedgerGrain>(NewKey());
        await ledger.AddManyAsync(7, "before");
        var before = await ledger.GetAsync();

        Assert.Equal(1, await runtime.DeactivateAsync(TimeSpan.Zero));
        Assert.Equal(0, runtime.ActivationCount);

        Assert.Equal(Json(before), Json(await ledger.GetAsync()));
        Assert.Equal(2, await ledger.ActivationNumberAsync());
    }

    [Fact]
    public async Task An_idle_grain_is_deactivated_by_the_runtime_and_comes_back_intact()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var runtime = await db.StartRuntimeAsync(o => o.IdleDeactivation = TimeSpan.FromMilliseconds(100));
        var ledger = runtime.GetGrain<ILedgerGrain>(NewKey());
        await ledger.AddAsync("one");
        await ledger.AddAsync("two");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (runtime.ActivationCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, runtime.ActivationCount);
        Assert.Equal(["one", "two"], (await ledger.GetAsync()).Notes);
        Assert.Equal(2, await ledger.ActivationNumberAsync());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_restarted_runtime_over_the_same_database_restores_the_same_state(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        var first = await db.StartRuntimeAsync();
        await first.GetGrain<ILedgerGrain>(key).AddManyAsync(12, "kept");
        var before = await first.GetGrain<ILedgerGrain>(key).GetAsync();
        await first.DisposeAsync();

        var second = await db.StartRuntimeAsync();

        Assert.Equal(Json(before), Json(await second.GetGrain<ILedgerGrain>(key).GetAsync()));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Snapshot_plus_tail_gives_the_same_state_as_a_full_replay(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        var writer = await db.StartRuntimeAsync(o => o.SnapshotInterval = 10);
        var ledger = writer.GetGrain<ILedgerGrain>(key);
        await ledger.AddManyAsync(7, "a");
        await ledger.AddManyAsync(7, "b");
        await ledger.AddAsync("c");
        await ledger.AddManyAsync(10, "d");

        var id = writer.GetGrainId<ILedgerGrain>(key);
        var snapshot = await db.CreateServices().GetRequiredService<IJournalStore>().ReadSnapshotAsync(id, TestContext.Current.CancellationToken);
        Assert.NotNull(snapshot);
        Assert.Equal(25, snapshot.Sequence);

        var replayed = (await writer.ReadEventsAsync(id, 0, 1000, Ct)).Aggregate(LedgerState.Initial, (s, e) => s.Apply((LedgerEvent)e.Event));
        await ledger.AddManyAsync(3, "tail");
        replayed = (await writer.ReadEventsAsync(id, 25, 1000, Ct)).Aggregate(replayed, (s, e) => s.Apply((LedgerEvent)e.Event));

        var reader = await db.StartRuntimeAsync(o => o.SnapshotInterval = 10);
        var loaded = await reader.GetGrain<ILedgerGrain>(key).GetAsync();

        Assert.Equal(28, loaded.Count);
        Assert.Equal(Json(replayed), Json(loaded));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Two_runtimes_writing_one_grain_concurrently_lose_no_acknowledged_change(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        var left = await db.StartRuntimeAsync();
        var right = await db.StartRuntimeAsync();

        var calls = Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => (i % 2 == 0 ? left : right).GetGrain<ILedgerGrain>(key).AddAsync($"write {i}"), Ct))
            .ToArray();
        await Task.WhenAll(calls);

        var id = left.GetGrainId<ILedgerGrain>(key);
        var journal = await left.ReadEventsAsync(id, 0, 1000, Ct);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), journal.Select(e => e.Sequence));
        var notes = journal.Select(e => ((EntryAdded)e.Event).Note).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"write {i}").Order(), notes);
        // Every decision was taken on fresh state: entry numbers follow the sequence exactly.
        Assert.Equal(journal.Select(e => e.Sequence), journal.Select(e => ((EntryAdded)e.Event).Number));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_call_that_throws_leaves_state_and_journal_as_they_were(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var runtime = await db.StartRuntimeAsync();
        var key = NewKey();
        var ledger = runtime.GetGrain<ILedgerGrain>(key);
        await ledger.AddManyAsync(2, "kept");
        var before = await ledger.GetAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AddThenFailAsync("lost"));

        Assert.Equal("refused after raising", error.Message);
        Assert.Equal(Json(before), Json(await ledger.GetAsync()));
        Assert.Equal(2, (await runtime.ReadEventsAsync(runtime.GetGrainId<ILedgerGrain>(key), 0, 100, Ct)).Count);
        Assert.Equal(3, await ledger.AddAsync("next"));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_writer_that_keeps_losing_the_race_fails_clearly_and_stores_nothing(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        var stale = await db.StartRuntimeAsync(o => o.MaxCommitAttempts = 1);
        var other = await db.StartRuntimeAsync();
        await stale.GetGrain<ILedgerGrain>(key).GetAsync();
        await other.GetGrain<ILedgerGrain>(key).AddAsync("from other");

        var error = await Assert.ThrowsAsync<GrainConcurrencyException>(() => stale.GetGrain<ILedgerGrain>(key).AddAsync("from stale"));

        Assert.Contains("Nothing from this call was stored", error.Message);
        var journal = await stale.ReadEventsAsync(stale.GetGrainId<ILedgerGrain>(key), 0, 100, Ct);
        Assert.Equal(["from other"], journal.Select(e => ((EntryAdded)e.Event).Note));
        // The failed attempt caught the grain up, so the next call succeeds on fresh state.
        Assert.Equal(2, await stale.GetGrain<ILedgerGrain>(key).AddAsync("again"));
    }

    [Fact]
    public async Task Committed_events_are_published_in_order_with_their_sequence_numbers()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var services = db.CreateServices();
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(TestContext.Current.CancellationToken);
        var runtime = services.GetRequiredService<GrainRuntime>();
        var seen = new List<GrainEvent>();
        using var subscription = services.GetRequiredService<GrainEventPublisher>().Subscribe(e =>
        {
            lock (seen)
            {
                seen.Add(e);
            }
        });
        var key = NewKey();
        var ledger = runtime.GetGrain<ILedgerGrain>(key);

        await ledger.AddManyAsync(3, "x");
        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AddThenFailAsync("never published"));
        await ledger.AddAsync("y");

        Assert.Equal([1L, 2, 3, 4], seen.Select(e => e.Sequence));
        Assert.All(seen, e => Assert.Equal(new GrainId("test-ledger", key), e.Grain));
        Assert.Equal("y", ((EntryAdded)seen[^1].Event).Note);
    }

    [Fact]
    public async Task Reading_after_a_sequence_number_returns_exactly_the_later_events()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var runtime = await db.StartRuntimeAsync();
        var key = NewKey();
        await runtime.GetGrain<ILedgerGrain>(key).AddManyAsync(9, "n");

        var missed = await runtime.ReadEventsAsync(runtime.GetGrainId<ILedgerGrain>(key), 6, 100, Ct);

        Assert.Equal([7L, 8, 9], missed.Select(e => e.Sequence));
        Assert.Equal(["n 6", "n 7", "n 8"], missed.Select(e => ((EntryAdded)e.Event).Note));
    }

    private static string Json(LedgerState state) => JsonSerializer.Serialize(state, GrainJson.Options);
}
