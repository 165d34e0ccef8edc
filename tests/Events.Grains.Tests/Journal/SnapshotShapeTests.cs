using System.Text.Json;
using System.Text.Json.Nodes;
using Events.Grains.Journal;

namespace Events.Grains.Tests.Journal;

// A snapshot written by an older build, when the state had another shape, must not be folded
// into today's state: the grain loads from its journal instead.
public sealed class SnapshotShapeTests
{
    public static TheoryData<string> Databases => [TestDatabase.Sqlite, TestDatabase.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_snapshot_of_an_older_state_shape_is_ignored_and_the_state_replayed_from_the_journal(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = Guid.NewGuid().ToString("N");
        var journal = LedgerGrain.JournalOf(key);
        var writer = await db.StartClusterAsync(new ClusterSetup { Journal = o => o.SnapshotInterval = 0 });
        await writer.GetGrain<ILedgerGrain>(key).AddManyAsync(12, "n");
        await writer.DisposeAsync();

        // Event 13 with the snapshot an older build would have written: the ledger before it had
        // its Numbers list, as plain state JSON (and a count that replay would not give).
        var notes = Enumerable.Range(0, 12).Select(i => $"n {i}").Append("late").ToList();
        var oldShape = JsonSerializer.Serialize(new { count = 99, notes }, GrainJson.Options);
        await db.Store.AppendAsync(
            journal,
            [new StoredEvent(13, JsonSerializer.Serialize<LedgerEvent>(new EntryAdded(13, "late"), GrainJson.Options), DateTimeOffset.UtcNow)],
            new StoredSnapshot(13, oldShape),
            Ct);

        var reader = await db.StartClusterAsync(new ClusterSetup { Journal = o => o.SnapshotInterval = 0 });
        var ledger = reader.GetGrain<ILedgerGrain>(key);
        var loaded = await ledger.GetAsync();

        Assert.Equal(13, loaded.Count);
        Assert.Equal(notes, loaded.Notes);
        Assert.Equal(Enumerable.Range(1, 13).Select(i => (long)i), loaded.Numbers);
        Assert.Equal(14, await ledger.AddAsync("next"));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_snapshot_of_the_current_shape_is_used_and_one_of_another_shape_version_is_not(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var key = Guid.NewGuid().ToString("N");
        var journal = LedgerGrain.JournalOf(key);
        var writer = await db.StartClusterAsync(new ClusterSetup { Journal = o => o.SnapshotInterval = 5 });
        await writer.GetGrain<ILedgerGrain>(key).AddManyAsync(5, "n");
        await writer.DisposeAsync();
        var written = await db.Store.ReadSnapshotAsync(journal, Ct);
        Assert.NotNull(written);
        Assert.Equal(5, written.Sequence);
        using (var document = JsonDocument.Parse(written.Payload))
        {
            Assert.Equal(5, document.RootElement.GetProperty("state").GetProperty("count").GetInt64());
        }

        // A snapshot at 6 that claims another shape (as after a bump of SnapshotVersion) and would
        // show a wrong count if it were read.
        var stale = JsonNode.Parse(written.Payload)!;
        stale["shape"] = "0123456789abcdef";
        stale["state"]!["count"] = 77;
        await db.Store.AppendAsync(
            journal,
            [new StoredEvent(6, JsonSerializer.Serialize<LedgerEvent>(new EntryAdded(6, "six"), GrainJson.Options), DateTimeOffset.UtcNow)],
            new StoredSnapshot(6, stale.ToJsonString()),
            Ct);

        var reader = await db.StartClusterAsync(new ClusterSetup { Journal = o => o.SnapshotInterval = 5 });
        var loaded = await reader.GetGrain<ILedgerGrain>(key).GetAsync();

        Assert.Equal(6, loaded.Count);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), loaded.Numbers);
    }
}
