using System.Text.Json;
using Events.Grains.Journal;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace Events.Grains.Tests.Journal;

public sealed class JournalGrainTests
{
    public static TheoryData<string> Databases => [TestDatabase.Sqlite, TestDatabase.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewKey() => Guid.NewGuid().ToString("N");

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Hundred_concurrent_calls_append_sequences_1_to_100_and_state_reflects_all(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var cluster = await db.StartClusterAsync();
        var key = NewKey();
        var ledger = cluster.GetGrain<ILedgerGrain>(key);

        var versions = await Task.WhenAll(Enumerable.Range(1, 100).Select(i => Task.Run(() => ledger.AddAsync($"call {i}"), Ct)));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), versions.Order());
        var journal = await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 1000);
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
        var cluster = await db.StartClusterAsync();
        var ledger = cluster.GetGrain<ILedgerGrain>(NewKey());
        await ledger.AddManyAsync(7, "before");
        var before = await ledger.GetAsync();

        await cluster.Cluster.DeactivateAsync(ledger);
        Assert.Equal(1, cluster.Services(0).GetRequiredService<ActivationCounter>().Deactivations);

        Assert.Equal(Json(before), Json(await ledger.GetAsync()));
        Assert.Equal(2, await ledger.ActivationNumberAsync());
    }

    [Fact]
    public async Task An_idle_grain_is_deactivated_by_Orleans_and_comes_back_intact()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync(new ClusterSetup
        {
            // Our setting, which the silo turns into Orleans' collection age.
            Journal = o => o.IdleDeactivation = TimeSpan.FromSeconds(1),
            // Orleans looks for idle grains once a minute by default; the age must exceed this.
            Silo = silo => silo.Configure<GrainCollectionOptions>(o => o.CollectionQuantum = TimeSpan.FromMilliseconds(100)),
        });
        var counter = cluster.Services(0).GetRequiredService<ActivationCounter>();
        var ledger = cluster.GetGrain<ILedgerGrain>(NewKey());
        await ledger.AddAsync("one");
        await ledger.AddAsync("two");

        // Watched from outside: any call to the grain would keep it active.
        await Eventually.UntilAsync("the idle ledger's deactivation", () => counter.Deactivations, seen => seen > 0);
        Assert.Equal(1, counter.Deactivations);
        Assert.Equal(["one", "two"], (await ledger.GetAsync()).Notes);
        Assert.Equal(2, await ledger.ActivationNumberAsync());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_restarted_cluster_over_the_same_database_restores_the_same_state(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        var first = await db.StartClusterAsync();
        await first.GetGrain<ILedgerGrain>(key).AddManyAsync(12, "kept");
        var before = await first.GetGrain<ILedgerGrain>(key).GetAsync();
        await first.DisposeAsync();

        var second = await db.StartClusterAsync();

        Assert.Equal(Json(before), Json(await second.GetGrain<ILedgerGrain>(key).GetAsync()));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Snapshot_plus_tail_gives_the_same_state_as_a_full_replay(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        var journal = LedgerGrain.JournalOf(key);
        var writer = await db.StartClusterAsync(new ClusterSetup { Journal = o => o.SnapshotInterval = 10 });
        var ledger = writer.GetGrain<ILedgerGrain>(key);
        await ledger.AddManyAsync(7, "a");
        await ledger.AddManyAsync(7, "b");
        await ledger.AddAsync("c");
        await ledger.AddManyAsync(10, "d");

        var snapshot = await db.Store.ReadSnapshotAsync(journal, Ct);
        Assert.NotNull(snapshot);
        Assert.Equal(25, snapshot.Sequence);

        var replayed = (await db.ReadEventsAsync<LedgerEvent>(journal, 0, 1000)).Aggregate(LedgerState.Initial, (s, e) => s.Apply((LedgerEvent)e.Event));
        await ledger.AddManyAsync(3, "tail");
        replayed = (await db.ReadEventsAsync<LedgerEvent>(journal, 25, 1000)).Aggregate(replayed, (s, e) => s.Apply((LedgerEvent)e.Event));

        // Another cluster loads the grain cold: the snapshot at 25, then events 26..28.
        var reader = await db.StartClusterAsync(new ClusterSetup { Journal = o => o.SnapshotInterval = 10 });
        var loaded = await reader.GetGrain<ILedgerGrain>(key).GetAsync();

        Assert.Equal(28, loaded.Count);
        Assert.Equal(Json(replayed), Json(loaded));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_large_state_is_snapshotted_again_only_after_half_its_size_in_new_events(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        var journal = LedgerGrain.JournalOf(key);
        var writer = await db.StartClusterAsync(new ClusterSetup { Journal = o => { o.SnapshotInterval = 5; o.SnapshotSizeFloorBytes = 1024; } });
        var ledger = writer.GetGrain<ILedgerGrain>(key);
        await ledger.AddAsync(new string('x', 8_000));
        await ledger.AddManyAsync(4, "s");
        Assert.Equal(5, (await db.Store.ReadSnapshotAsync(journal, Ct))!.Sequence);

        // Small events: forty of them are far less than half the 8 KB snapshot, so at 10, 15, ...
        // 45 no new snapshot is written (before, one was written every 5 events).
        for (var i = 0; i < 40; i++)
        {
            await ledger.AddAsync("s");
        }

        Assert.Equal(5, (await db.Store.ReadSnapshotAsync(journal, Ct))!.Sequence);

        // Once the events since it add up to half its size, the next boundary writes one.
        await ledger.AddAsync(new string('y', 4_100));
        await ledger.AddManyAsync(4, "s");
        Assert.Equal(50, (await db.Store.ReadSnapshotAsync(journal, Ct))!.Sequence);

        var reader = await db.StartClusterAsync(new ClusterSetup { Journal = o => o.SnapshotInterval = 5 });
        var loaded = await reader.GetGrain<ILedgerGrain>(key).GetAsync();
        Assert.Equal(50, loaded.Count);
        Assert.Equal(Json(await ledger.GetAsync()), Json(loaded));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Two_silos_writing_one_grain_concurrently_lose_no_acknowledged_change(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        var cluster = await db.StartClusterAsync(new ClusterSetup { Silos = 2 });

        // Half the calls enter through each silo; Orleans routes them all to the one activation.
        var versions = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => cluster.Silo(i % 2).GetGrain<ILedgerGrain>(key).AddAsync($"write {i}"), Ct)));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), versions.Order());
        var journal = await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 1000);
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
        var cluster = await db.StartClusterAsync();
        var key = NewKey();
        var ledger = cluster.GetGrain<ILedgerGrain>(key);
        await ledger.AddManyAsync(2, "kept");
        var before = await ledger.GetAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AddThenFailAsync("lost"));

        Assert.Equal("refused after raising", error.Message);
        Assert.Equal(Json(before), Json(await ledger.GetAsync()));
        Assert.Equal(2, (await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 100)).Count);
        Assert.Equal(3, await ledger.AddAsync("next"));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_writer_that_loses_the_race_fails_clearly_stores_nothing_and_then_works_on_fresh_state(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = NewKey();
        // Two clusters that do not know each other: each has its own activation of the grain, and
        // only the journal's unique sequence numbers stand between them.
        var stale = await db.StartClusterAsync();
        var other = await db.StartClusterAsync();
        await stale.GetGrain<ILedgerGrain>(key).GetAsync();
        await other.GetGrain<ILedgerGrain>(key).AddAsync("from other");

        var error = await Assert.ThrowsAsync<JournalConflictException>(() => stale.GetGrain<ILedgerGrain>(key).AddAsync("from stale"));

        Assert.Equal(LedgerGrain.JournalOf(key), error.Grain);
        Assert.Contains($"Sequence 1 of grain {LedgerGrain.JournalOf(key)} was appended by another writer", error.Message);
        var journal = await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 100);
        Assert.Equal(["from other"], journal.Select(e => ((EntryAdded)e.Event).Note));
        // The refused call caught the grain up, so the next call succeeds on fresh state.
        Assert.Equal(2, await stale.GetGrain<ILedgerGrain>(key).AddAsync("again"));
        Assert.Equal(["from other", "again"], (await stale.GetGrain<ILedgerGrain>(key).GetAsync()).Notes);
        Assert.Equal([1L, 2], (await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 0, 100)).Select(e => ((EntryAdded)e.Event).Number));
    }

    [Fact]
    public async Task Committed_events_are_published_in_order_with_their_sequence_numbers()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync();
        var seen = new List<GrainEvent>();
        using var subscription = cluster.Publisher(0).Subscribe(e =>
        {
            lock (seen)
            {
                seen.Add(e);
            }
        }, fromEverySilo: false);
        var key = NewKey();
        var ledger = cluster.GetGrain<ILedgerGrain>(key);

        await ledger.AddManyAsync(3, "x");
        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AddThenFailAsync("never published"));
        await ledger.AddAsync("y");

        // Publishing happens before the call answers, so everything is here already.
        lock (seen)
        {
            Assert.Equal([1L, 2, 3, 4], seen.Select(e => e.Sequence));
            Assert.All(seen, e => Assert.Equal(LedgerGrain.JournalOf(key), e.Grain));
            Assert.Equal(["x 0", "x 1", "x 2", "y"], seen.Select(e => ((EntryAdded)e.Event).Note));
        }
    }

    [Fact]
    public async Task An_event_committed_on_one_silo_reaches_the_other_silos_live_subscribers_only()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync(new ClusterSetup { Silos = 2 });
        var key = NewKey();
        var ledger = cluster.Silo(0).GetGrain<ILedgerGrain>(key);

        // Orleans places the grain where it likes: find its silo, and call the other one "there".
        var home = await ledger.SiloAsync();
        var here = cluster.Cluster.Silos[0].SiloAddress.ToParsableString() == home ? 0 : 1;
        var there = 1 - here;
        Assert.Equal(home, cluster.Cluster.Silos[here].SiloAddress.ToParsableString());

        var committed = new List<GrainEvent>();
        var localOnlyThereSaw = new List<GrainEvent>();
        var everySiloThereSaw = new List<GrainEvent>();
        using var localHere = cluster.Publisher(here).Subscribe(e => Add(committed, e), fromEverySilo: false);
        // Subscribed before the live one: both see each relayed event in the same pass, so once the
        // live subscriber has an event, the local-only one has had its chance at it.
        using var localOnlyThere = cluster.Publisher(there).Subscribe(e => Add(localOnlyThereSaw, e), fromEverySilo: false);
        using var everySiloThere = cluster.Publisher(there).Subscribe(e => Add(everySiloThereSaw, e), fromEverySilo: true);

        // The other silo registers with the relay in the background after it starts and misses what
        // is committed before (browsers catch up by sequence number); keep committing until it
        // receives, with a deadline rather than a sleep.
        var sent = 0;
        await Eventually.RepeatingAsync(
            "the other silo to receive a relayed event",
            () => ledger.AddAsync($"relay {++sent}"),
            () => Count(everySiloThereSaw) > 0,
            every: TimeSpan.FromMilliseconds(500));

        List<GrainEvent> received;
        lock (everySiloThereSaw)
        {
            received = [.. everySiloThereSaw];
        }

        Assert.NotEmpty(received);
        lock (committed)
        {
            Assert.Equal(Enumerable.Range(1, sent).Select(i => (long)i), committed.Select(e => e.Sequence));
            foreach (var relayed in received)
            {
                // The same event under the same sequence number as where it was committed.
                var original = Assert.Single(committed, e => e.Sequence == relayed.Sequence);
                Assert.Equal(LedgerGrain.JournalOf(key), relayed.Grain);
                Assert.Equal(((EntryAdded)original.Event).Note, ((EntryAdded)relayed.Event).Note);
                Assert.Equal(original.RecordedAt, relayed.RecordedAt);
            }
        }

        Assert.Equal(0, Count(localOnlyThereSaw));
    }

    [Fact]
    public async Task Reading_after_a_sequence_number_returns_exactly_the_later_events()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync();
        var key = NewKey();
        await cluster.GetGrain<ILedgerGrain>(key).AddManyAsync(9, "n");

        var missed = await db.ReadEventsAsync<LedgerEvent>(LedgerGrain.JournalOf(key), 6, 100);

        Assert.Equal([7L, 8, 9], missed.Select(e => e.Sequence));
        Assert.Equal(["n 6", "n 7", "n 8"], missed.Select(e => ((EntryAdded)e.Event).Note));
    }

    private static void Add(List<GrainEvent> list, GrainEvent e)
    {
        lock (list)
        {
            list.Add(e);
        }
    }

    private static int Count(List<GrainEvent> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static string Json(LedgerState state) => JsonSerializer.Serialize(state, GrainJson.Options);

    [Fact]
    public async Task When_the_relay_forgets_the_silos_each_silo_says_it_may_have_missed_events()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync(new ClusterSetup { Silos = 2 });
        var gaps = new int[2];
        for (var silo = 0; silo < 2; silo++)
        {
            var index = silo;
            cluster.Publisher(silo).Gap += () => Interlocked.Increment(ref gaps[index]);
        }

        // The relay loses its memory, as when its silo dies. A silo that had not registered yet
        // has nothing to miss, so forget again each refresh period until both have said so.
        var relay = cluster.Client.GetGrain<IJournalRelayGrain>(0);
        await Eventually.RepeatingAsync(
            "both silos to say they may have missed events",
            () => cluster.Cluster.DeactivateAsync(relay),
            () => Volatile.Read(ref gaps[0]) > 0 && Volatile.Read(ref gaps[1]) > 0,
            every: JournalRelay.Refresh + TimeSpan.FromSeconds(1));

        Assert.True(gaps[0] > 0 && gaps[1] > 0, $"Gaps seen: {gaps[0]} and {gaps[1]}.");
    }

}
