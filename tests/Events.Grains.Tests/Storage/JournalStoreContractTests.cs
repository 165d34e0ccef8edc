using System.Security.Cryptography;
using Events.Grains.Journal;
using Events.Grains.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Events.Grains.Tests.Storage;

// What every storage provider must do. Each test runs on SQLite and on PostgreSQL.
public sealed class JournalStoreContractTests
{
    public static TheoryData<string> Databases => [TestDatabase.Sqlite, TestDatabase.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset At = new(2026, 11, 22, 9, 30, 0, TimeSpan.Zero);

    private static JournalKey NewGrain() => new("contract", Guid.NewGuid().ToString("N"));

    private static StoredEvent Event(long sequence) => new(sequence, $$"""{"n":{{sequence}}}""", At.AddSeconds(sequence));

    private static async Task<IJournalStore> StoreAsync(TestDatabase db)
    {
        var services = db.CreateServices();
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(Ct);
        return services.GetRequiredService<IJournalStore>();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Appended_events_read_back_in_order_after_a_sequence_number_in_pages(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var store = await StoreAsync(db);
        var grain = NewGrain();
        await store.AppendAsync(grain, [Event(1), Event(2), Event(3)], null, Ct);
        await store.AppendAsync(grain, [Event(4), Event(5)], null, Ct);
        await store.AppendAsync(NewGrain(), [Event(1)], null, Ct);

        var all = await store.ReadEventsAsync(grain, 0, 100, Ct);
        var page = await store.ReadEventsAsync(grain, 1, 2, Ct);

        Assert.Equal([1L, 2, 3, 4, 5], all.Select(e => e.Sequence));
        Assert.Equal(Event(4).Payload, all[3].Payload.Replace(" ", ""));
        Assert.Equal(At.AddSeconds(5), all[4].RecordedAt);
        Assert.Equal([2L, 3], page.Select(e => e.Sequence));
        Assert.Empty(await store.ReadEventsAsync(grain, 5, 100, Ct));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task An_append_that_finds_its_sequence_taken_conflicts_and_writes_nothing(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var store = await StoreAsync(db);
        var grain = NewGrain();
        await store.AppendAsync(grain, [Event(1), Event(2)], null, Ct);

        await Assert.ThrowsAsync<JournalConflictException>(() =>
            store.AppendAsync(grain, [Event(2), Event(3)], new StoredSnapshot(3, """{"s":3}"""), Ct));

        Assert.Equal([1L, 2], (await store.ReadEventsAsync(grain, 0, 100, Ct)).Select(e => e.Sequence));
        Assert.Null(await store.ReadSnapshotAsync(grain, Ct));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task The_latest_snapshot_is_kept_and_an_older_one_never_replaces_it(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var store = await StoreAsync(db);
        var grain = NewGrain();
        await store.AppendAsync(grain, [Event(1), Event(2)], new StoredSnapshot(2, """{"s":2}"""), Ct);
        await store.AppendAsync(grain, [Event(3), Event(4)], new StoredSnapshot(4, """{"s":4}"""), Ct);
        await store.AppendAsync(grain, [Event(5)], new StoredSnapshot(3, """{"s":3}"""), Ct);

        var snapshot = await store.ReadSnapshotAsync(grain, Ct);

        Assert.NotNull(snapshot);
        Assert.Equal(4, snapshot.Sequence);
        Assert.Equal("""{"s":4}""", snapshot.Payload.Replace(" ", ""));
        Assert.Null(await store.ReadSnapshotAsync(NewGrain(), Ct));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Migrating_twice_changes_nothing_and_reports_the_latest_version(string database)
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var store = await StoreAsync(db);
        await store.AppendAsync(NewGrain(), [Event(1)], null, Ct);
        var migrator = db.CreateServices().GetRequiredService<SchemaMigrator>();

        await migrator.MigrateAsync(Ct);

        Assert.Equal(migrator.LatestVersion, await migrator.ReadVersionAsync(Ct));
        Assert.True(await store.IsReachableAsync(Ct));
    }

    [Fact]
    public async Task A_newer_sqlite_database_is_refused_and_left_byte_for_byte_unchanged()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await StoreAsync(db);
        var path = db.Options.ResolveSqlitePath();
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync(Ct);
            await using var command = new SqliteCommand("PRAGMA journal_mode = DELETE; INSERT INTO schema_version (version, applied_at) VALUES (999, 'later');", connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        SqliteConnection.ClearAllPools();
        var before = SHA256.HashData(await File.ReadAllBytesAsync(path, Ct));
        var filesBefore = Directory.GetFiles(db.Options.DataFolder).Order().ToArray();

        var error = await Assert.ThrowsAsync<SchemaTooNewException>(() =>
            db.CreateServices().GetRequiredService<SchemaMigrator>().MigrateAsync(Ct));

        SqliteConnection.ClearAllPools();
        Assert.Equal(999, error.FoundVersion);
        Assert.Contains("left untouched", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync(path, Ct)));
        Assert.Equal(filesBefore, Directory.GetFiles(db.Options.DataFolder).Order().ToArray());
    }

    [Fact]
    public async Task A_newer_postgres_database_is_refused_and_keeps_its_version()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Postgres);
        await StoreAsync(db);
        await using var connection = new NpgsqlConnection(db.Options.ConnectionString);
        await connection.OpenAsync(Ct);
        await using (var insert = new NpgsqlCommand("INSERT INTO schema_version (version, applied_at) VALUES (999, now())", connection))
        {
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var error = await Assert.ThrowsAsync<SchemaTooNewException>(() =>
            db.CreateServices().GetRequiredService<SchemaMigrator>().MigrateAsync(Ct));

        Assert.Equal(999, error.FoundVersion);
        // One row per migration this build carries, plus the newer one: nothing was applied.
        var migrator = db.CreateServices().GetRequiredService<SchemaMigrator>();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM schema_version", connection);
        Assert.Equal(migrator.LatestVersion + 1L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task An_unreachable_postgres_server_is_reported_as_not_answering()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");
        var store = new AdoJournalStore(new PostgresDialect(dataSource));

        Assert.False(await store.IsReachableAsync(Ct));
    }

    [Fact]
    public void Both_dialects_name_the_same_queries_with_the_same_parameters()
    {
        var sqlite = new SqliteDialect(Path.Combine(Path.GetTempPath(), "unused.db"));
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1");
        var postgres = new PostgresDialect(dataSource);

        Assert.Equal(sqlite.Queries.Keys.Order(), postgres.Queries.Keys.Order());
        foreach (var name in sqlite.Queries.Keys)
        {
            Assert.Equal(SqlDialect.ParametersOf(sqlite.Query(name)).Order(), SqlDialect.ParametersOf(postgres.Query(name)).Order());
        }

        Assert.Equal(sqlite.Migrations.Select(m => m.FileName), postgres.Migrations.Select(m => m.FileName));
        Assert.Equal(Enumerable.Range(1, sqlite.Migrations.Count), sqlite.Migrations.Select(m => m.Version));
    }
}
