using System.Data.Common;
using Events.Grains.Journal;

namespace Events.Grains.Storage;

// The journal over plain ADO.NET; the dialect supplies connections and SQL text.
public sealed class AdoJournalStore(SqlDialect dialect) : IJournalStore
{
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

    public async Task AppendAsync(JournalKey grain, IReadOnlyList<StoredEvent> events, StoredSnapshot? snapshot, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            foreach (var stored in events)
            {
                await using var append = Command(connection, "append_event", grain, transaction);
                Add(append, "@seq", stored.Sequence);
                Add(append, "@payload", stored.Payload);
                Add(append, "@recorded_at", stored.RecordedAt.ToUniversalTime());
                await append.ExecuteNonQueryAsync(cancellationToken);
            }

            if (snapshot is not null)
            {
                await using var write = Command(connection, "write_snapshot", grain, transaction);
                Add(write, "@seq", snapshot.Sequence);
                Add(write, "@payload", snapshot.Payload);
                await write.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw new JournalConflictException(grain, events[0].Sequence, ex);
        }
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
