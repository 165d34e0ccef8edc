using System.Data.Common;
using Events.Grains.Journal;

namespace Events.Grains.Storage;

// The journal over plain ADO.NET; the dialect supplies connections and SQL text.
public sealed class AdoJournalStore(SqlDialect dialect) : IJournalStore
{
    // The multi-row append statement for each batch size met so far.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> _appendSql = new();

    public SqlDialect Dialect { get; } = dialect;

    public async Task<StoredSnapshot?> ReadSnapshotAsync(JournalKey grain, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "read_snapshot", grain);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredSnapshot(reader.GetInt64(0), reader.GetString(1))
            : null;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(JournalKey grain, long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "read_events", grain);
        Add(command, "@after_seq", afterSequence);
        Add(command, "@max_count", maxCount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return events;
    }

    // One statement for all of a batch's events (a multi-row insert), plus the snapshot's upsert
    // when there is one. Where the driver can send both in one batch (PostgreSQL: one round trip,
    // run by the server as one implicit transaction; Npgsql prepares each statement text on its
    // second use within that same round trip, see PostgresDialect.Create) it does; elsewhere
    // (SQLite, a local file) an explicit transaction holds them together.
    public async Task AppendAsync(JournalKey grain, IReadOnlyList<StoredEvent> events, StoredSnapshot? snapshot, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var connection = await OpenAsync(cancellationToken);
        var statements = 0;
        try
        {
            if (connection.CanCreateBatch)
            {
                await using var batch = connection.CreateBatch();
                foreach (var chunk in Chunks(events))
                {
                    var append = batch.CreateBatchCommand();
                    AppendCommand(new BatchCommandAdapter(append), grain, chunk);
                    batch.BatchCommands.Add(append);
                }
                if (snapshot is not null)
                {
                    var write = batch.CreateBatchCommand();
                    SnapshotCommand(new BatchCommandAdapter(write), grain, snapshot);
                    batch.BatchCommands.Add(write);
                }

                statements = batch.BatchCommands.Count;
                await batch.ExecuteNonQueryAsync(cancellationToken);
                Count(events, snapshot, statements, roundTrips: 1, started);
                return;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            statements++;
            foreach (var chunk in Chunks(events))
            {
                await using var append = connection.CreateCommand();
                append.Transaction = transaction;
                AppendCommand(new CommandAdapter(append), grain, chunk);
                await append.ExecuteNonQueryAsync(cancellationToken);
                statements++;
            }

            if (snapshot is not null)
            {
                await using var write = connection.CreateCommand();
                write.Transaction = transaction;
                SnapshotCommand(new CommandAdapter(write), grain, snapshot);
                await write.ExecuteNonQueryAsync(cancellationToken);
                statements++;
            }

            await transaction.CommitAsync(cancellationToken);
            Count(events, snapshot, statements + 1, roundTrips: 0, started);
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            throw new JournalConflictException(grain, events[0].Sequence, ex);
        }
    }

    // A local file (SQLite) has no round trips; its statements include BEGIN and COMMIT.
    private static void Count(IReadOnlyList<StoredEvent> events, StoredSnapshot? snapshot, int statements, int roundTrips, long started)
    {
        JournalMetrics.WriteMicroseconds.Record((long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        JournalMetrics.Writes.Add(1);
        JournalMetrics.Events.Add(events.Count);
        JournalMetrics.Statements.Add(statements);
        JournalMetrics.RoundTrips.Add(roundTrips);
        if (snapshot is not null)
        {
            JournalMetrics.Snapshots.Add(1);
            JournalMetrics.SnapshotBytes.Add(snapshot.Payload.Length);
        }
    }

    // Statements stay well inside the databases' limits on parameters per statement.
    private static IEnumerable<IReadOnlyList<StoredEvent>> Chunks(IReadOnlyList<StoredEvent> events) =>
        events.Count <= MaxRowsPerStatement ? [events] : events.Chunk(MaxRowsPerStatement);

    private const int MaxRowsPerStatement = 500;

    private void AppendCommand(ICommandParts command, JournalKey grain, IReadOnlyList<StoredEvent> events)
    {
        command.Text = _appendSql.GetOrAdd(events.Count, Dialect.MultiRowAppend);
        command.Add("@grain_type", grain.Type);
        command.Add("@grain_key", grain.Key);
        for (var i = 0; i < events.Count; i++)
        {
            command.Add($"@seq_{i}", events[i].Sequence);
            command.Add($"@payload_{i}", events[i].Payload);
            command.Add($"@recorded_at_{i}", events[i].RecordedAt.ToUniversalTime());
        }
    }

    private void SnapshotCommand(ICommandParts command, JournalKey grain, StoredSnapshot snapshot)
    {
        command.Text = Dialect.Query("write_snapshot");
        command.Add("@grain_type", grain.Type);
        command.Add("@grain_key", grain.Key);
        command.Add("@seq", snapshot.Sequence);
        command.Add("@payload", snapshot.Payload);
    }

    public async Task<long> MarkHandOverAsync(JournalKey grain, long sinceSequence, string token, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "mark_handover", grain);
        Add(command, "@seq", sinceSequence);
        Add(command, "@token", token);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ClearHandOverAsync(JournalKey grain, string token, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "clear_handover", grain);
        Add(command, "@token", token);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PendingHandOver>> ListHandOversAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Dialect.Query("list_handovers");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var pending = new List<PendingHandOver>();
        while (await reader.ReadAsync(cancellationToken))
        {
            pending.Add(new PendingHandOver(new JournalKey(reader.GetString(0), reader.GetString(1)), reader.GetInt64(2), reader.GetString(3)));
        }

        return pending;
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = Dialect.Query("ping");
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (DbException)
        {
            return false;
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Dialect.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private DbCommand Command(DbConnection connection, string query, JournalKey grain, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = Dialect.Query(query);
        command.Transaction = transaction;
        Add(command, "@grain_type", grain.Type);
        Add(command, "@grain_key", grain.Key);
        return command;
    }

    internal static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}

// A DbCommand and a DbBatchCommand, as far as building one statement goes.
internal interface ICommandParts
{
    string Text { set; }

    void Add(string name, object value);
}

internal readonly struct CommandAdapter(DbCommand command) : ICommandParts
{
    public string Text
    {
        set => command.CommandText = value;
    }

    public void Add(string name, object value) => AdoJournalStore.Add(command, name, value);
}

internal readonly struct BatchCommandAdapter(DbBatchCommand command) : ICommandParts
{
    public string Text
    {
        set => command.CommandText = value;
    }

    public void Add(string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
